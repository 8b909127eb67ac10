"""Search over services: PostgreSQL full text with trigram typo tolerance, or a portable fallback.

One entry, `search_services(queryset, text)`, chosen by the database vendor; the same tests run
on both.
The queryset's model needs the columns named below (the publish snapshot has them).
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection, models

_WORD = re.compile(r"[\w']+")
# Light English suffix stripping for the portable path, so "clubs" finds "club" and
# "counselling" finds "counsel"; PostgreSQL's English stemmer does this properly.
_SUFFIXES = ("ing", "ies", "es", "ed", "s")


def stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] == word[-2]:
        word = word[:-1]  # counsell -> counsel
    return word


def search_services(
    queryset: models.QuerySet,
    text: str,
    *,
    name: str = "name",
    labels: str = "search_labels",
    body: str = "description",
    vector: str = "search_vector",
) -> models.QuerySet:
    """Services matching every word of `text`, best first (annotated `search_rank`)."""
    words = _WORD.findall(text)
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        # Each word must match the stemmed full text or, to forgive a typo, a word of the name
        # (pg_trgm word similarity, served by a trigram index on the name).
        condition = models.Q()
        for word in words:
            condition &= models.Q(
                **{vector: SearchQuery(word, config="english", search_type="plain")}
            ) | models.Q(**{f"{name}__trigram_word_similar": word})
        query = SearchQuery(" ".join(words), config="english", search_type="websearch")
        return (
            queryset.filter(condition)
            .annotate(
                search_rank=SearchRank(models.F(vector), query)
                + TrigramWordSimilarity(" ".join(words), name)
            )
            .order_by("-search_rank", "pk")
        )
    condition = models.Q()
    in_name = []
    for word in words:
        root = stem(word)
        condition &= (
            models.Q(**{f"{name}__icontains": root})
            | models.Q(**{f"{labels}__icontains": root})
            | models.Q(**{f"{body}__icontains": root})
        )
        in_name.append(models.When(**{f"{name}__icontains": root}, then=models.Value(1)))
    rank = models.Case(*in_name, default=models.Value(0), output_field=models.IntegerField())
    return queryset.filter(condition).annotate(search_rank=rank).order_by("-search_rank", "pk")

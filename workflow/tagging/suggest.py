"""The tagging assistant: LGA service types for a service's name and description, with reasons.

Two signals, combined into one 0..1 confidence:

- words: a term's name, GOV.UK label (`alt_label`) or one of its editable `synonyms` named in the
  text, matched as whole stemmed phrases ("food parcels" names the synonym "food parcel");
- neighbours: TF-IDF similarity to services already assured, voting for the types they carry.

The neighbour index is built once per process and rebuilt only when the assured services or their
tags change; it holds at most PORTAL_TAGGING_INDEX_LIMIT services, so it stays bounded.
"""

from __future__ import annotations

import heapq
import math
import re
import threading
import uuid
from array import array
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, QuerySet

from directory.models import Attribute, Service, TaxonomyTerm
from directory.models.attribute import LinkEntity
from directory.search import stem
from directory.taxonomies.identity import LGA_SERVICE_TYPES

from .classification import FUNCTION_PREFIX, service_types

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# Words that say nothing about what a service does; left out of phrases and of the index.
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "get",
        "has",
        "have",
        "help",
        "how",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "us",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
    ]
)
NEIGHBOURS = 20  # assured services that vote for their types
MIN_SIMILARITY = 0.08  # below this a "similar" service is noise
# Words in more than this share of the indexed services tell services apart too little to be
# worth walking their long posting lists.
COMMON_WORD_SHARE = 0.5
COMMON_WORD_MIN_INDEX = 1000


@dataclass(frozen=True)
class Suggestion:
    """A suggested service type, how sure we are (0..1, higher first), and why."""

    term: TaxonomyTerm
    score: float
    reasons: tuple[str, ...]


def words(text: str) -> list[str]:
    """Stemmed words of `text` without the little ones, as the index and phrases use them."""
    return [stem(w) for w in _WORD.findall((text or "").lower()) if w not in _STOP_WORDS]


def _contains(haystack: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(
        tuple(haystack[start : start + size]) == phrase for start in range(len(haystack) - size + 1)
    )


def _word_matches(
    terms: list[TaxonomyTerm], name: str, description: str
) -> dict[uuid.UUID, tuple[float, list[str]]]:
    """Terms named in the text: {term id: (score, reasons)}."""
    name_words, body_words = words(name), words(description)
    found: dict[uuid.UUID, tuple[float, list[str]]] = {}
    for term in terms:
        phrases = [("name", term.name)]
        if term.alt_label:
            phrases.append(("GOV.UK label", term.alt_label))
        phrases += [("synonym list", s) for s in term.synonyms or [] if isinstance(s, str)]
        score, reasons = 0.0, []
        for kind, phrase in phrases:
            target = tuple(words(phrase))
            if not target:
                continue
            if _contains(name_words, target):
                hit = 0.75
            elif _contains(body_words, target):
                hit = 0.55
            else:
                continue
            # Each further phrase found adds a little: two synonyms are stronger than one.
            score = hit if not reasons else min(0.95, max(score, hit) + 0.1)
            reasons.append(f"'{phrase.strip().lower()}' matches the {kind} of {term.name}")
        if reasons:
            found[term.id] = (score, reasons)
    return found


# --- The neighbour index ------------------------------------------------------------------------


@dataclass
class NeighbourIndex:
    key: tuple
    service_ids: list[uuid.UUID]
    types: list[tuple[uuid.UUID, ...]]  # per indexed service, its service type ids
    idf: dict[str, float]
    postings: dict[str, tuple[array, array]]  # word -> (service positions, weights)

    def vector(self, text_words: list[str]) -> dict[str, float]:
        counts = Counter(w for w in text_words if w in self.idf)
        vec = {w: (1 + math.log(n)) * self.idf[w] for w, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {w: v / norm for w, v in vec.items()}

    def nearest(
        self, text_words: list[str], *, k: int, exclude: uuid.UUID | None
    ) -> list[tuple[float, int]]:
        scores: dict[int, float] = {}
        total = len(self.service_ids)
        # Only a large index has posting lists long enough to be worth skipping.
        common = COMMON_WORD_SHARE * total if total >= COMMON_WORD_MIN_INDEX else total + 1
        for word, weight in self.vector(text_words).items():
            positions, weights = self.postings[word]
            if len(positions) > common:
                continue
            for pos, w in zip(positions, weights, strict=True):
                scores[pos] = scores.get(pos, 0.0) + weight * w
        if exclude is not None:
            scores = {p: s for p, s in scores.items() if self.service_ids[p] != exclude}
        best = heapq.nlargest(k, ((s, p) for p, s in scores.items()))
        return [(s, p) for s, p in best if s >= MIN_SIMILARITY]


_index: NeighbourIndex | None = None
_lock = threading.Lock()


def _service_type_attributes():
    return Attribute.objects.filter(
        link_entity=LinkEntity.SERVICE, taxonomy_term__taxonomy__vocabulary=LGA_SERVICE_TYPES
    ).exclude(taxonomy_term__term__startswith=FUNCTION_PREFIX)


def _indexed_services():
    tagged = _service_type_attributes().filter(link_id=OuterRef("pk"))
    return (
        Service.objects.filter(assured_date__isnull=False)
        .filter(Exists(tagged))
        .order_by("-last_modified", "pk")
    )


def _index_key() -> tuple:
    services = Service.objects.filter(assured_date__isnull=False).aggregate(
        n=Count("pk"), changed=Max("last_modified"), assured=Max("assured_date")
    )
    tags = _service_type_attributes().aggregate(n=Count("pk"), changed=Max("updated_at"))
    return (
        connection.settings_dict.get("NAME"),
        services["n"],
        services["changed"],
        services["assured"],
        tags["n"],
        tags["changed"],
    )


def build_index(services: QuerySet | None = None, *, key: tuple = ()) -> NeighbourIndex:
    """An index of these services (default: the assured ones carrying a service type), at most
    PORTAL_TAGGING_INDEX_LIMIT of them, the most recently changed first."""
    limit = int(getattr(settings, "PORTAL_TAGGING_INDEX_LIMIT", 20000))
    chosen = _indexed_services()
    if services is not None:
        chosen = chosen.filter(pk__in=services.values("pk"))
    rows = list(chosen.values_list("pk", "name", "description")[:limit])
    positions = {pk: i for i, (pk, _n, _d) in enumerate(rows)}
    types: list[list[uuid.UUID]] = [[] for _ in rows]
    tag_rows = (
        _service_type_attributes()
        .filter(link_id__in=chosen.values("pk")[:limit])
        .order_by("link_id", "taxonomy_term_id")
        .values_list("link_id", "taxonomy_term_id")
    )
    for link_id, term_id in tag_rows.iterator(chunk_size=5000):
        if link_id in positions and term_id not in types[positions[link_id]]:
            types[positions[link_id]].append(term_id)

    # The name counts twice: it is the provider's own one-line summary.
    documents = [Counter(words(name) * 2 + words(description)) for _pk, name, description in rows]
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(document.keys())
    total = len(documents)
    idf = {w: math.log((1 + total) / (1 + n)) + 1.0 for w, n in frequency.items()}
    postings: dict[str, tuple[array, array]] = {}
    for position, document in enumerate(documents):
        vec = {w: (1 + math.log(n)) * idf[w] for w, n in document.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        for word, value in vec.items():
            entry = postings.get(word)
            if entry is None:
                entry = postings[word] = (array("I"), array("f"))
            entry[0].append(position)
            entry[1].append(value / norm)
    return NeighbourIndex(
        key=key,
        service_ids=[pk for pk, _n, _d in rows],
        types=[tuple(t) for t in types],
        idf=idf,
        postings=postings,
    )


def neighbour_index() -> NeighbourIndex:
    """The index of assured services, rebuilt only when they or their tags have changed."""
    global _index
    key = _index_key()
    current = _index
    if current is not None and current.key == key:
        return current
    with _lock:
        if _index is None or _index.key != key:
            _index = build_index(key=key)
        return _index


def reset_index() -> None:
    """Forget the cached index (tests; after a bulk load that kept timestamps)."""
    global _index
    with _lock:
        _index = None


def _neighbour_votes(
    index: NeighbourIndex, text_words: list[str], exclude: uuid.UUID | None
) -> dict[uuid.UUID, tuple[float, int]]:
    """{service type id: (0..1 score, number of similar services carrying it)}."""
    nearest = index.nearest(text_words, k=NEIGHBOURS, exclude=exclude)
    if not nearest:
        return {}
    total = sum(s for s, _p in nearest)
    best = nearest[0][0]
    votes: dict[uuid.UUID, list[float]] = {}
    for similarity, position in nearest:
        for term_id in index.types[position]:
            votes.setdefault(term_id, []).append(similarity)
    # A type's share of the neighbours' similarity, tempered by how close the closest one is,
    # so a vague text does not produce confident guesses.
    strength = min(1.0, best / 0.5)
    return {
        term_id: (min(1.0, sum(sims) / total) * strength, len(sims))
        for term_id, sims in votes.items()
    }


def suggest_service_types(
    name: str,
    description: str = "",
    *,
    limit: int = 5,
    exclude_service_id: uuid.UUID | str | None = None,
    index: NeighbourIndex | None = None,
) -> list[Suggestion]:
    """Service types for a service with this name and description, most likely first.

    `index` replaces the cached index of assured services (the bench holds some out)."""
    terms = list(
        service_types().only("id", "name", "alt_label", "synonyms", "term", "path", "depth")
    )
    by_id = {t.id: t for t in terms}
    matched = _word_matches(terms, name, description)

    exclude = None
    if exclude_service_id:
        try:
            exclude = uuid.UUID(str(exclude_service_id))
        except ValueError:
            exclude = None
    text_words = words(name) * 2 + words(description)
    votes = {}
    if text_words:
        votes = _neighbour_votes(index or neighbour_index(), text_words, exclude)

    suggestions = []
    for term_id in matched.keys() | votes.keys():
        term = by_id.get(term_id)
        if term is None:  # discontinued since it was used
            continue
        word_score, reasons = matched.get(term_id, (0.0, []))
        vote_score, similar = votes.get(term_id, (0.0, 0))
        reasons = list(reasons)
        if similar:
            plural = "service" if similar == 1 else "services"
            reasons.append(f"similar to {similar} assured {plural} tagged {term.name}")
        # Independent evidence: either signal alone can suggest, both together are surer.
        score = 1 - (1 - word_score) * (1 - 0.9 * vote_score)
        suggestions.append(Suggestion(term=term, score=round(score, 4), reasons=tuple(reasons)))
    suggestions.sort(key=lambda s: (-s.score, s.term.name, str(s.term.id)))
    return suggestions[: max(0, limit)]

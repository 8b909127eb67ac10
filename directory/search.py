"""Word stemming for the portable (SQLite) search paths; PostgreSQL's English stemmer does it
properly. The search itself is `publish.finder.search`, which the finder and the APIs share."""

from __future__ import annotations

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

"""ORUK 1.0 taxonomy ids: the ids we give our terms, and every form of id the clients send back.

ORUK 1.0 has no rule for term ids, and the feeds and finders in use disagree, so we answer in the
form each client reads and accept all of them:

- LGA service types (`esdServiceTypes`): the bare LGA code, e.g. `"731"`. The LGA Service Finder
  links each badge to `http://id.esd.org.uk/service/{id}` (`src/shared/components/Results/
  ServiceInfo.tsx`) and sends the LGA's own mapping identifiers as `taxonomy_id`
  (`src/shared/api/search.ts`); Open Place feeds answer with such codes. Our function terms keep
  their code, `function:<id>`.
- LGA needs and circumstances: `need:<code>` and `circumstance:<code>`, the ids ServiceFinder
  matches its personas against (`src/components/sections/Body/searchMethod/functions.js`) and
  asks for (`parent_id=circumstance:191` in `src/settings/settings.js`).
- Every other term: our own id (its UUID).

Accepted on the way in, for any vocabulary: our UUID; the forms above; a CURIE such as
`esdServiceType:242`, `esdNeed:69` or `<vocabulary>:<code>` and a URI such as
`http://id.esd.org.uk/service/1284` (all three appear in OpenReferralUK/human-services
`pages/Data/UseOfTaxonomies.md` and `pages/API/APIImplementation.md`); a bare code.
A vocabulary is named by its key (`esdServiceTypes`), our taxonomy's UUID, or its name.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import models

from directory.models import Taxonomy, TaxonomyTerm
from directory.taxonomies.identity import LGA_CIRCUMSTANCES, LGA_NEEDS, LGA_SERVICE_TYPES

# The prefix we write before a code, per vocabulary (none: the bare code).
ID_PREFIX = {LGA_SERVICE_TYPES: "", LGA_NEEDS: "need", LGA_CIRCUMSTANCES: "circumstance"}
# CURIE prefixes seen in the wild for our three LGA vocabularies.
PREFIX_VOCABULARY = {
    "esdservicetype": LGA_SERVICE_TYPES,
    "esdservicetypes": LGA_SERVICE_TYPES,
    "servicetype": LGA_SERVICE_TYPES,
    "service": LGA_SERVICE_TYPES,
    "esdneed": LGA_NEEDS,
    "esdneeds": LGA_NEEDS,
    "need": LGA_NEEDS,
    "esdcircumstance": LGA_CIRCUMSTANCES,
    "esdcircumstances": LGA_CIRCUMSTANCES,
    "circumstance": LGA_CIRCUMSTANCES,
}
_ESD_URI = re.compile(r"^https?://(?:beta\.)?id\.esd\.org\.uk/(service|need|circumstance)/(.+)$")


@dataclass(frozen=True)
class TaxonomyInfo:
    pk: uuid.UUID
    vocabulary: str
    name: str

    @property
    def label(self) -> str:
        """What 1.0 calls the vocabulary: our key, else our id for it."""
        return self.vocabulary or str(self.pk)


class Vocabularies:
    """Every taxonomy (a short reference table), read once per taxonomy version."""

    def __init__(self, version: str) -> None:
        key = f"publish:v1:taxonomies:{version}"
        rows = cache.get(key)
        if rows is None:
            rows = list(Taxonomy.objects.values_list("pk", "vocabulary", "name"))
            cache.set(key, rows, settings.PORTAL_API_MAX_AGE)
        self.by_pk = {pk: TaxonomyInfo(pk, vocabulary, name) for pk, vocabulary, name in rows}

    def label(self, taxonomy_id, fallback: str = "") -> str:
        info = self.by_pk.get(_as_uuid(taxonomy_id))
        return info.label if info else fallback

    def vocabulary_of(self, taxonomy_id) -> str:
        info = self.by_pk.get(_as_uuid(taxonomy_id))
        return info.vocabulary if info else ""

    def matching(self, name: str) -> list[TaxonomyInfo]:
        """The taxonomies a `vocabulary` parameter names (key, our id, or name)."""
        wanted = name.strip()
        as_uuid = _as_uuid(wanted)
        return [
            info
            for info in self.by_pk.values()
            if info.pk == as_uuid
            or (info.vocabulary and info.vocabulary.lower() == wanted.lower())
            or info.name.lower() == wanted.lower()
        ]


def term_id(vocabulary: str, code: str, pk) -> str:
    """The 1.0 id of a term (see the module docstring)."""
    if code and vocabulary in ID_PREFIX:
        prefix = ID_PREFIX[vocabulary]
        return f"{prefix}:{code}" if prefix else code
    return str(pk)


def _as_uuid(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


@dataclass(frozen=True)
class Candidate:
    """One reading of an id: a term by pk, by URI, or by (vocabulary, code)."""

    pk: uuid.UUID | None = None
    uri: str = ""
    vocabulary: str | None = None  # None: any vocabulary
    code: str = ""


def candidates(value: str) -> list[Candidate]:
    text = value.strip()
    found = [Candidate(code=text)] if text else []
    pk = _as_uuid(text)
    if pk is not None:
        return [Candidate(pk=pk)]
    esd = _ESD_URI.match(text)
    if esd:
        kind, code = esd.groups()
        found.append(Candidate(vocabulary=PREFIX_VOCABULARY[kind], code=code.strip("/")))
    if text.lower().startswith(("http://", "https://")):
        found.append(Candidate(uri=text))
    elif ":" in text:
        prefix, code = text.split(":", 1)
        vocabulary = PREFIX_VOCABULARY.get(prefix.lower(), prefix)
        found.append(Candidate(vocabulary=vocabulary, code=code))
    return found


def resolve(
    values: Iterable[str], vocabularies: Vocabularies, vocabulary: str | None = None
) -> dict[str, set[uuid.UUID]]:
    """Our term ids for each 1.0 id in `values` (within `vocabulary` if given), in one query.

    An id that matches nothing maps to an empty set: a finder may well ask for a service type
    this directory does not use, and that is an empty answer, not an error.
    """
    values = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    readings = {value: candidates(value) for value in values}
    condition = models.Q(pk__in=[])
    for reading in (c for cs in readings.values() for c in cs):
        if reading.pk:
            condition |= models.Q(pk=reading.pk)
        elif reading.uri:
            condition |= models.Q(term_uri=reading.uri)
        elif reading.code:
            condition |= models.Q(term=reading.code)
    rows = TaxonomyTerm.objects.filter(condition)
    if vocabulary:
        rows = rows.filter(vocabulary_scope(vocabularies, vocabulary))
    found = list(rows.values_list("pk", "term", "term_uri", "taxonomy_id", "taxonomy_label"))
    result: dict[str, set[uuid.UUID]] = {}
    for value, cs in readings.items():
        result[value] = set()
        for pk, code, uri, taxonomy_id, label in found:
            for c in cs:
                if (
                    (c.pk and c.pk == pk)
                    or (c.uri and c.uri == uri)
                    or (
                        c.code
                        and c.code == code
                        and _in_vocabulary(c.vocabulary, taxonomy_id, label, vocabularies)
                    )
                ):
                    result[value].add(pk)
    return result


def vocabulary_scope(vocabularies: Vocabularies, name: str) -> models.Q:
    """Terms of the taxonomies `name` names, and terms without a taxonomy whose free-text
    `taxonomy` (ORUK's label) is `name`, which is the vocabulary 1.0 shows for them."""
    return models.Q(taxonomy_id__in=[info.pk for info in vocabularies.matching(name)]) | models.Q(
        taxonomy__isnull=True, taxonomy_label__iexact=name.strip()
    )


def _in_vocabulary(
    vocabulary: str | None, taxonomy_id, label: str, vocabularies: Vocabularies
) -> bool:
    if vocabulary is None:
        return True
    if taxonomy_id is None:
        return label.lower() == vocabulary.strip().lower()
    return taxonomy_id in {info.pk for info in vocabularies.matching(vocabulary)}

"""The richness score: how complete a service's ORUK document is in what the people who use the
directory need, 0-100, with each missing part as something an editor can do ("Add the days and
times it runs: +15").

It reads the document only (`workflow.documents.current_document` for a record, a change
request's `proposed` for a proposal), so a record and a proposal being edited are scored alike.
Nothing here writes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from directory.oruk.closures import is_closure
from directory.taxonomies.identity import (
    LGA_SERVICE_TYPES,
    OPEN_ELIGIBILITY,
    ORUK_ELIGIBILITY,
    taxonomy_uuid,
)
from workflow.personal_data import scan
from workflow.tagging.classification import max_service_types

# Points per part; they add up to 100.
WEIGHTS: dict[str, int] = {
    "description": 25,
    "contact": 20,
    "schedule": 15,
    "location": 15,
    "taxonomy": 15,
    "eligibility": 10,
}
# A description this long earns full marks; a shorter one earns its share.
FULL_DESCRIPTION = 200
# Parts whose absence makes a record unusable, not just thinner: "missing required fields".
REQUIRED = frozenset({"description", "contact", "taxonomy"})
# Where each part is edited on a proposal's task list (`workflow.sections`). The service types
# section is the tagging screen's, when it is there.
SECTIONS: dict[str, str] = {
    "description": "details",
    "contact": "contacts",
    "schedule": "times",
    "location": "locations",
    "taxonomy": "tags",
    "eligibility": "eligibility",
}
_LGA_TAXONOMY_ID = str(taxonomy_uuid(LGA_SERVICE_TYPES))
_ELIGIBILITY_VOCABULARIES = frozenset({OPEN_ELIGIBILITY, ORUK_ELIGIBILITY})
_ELIGIBILITY_TAXONOMY_IDS = frozenset(str(taxonomy_uuid(v)) for v in _ELIGIBILITY_VOCABULARIES)
# Words that say who may use a service, as descriptions write it ("for adults aged 18 and
# over", "open to anyone", "by referral from a GP").
_ELIGIBILITY_WORDS = re.compile(
    r"\b(?:aged?\s+\d|ages\s+\d|\d+\s*(?:years?|yrs?)\s*(?:old|and\s+(?:over|under))|"
    r"(?:over|under)\s+\d|\d+\s*-\s*\d+\s*(?:years?|yrs?)|eligib\w*|open\s+to\s+(?:all|anyone|"
    r"everyone|any)|anyone\s+(?:can|who|living|aged)|who\s+(?:can|may)\s+(?:use|come|attend|"
    r"join)|(?:for|supports?|helps?)\s+(?:adults|children|young\s+people|older\s+people|"
    r"families|parents|carers|women|men|residents|people\s+(?:who|with|aged|living))|"
    r"referrals?\s+(?:from|by|only|needed|required))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Part:
    """One thing the score counts: how many of its `weight` points the document earns, and
    what would earn the rest."""

    key: str
    weight: int
    earned: int
    hint: str = ""
    # Given, but not earning its points (too many service types): thin, not missing.
    given: bool = False

    @property
    def missing_points(self) -> int:
        return self.weight - self.earned

    @property
    def is_missing(self) -> bool:
        return self.earned < self.weight

    @property
    def is_required(self) -> bool:
        return self.key in REQUIRED

    @property
    def is_lacking_required(self) -> bool:
        return self.is_required and self.earned == 0 and not self.given

    @property
    def section(self) -> str:
        return SECTIONS[self.key]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "hint": self.hint,
            "points": self.missing_points,
            "required": self.is_lacking_required,
        }


@dataclass(frozen=True)
class Score:
    value: int  # 0-100
    parts: tuple[Part, ...]
    personal_data_flags: int = 0

    @property
    def missing(self) -> list[Part]:
        """What would raise the score, the most points first."""
        return sorted(
            (p for p in self.parts if p.is_missing), key=lambda p: (-p.missing_points, p.key)
        )

    @property
    def missing_required(self) -> bool:
        return any(p.is_lacking_required for p in self.parts)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _items(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _schedules(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = _items(document.get("schedules"))
    for pairing in _items(document.get("service_at_locations")):
        found += _items(pairing.get("schedules"))
    return found


def _locations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        pairing["location"]
        for pairing in _items(document.get("service_at_locations"))
        if isinstance(pairing.get("location"), dict)
    ]


def _is_placed(location: dict[str, Any]) -> bool:
    """Can someone find it: a postcode, or coordinates?"""
    if location.get("latitude") not in (None, "") and location.get("longitude") not in (None, ""):
        return True
    return any(_text(a.get("postal_code")) for a in _items(location.get("addresses")))


def _has_contact_route(document: dict[str, Any]) -> bool:
    if _text(document.get("email")) or _text(document.get("url")):
        return True
    if any(_text(p.get("number")) for p in _items(document.get("phones"))):
        return True
    for contact in _items(document.get("contacts")):
        if _text(contact.get("email")) or _text(contact.get("url")):
            return True
        if any(_text(p.get("number")) for p in _items(contact.get("phones"))):
            return True
    return False


def _terms(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(term id, nested term or {}) for each attribute."""
    terms = []
    for attribute in _items(document.get("attributes")):
        term = attribute.get("taxonomy_term")
        term = term if isinstance(term, dict) else {}
        term_id = str(attribute.get("taxonomy_term_id") or term.get("id") or "")
        if term_id:
            terms.append((term_id, term))
    return terms


def _in_vocabulary(term: dict[str, Any], vocabularies: frozenset, taxonomy_ids: frozenset) -> bool:
    return term.get("taxonomy") in vocabularies or str(term.get("taxonomy_id")) in taxonomy_ids


def lga_term_ids(term_ids: Iterable[str]) -> set[str]:
    """Which of `term_ids` are LGA service types (one query): for attributes a proposal holds
    by id alone, without the nested term."""
    from directory.models import TaxonomyTerm

    ids = []
    for term_id in term_ids:
        try:
            ids.append(uuid.UUID(str(term_id)))
        except ValueError:
            continue  # not a term id at all, so not a service type
    if not ids:
        return set()
    rows = TaxonomyTerm.objects.filter(
        pk__in=ids, taxonomy__vocabulary=LGA_SERVICE_TYPES
    ).values_list("pk", flat=True)
    return {str(pk) for pk in rows}


def lga_taxonomy_ids() -> frozenset[str]:
    """The ids of the LGA service types taxonomy: the loaders' stable id, and any other the
    database holds under the vocabulary key (one query)."""
    from directory.models import Taxonomy

    rows = Taxonomy.objects.filter(vocabulary=LGA_SERVICE_TYPES).values_list("pk", flat=True)
    return frozenset({_LGA_TAXONOMY_ID, *(str(pk) for pk in rows)})


class ServiceTypes:
    """Tells which of a document's terms are LGA service types. A nested term says so by its
    taxonomy; a bare term id is looked up. Reads the taxonomy ids at most once, however many
    documents it is asked about (share one across a batch)."""

    def __init__(
        self,
        *,
        taxonomy_ids: frozenset[str] | None = None,
        resolve: Callable[[Iterable[str]], set[str]] = lga_term_ids,
    ) -> None:
        self._taxonomy_ids = taxonomy_ids
        self._resolve = resolve

    def taxonomy_ids(self) -> frozenset[str]:
        if self._taxonomy_ids is None:
            self._taxonomy_ids = lga_taxonomy_ids()
        return self._taxonomy_ids

    def count(self, document: dict[str, Any]) -> int:
        known, bare = set(), []
        for term_id, term in _terms(document):
            if not term:
                bare.append(term_id)
            elif term.get("taxonomy") == LGA_SERVICE_TYPES or (
                str(term.get("taxonomy_id")) in self.taxonomy_ids()
            ):
                known.add(term_id)
        if bare:
            known |= self._resolve(bare)
        return len(known)


def _points(weight: int) -> str:
    return f"+{weight}"


def _description_part(document: dict[str, Any]) -> Part:
    weight = WEIGHTS["description"]
    length = len(_text(document.get("description")))
    earned = weight * min(length, FULL_DESCRIPTION) // FULL_DESCRIPTION
    if earned == weight:
        return Part("description", weight, earned)
    if length == 0:
        hint = "Describe what the service does, who it is for and how to use it"
    else:
        hint = (
            f"Say more in the description: at least {FULL_DESCRIPTION} characters (it has {length})"
        )
    return Part("description", weight, earned, f"{hint}: {_points(weight - earned)}")


def _schedule_part(document: dict[str, Any]) -> Part:
    weight = WEIGHTS["schedule"]
    if any(not is_closure(s) for s in _schedules(document)):
        return Part("schedule", weight, weight)
    return Part("schedule", weight, 0, f"Add the days and times it runs: {_points(weight)}")


def _location_part(document: dict[str, Any]) -> Part:
    weight = WEIGHTS["location"]
    locations = _locations(document)
    if any(_is_placed(location) for location in locations):
        return Part("location", weight, weight)
    if locations:
        hint = "Add the postcode of where it runs"
    else:
        hint = "Add where it runs, with its postcode"
    return Part("location", weight, 0, f"{hint}: {_points(weight)}")


def _contact_part(document: dict[str, Any]) -> Part:
    weight = WEIGHTS["contact"]
    if _has_contact_route(document):
        return Part("contact", weight, weight)
    return Part(
        "contact",
        weight,
        0,
        f"Add a way to get in touch: a phone number, an email address or a website: "
        f"{_points(weight)}",
    )


def _eligibility_part(document: dict[str, Any]) -> Part:
    weight = WEIGHTS["eligibility"]
    ages = any(document.get(k) not in (None, "") for k in ("minimum_age", "maximum_age"))
    tagged = any(
        _in_vocabulary(term, _ELIGIBILITY_VOCABULARIES, _ELIGIBILITY_TAXONOMY_IDS)
        for _id, term in _terms(document)
    )
    words = bool(_ELIGIBILITY_WORDS.search(_text(document.get("description"))))
    if ages or tagged or words:
        return Part("eligibility", weight, weight)
    return Part(
        "eligibility",
        weight,
        0,
        f"Say who it is for: an age range, or who may use it in the description: {_points(weight)}",
    )


def _taxonomy_part(document: dict[str, Any], service_types: ServiceTypes) -> Part:
    weight = WEIGHTS["taxonomy"]
    count, limit = service_types.count(document), max_service_types()
    if 1 <= count <= limit:
        return Part("taxonomy", weight, weight)
    if count == 0:
        hint = "Choose the service type that describes it best"
    else:
        hint = (
            f"Keep to the {limit} service types that describe it best (it has {count}), so "
            "searches find it for what it really does"
        )
    return Part("taxonomy", weight, 0, f"{hint}: {_points(weight)}", given=count > 0)


def score_document(document: dict[str, Any], *, service_types: ServiceTypes | None = None) -> Score:
    """Score an ORUK service document. `service_types` tells which of its terms are LGA
    service types (by default a new lookup, which may ask the database)."""
    document = document if isinstance(document, dict) else {}
    parts = (
        _description_part(document),
        _contact_part(document),
        _schedule_part(document),
        _location_part(document),
        _taxonomy_part(document, service_types or ServiceTypes()),
        _eligibility_part(document),
    )
    return Score(
        value=sum(p.earned for p in parts),
        parts=parts,
        personal_data_flags=len(scan(document)),
    )

"""ORUK 1.0 from a published ORUK 3.0 document: one table of renderings, no record is read.

The 1.0 shape is the one the reference API sends (OpenReferralUK/human-services, `WebApp/src/main/
java/com/porism/servicedirectoryservice/models/Service.java` and the models it nests;
`utilities/ServiceSerializer.java` for the list items) and the two finders read
(OpenReferralUK/LGA-Service-Finder `src/shared/components/Types.d.ts`; OpenReferralUK/
ServiceFinder `src/components/shared/Elements/ResultModal/*.jsx`). Where 1.0 and 3.0 differ:

- arrays are always present, empty when there is nothing (the reference API sends them so, and
  ServiceFinder reads `service_at_locations.length`, `location.physical_addresses.length` and
  `contacts[].phones` without checking); scalar members with no value are left out, never null;
- 1.0 carries phones only on contacts: the service's own phones (an HSDS 3.0 extra) become one
  more contact without a name, so the finders show them;
- `service_taxonomys` are the service's taxonomy terms (3.0 `attributes`), with the 1.0 ids of
  `terms.py` and the vocabulary key; terms of the ORUK 1.0 enumerations we load
  (`orukAttendingType`, `orukAttendingAccess`, `orukDeliverableType`, `orukEligibility`) also
  fill `attending_type`, `attending_access`, `deliverable_type` and `eligibilitys[].eligibility`;
- `eligibilitys` carries the service's age range (where the 1.0 validator and finders look for
  `minimum_age`/`maximum_age`), with an id derived from the service's, stable across publishes;
- schedules: `opens_at`/`closes_at` as `HH:MM`, `interval` as a string (1.0 types), service
  schedules in `regular_schedules`, those of a location in `service_at_locations[]
  .regular_schedule` (the reference API's singular name);
- addresses: the physical ones become `location.physical_addresses`; postal and virtual ones
  have no place in the 1.0 service;
- cost `amount` is a string in 1.0; organization `website` is `url`; a language is its code
  (ISO 639-1, as 1.0 asks) or else its name; accessibility is `details` (with the 1.0
  `accessibility` code only when ours is one of its enumeration).
"""

from __future__ import annotations

import decimal
import json
import uuid
from collections.abc import Callable

from directory.taxonomies.identity import (
    ORUK_ATTENDING_ACCESS,
    ORUK_ATTENDING_TYPE,
    ORUK_DELIVERABLE_TYPE,
    ORUK_ELIGIBILITY,
)

from . import schema
from .terms import Vocabularies, term_id

# Members of a list item whatever `include` says (`ServiceSerializer.initialize`).
BASIC = (
    "id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees",
    "accreditations",
    "deliverable_type",
    "attending_type",
    "attending_access",
    "assured_date",
    "organization",
)
COLLECTIONS = tuple(schema.COLLECTIONS)
DERIVED_NAMESPACE = uuid.UUID("0b5e6c1e-3d43-4f55-9a55-2a6f3c0f1d01")

# ORUK 1.0 enumeration vocabularies → the service member a term of theirs fills.
ENUMERATION_MEMBERS = {
    ORUK_ATTENDING_TYPE: ("attending_type", schema.ATTENDING_TYPES),
    ORUK_ATTENDING_ACCESS: ("attending_access", schema.ATTENDING_ACCESS),
    ORUK_DELIVERABLE_TYPE: ("deliverable_type", schema.DELIVERABLE_TYPES),
}


def derived_id(parent_id: str, what: str) -> str:
    """A stable id for a 1.0 object we make up from a 3.0 one (eligibility, phone contact)."""
    return str(uuid.uuid5(DERIVED_NAMESPACE, f"{parent_id}:{what}"))


def _put(target: dict, key: str, value) -> None:
    if value not in (None, "", [], {}):
        target[key] = value


def _copy(source: dict, keys: tuple[str, ...], target: dict | None = None) -> dict:
    target = {} if target is None else target
    for key in keys:
        _put(target, key, source.get(key))
    return target


def _hh_mm(value) -> str | None:
    return value[:5] if isinstance(value, str) and len(value) >= 5 else None


def _date(value) -> str | None:
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _text_number(value) -> str | None:
    if value is None or value == "":
        return None
    number = decimal.Decimal(str(value))
    return (
        str(number.quantize(decimal.Decimal(1))) if number == number.to_integral() else str(value)
    )


def _money(value) -> str | None:
    """An amount as 1.0's text: whole pounds bare, else pence shown (3.5 → "3.50")."""
    if value is None or value == "":
        return None
    number = decimal.Decimal(str(value))
    if number == number.to_integral():
        return str(number.quantize(decimal.Decimal(1)))
    return str(number.quantize(decimal.Decimal("0.01")))


def organization(org: dict) -> dict:
    out = _copy(org, ("id", "name", "description", "email"))
    _put(out, "url", org.get("website") or org.get("url"))
    return _copy(org, ("logo", "uri"), out)


def regular_schedule(item: dict) -> dict:
    out = {"id": item["id"]}
    _put(out, "opens_at", _hh_mm(item.get("opens_at")))
    _put(out, "closes_at", _hh_mm(item.get("closes_at")))
    _put(out, "valid_from", _date(item.get("valid_from")))
    _put(out, "valid_to", _date(item.get("valid_to")))
    _put(out, "dtstart", item.get("dtstart"))
    if item.get("freq") in ("WEEKLY", "MONTHLY"):
        out["freq"] = item["freq"]
    _put(out, "interval", _text_number(item.get("interval")))
    _put(out, "byday", item.get("byday"))
    if item.get("bymonthday") not in (None, ""):
        out["bymonthday"] = str(item["bymonthday"])
    _put(out, "description", item.get("description"))
    return out


def physical_address(address: dict) -> dict:
    return _copy(
        address,
        ("id", "address_1", "address_2", "city", "state_province", "postal_code", "country"),
    )


def accessibility(item: dict) -> dict:
    out = {"id": item["id"]}
    code = (item.get("accessibility") or "").strip().lower()
    if code in schema.ACCESSIBILITIES:
        out["accessibility"] = code
    parts = [item.get("description"), item.get("details")]
    _put(out, "details", ": ".join(p for p in parts if p))
    return out


def location(loc: dict) -> dict:
    out = _copy(loc, ("id", "name", "description", "latitude", "longitude"))
    out["physical_addresses"] = [
        physical_address(a)
        for a in loc.get("addresses", [])
        if a.get("address_type", "physical") == "physical"
    ]
    out["accessibility_for_disabilities"] = [accessibility(a) for a in loc.get("accessibility", [])]
    return out


def service_at_location(sal: dict) -> dict:
    return {
        "id": sal["id"],
        "location": location(sal.get("location") or {"id": sal.get("location_id", sal["id"])}),
        "regular_schedule": [regular_schedule(s) for s in sal.get("schedules", [])],
    }


def phone(item: dict) -> dict:
    return {"id": item["id"], "number": item.get("number", "")}


def contact(item: dict) -> dict:
    out = _copy(item, ("id", "name", "title", "email"))
    out["phones"] = [phone(p) for p in item.get("phones", []) if p.get("number")]
    return out


def cost_option(item: dict) -> dict:
    out = {"id": item["id"]}
    _put(out, "valid_from", _date(item.get("valid_from")))
    _put(out, "valid_to", _date(item.get("valid_to")))
    _put(out, "option", item.get("option"))
    _put(out, "amount", _money(item.get("amount")))
    return _copy(item, ("amount_description",), out)


def service_area(item: dict) -> dict:
    out = _copy(item, ("id", "service_area", "name", "extent", "uri"))
    _put(out, "type", item.get("extent_type"))
    return out


def language(item: dict) -> dict:
    out = {"id": item["id"]}
    _put(out, "language", item.get("code") or item.get("name"))
    return out


class ServiceRenderer:
    """Renders stored 3.0 service documents as 1.0 services, for one request."""

    def __init__(self, vocabularies: Vocabularies) -> None:
        self.vocabularies = vocabularies

    def taxonomy(self, term: dict) -> dict:
        vocabulary_key = self.vocabularies.vocabulary_of(term.get("taxonomy_id"))
        out = {
            "id": term_id(vocabulary_key, term.get("term", ""), term["id"]),
            "name": term.get("name", ""),
        }
        _put(
            out,
            "vocabulary",
            self.vocabularies.label(term.get("taxonomy_id"), term.get("taxonomy", "")),
        )
        return out

    def collections(self, doc: dict) -> dict[str, Callable[[], list]]:
        """Each 1.0 collection as a thunk, so a list item renders only what `include` asks."""
        terms = [a for a in doc.get("attributes", []) if a.get("taxonomy_term")]

        def contacts() -> list:
            out = [contact(c) for c in doc.get("contacts", [])]
            phones = [phone(p) for p in doc.get("phones", []) if p.get("number")]
            if phones:
                out.append({"id": derived_id(doc["id"], "phones"), "phones": phones})
            return out

        def eligibilitys() -> list:
            ages = {}
            for key in ("minimum_age", "maximum_age"):
                _put(ages, key, doc.get(key))
            kinds = [
                (a["id"], a["taxonomy_term"].get("term", ""))
                for a in terms
                if self._vocabulary(a) == ORUK_ELIGIBILITY
            ]
            kinds = [(pk, code) for pk, code in kinds if code in schema.ELIGIBILITIES]
            if kinds:
                return [{"id": pk, "eligibility": code, **ages} for pk, code in kinds]
            return [{"id": derived_id(doc["id"], "eligibility"), **ages}] if ages else []

        return {
            "service_taxonomys": lambda: [
                {"id": a["id"], "taxonomy": self.taxonomy(a["taxonomy_term"])} for a in terms
            ],
            "service_at_locations": lambda: [
                service_at_location(s) for s in doc.get("service_at_locations", [])
            ],
            "contacts": contacts,
            "regular_schedules": lambda: [regular_schedule(s) for s in doc.get("schedules", [])],
            "holiday_schedules": list,
            "fundings": lambda: [_copy(f, ("id", "source")) for f in doc.get("funding", [])],
            "eligibilitys": eligibilitys,
            "service_areas": lambda: [service_area(a) for a in doc.get("service_areas", [])],
            "languages": lambda: [language(lang) for lang in doc.get("languages", [])],
            "cost_options": lambda: [cost_option(c) for c in doc.get("cost_options", [])],
            "reviews": list,
        }

    def _vocabulary(self, attribute: dict) -> str:
        term = attribute["taxonomy_term"]
        return self.vocabularies.vocabulary_of(term.get("taxonomy_id")) or term.get("taxonomy", "")

    def service(self, doc: dict, include: frozenset[str] | None = None) -> dict:
        """The 1.0 service; `include=None` is the full `/services/{id}` document."""
        out = _copy(doc, ("id", "name", "description", "url", "email", "status", "fees"))
        _copy(doc, ("accreditations",), out)
        for attribute in doc.get("attributes", []):
            if not attribute.get("taxonomy_term"):
                continue
            member = ENUMERATION_MEMBERS.get(self._vocabulary(attribute))
            code = attribute["taxonomy_term"].get("term", "")
            if member and code in member[1] and member[0] not in out:
                out[member[0]] = code
        _put(out, "assured_date", _date(doc.get("assured_date")))
        out["organization"] = organization(doc.get("organization") or {})
        for name, render in self.collections(doc).items():
            if include is None or name in include:
                out[name] = render()
        return out

    def service_text(self, text: str, include: frozenset[str] | None = None) -> str:
        return json.dumps(self.service(json.loads(text), include), ensure_ascii=False)

"""ORUK 1.0 -> records: each 1.0 service becomes an ORUK 3.0 document that `load.py` imports.

ORUK 1.0 is the LGA-extended HSDS 1.x of OpenReferralUK/human-services (its data package and
`Schemas/service.schema.verbose.json`), as Porism's ServiceDirectoryService and most council
directories publish it: `/services/{id}` nests the organization, `service_at_locations` (each
with its `location`, `physical_addresses` and `regular_schedule`), `contacts` with `phones`,
`regular_schedules`, `eligibilitys`, `languages`, `cost_options`, `fundings`, `service_areas` and
`service_taxonomys`. Both spellings the publishers use are read (`eligibilitys`/`eligibilities`,
`service_taxonomys`/`service_taxonomies`, `regular_schedule`/`regular_schedules`, `fundings`/
`funding`), and `null` means "not given".

The conversion produces the same ORUK 3.0 document a 3.0 feed would send, so one loader checks
and writes both (all or nothing, every problem named). Problems are reported in the 1.0
document's own ids and paths (`Prepared.locate`). Where 1.0 differs:

- ids that are not UUIDs ("123") become `uuid5(NAMESPACE, [source, entity, id])`, the source being
  the API's base URL or `--source-name`, so a re-import updates the same records; UUID ids are
  kept; an item without an id takes one derived from its parent's and its position;
- taxonomy terms (`service_taxonomys`, eligibility `taxonomys`) are looked up in the taxonomies we
  hold by vocabulary and code (`esdServiceTypes` 651, `esdNeeds:debt`, or the term's URI); a term
  we do not hold is a problem. `attending_type`, `attending_access`, `deliverable_type` and
  `eligibility` are terms of the ORUK 1.0 enumerations (`load_taxonomies`, oruk-enumerations);
- eligibility ages become the service's age range (the youngest minimum, the oldest maximum);
- a schedule listed both under the service and under its service_at_location is kept once, at
  the location; a location without coordinates gets them from its first UK postcode;
- `holiday_schedules`, `reviews`, `alternate_name` and the other HSDS 1.x fields ORUK 3.0 dropped
  are not imported; a missing `status` is `active`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from directory import models as m
from directory.taxonomies.identity import (
    LGA_CIRCUMSTANCES,
    LGA_FUNCTIONS,
    LGA_NEEDS,
    LGA_SERVICE_TYPES,
    OPEN_ELIGIBILITY,
    OPENACTIVE_ACCESSIBILITY,
    OPENACTIVE_ACTIVITIES,
    ORUK_ATTENDING_ACCESS,
    ORUK_ATTENDING_TYPE,
    ORUK_DELIVERABLE_TYPE,
    ORUK_ELIGIBILITY,
)

from .load import ImportReport, Prepared, ProgressBar, import_documents

ORUK1 = "oruk1"
ORUK3 = "oruk3"

# The namespace of the ids we derive for ORUK 1.0 records (never change it: ids would move).
NAMESPACE = uuid.UUID("0b7c3d1e-6a55-4f0e-8d4b-2e9a7c1f5d36")

# Keys only an ORUK 1.0 service has, and keys only an ORUK 3.0 one has.
ORUK1_KEYS = frozenset(
    {
        "service_taxonomys",
        "service_taxonomies",
        "regular_schedules",
        "holiday_schedules",
        "eligibilitys",
        "eligibilities",
        "fundings",
        "reviews",
        "attending_type",
        "attending_access",
        "deliverable_type",
        "link_eligibilities",
    }
)
ORUK3_KEYS = frozenset(
    {
        "schedules",
        "attributes",
        "last_modified",
        "organization_id",
        "funding",
        "assurer_email",
        "alert",
        "additional_urls",
        "phones",
    }
)

# Vocabulary names publishers use for the taxonomies we hold, normalised by `_key`.
VOCABULARY_ALIASES = {
    "lgaservicetypes": LGA_SERVICE_TYPES,
    "esdservices": LGA_SERVICE_TYPES,
    "lgaservices": LGA_SERVICE_TYPES,
    "lganeeds": LGA_NEEDS,
    "lgacircumstances": LGA_CIRCUMSTANCES,
    "openactive": OPENACTIVE_ACTIVITIES,
}
KNOWN_VOCABULARIES = (
    LGA_SERVICE_TYPES,
    LGA_FUNCTIONS,
    LGA_NEEDS,
    LGA_CIRCUMSTANCES,
    OPENACTIVE_ACTIVITIES,
    OPENACTIVE_ACCESSIBILITY,
    OPEN_ELIGIBILITY,
    ORUK_ATTENDING_TYPE,
    ORUK_ATTENDING_ACCESS,
    ORUK_ELIGIBILITY,
    ORUK_DELIVERABLE_TYPE,
)
# Service fields whose values are terms of an ORUK 1.0 enumeration.
ENUMERATED_FIELDS = (
    ("attending_type", ORUK_ATTENDING_TYPE, "attending type"),
    ("attending_access", ORUK_ATTENDING_ACCESS, "attending access"),
    ("deliverable_type", ORUK_DELIVERABLE_TYPE, "deliverable type"),
)

UK_COUNTRY_NAMES = frozenset(
    {
        "gb",
        "uk",
        "gbr",
        "unitedkingdom",
        "greatbritain",
        "britain",
        "england",
        "scotland",
        "wales",
        "northernireland",
    }
)
DAY_CODES = {
    "monday": "MO",
    "mon": "MO",
    "tuesday": "TU",
    "tue": "TU",
    "tues": "TU",
    "wednesday": "WE",
    "wed": "WE",
    "thursday": "TH",
    "thu": "TH",
    "thur": "TH",
    "thurs": "TH",
    "friday": "FR",
    "fri": "FR",
    "saturday": "SA",
    "sat": "SA",
    "sunday": "SU",
    "sun": "SU",
}
ISO_WEEKDAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
PHONE_TYPES = {"mobile": "cell", "landline": "voice", "telephone": "voice", "minicom": "textphone"}
SERVICE_STATUSES = {"temporarilyclosed": "temporarily closed"}
_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{2,4})?$")
_DAY = re.compile(r"^([+-]?\d{1,2})?([A-Z]+)$")


class SourceNameNeeded(Exception):
    """ORUK 1.0 ids that are not UUIDs, but no source to derive stable UUIDs from."""

    def __init__(self, entity: str, value: str) -> None:
        super().__init__(
            f"The ORUK 1.0 records have ids that are not UUIDs ({entity} {value!r}). Name the "
            "directory they come from with --source-name (say its API address, or a short name "
            "like hull-fis): their UUIDs are derived from it, so that importing the same "
            "directory again updates the same records instead of adding copies."
        )


def source_key(name: str) -> str:
    """The source part of derived ids: an address without its trailing slash, case of host."""
    text = name.strip()
    match = re.match(r"^(https?)://([^/?#]+)([^?#]*)", text, flags=re.IGNORECASE)
    if match:
        scheme, host, path = match.groups()
        return f"{scheme.lower()}://{host.lower()}{path.rstrip('/')}"
    return text


# --- recognising ORUK 1.0 ----------------------------------------------------------------------


def dialect_of(doc: Any) -> str | None:
    """ORUK1 or ORUK3 when the fields of `doc` (a service) say which, else None."""
    if not isinstance(doc, dict):
        return None
    keys = doc.keys()
    if keys & ORUK1_KEYS:
        return ORUK1
    for pairing in _items(doc.get("service_at_locations")):
        location = pairing.get("location") if isinstance(pairing.get("location"), dict) else {}
        if "regular_schedule" in pairing or "physical_addresses" in location:
            return ORUK1
        if "schedules" in pairing or "addresses" in location:
            return ORUK3
    if keys & ORUK3_KEYS:
        return ORUK3
    return None


def detect_dialect(documents: Callable[[], Iterable[Any]], *, look_at: int = 50) -> str:
    """The dialect of a stream of documents, from the first that tells; ORUK 3.0 by default."""
    stream = iter(documents())
    try:
        for doc in islice(stream, look_at):
            found = dialect_of(doc)
            if found:
                return found
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return ORUK3


# --- small readers of 1.0 values ---------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _items(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _id_text(value: Any) -> str:
    """An id as text ("123" or 123); "" when there is none or it is not a scalar."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | str):
        return str(value).strip()
    return ""


def _text(value: Any) -> Any:
    """Text as it is; numbers as text (1.0 tabular numbers, e.g. a phone extension)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def _date(value: Any) -> Any:
    """A date from YYYY-MM-DD, an ISO date-time (Porism's timestamps) or epoch milliseconds;
    anything else is passed on for the loader to name."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return value
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}([T ].*)?$", value.strip()):
        return value.strip()[:10]
    return value


def _number(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().removeprefix("£").replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


def _whole_number(value: Any) -> Any:
    number = _number(value)
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _url(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        return "https://" + text if text.lower().startswith("www.") else text
    return value


def _country(value: Any, postal_code: Any) -> Any:
    if value is None or value == "":
        return "GB" if _is_uk_postcode(postal_code) else value
    if isinstance(value, str):
        if _key(value) in UK_COUNTRY_NAMES:
            return "GB"
        if re.fullmatch(r"[A-Za-z]{2}", value.strip()):
            return value.strip().upper()
    return value


def _is_uk_postcode(value: Any) -> bool:
    from directory.geo import InvalidPostcode, normalise_postcode

    if not isinstance(value, str):
        return False
    try:
        normalise_postcode(value)
    except InvalidPostcode:
        return False
    return True


def _byday(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    codes = []
    for part in re.split(r"[,;\s]+", value.strip()):
        if not part:
            continue
        match = _DAY.match(part.upper())
        if not match:
            return value
        ordinal, day = match.groups()
        day = DAY_CODES.get(day.lower(), day)
        codes.append(f"{ordinal or ''}{day}")
    return ",".join(codes)


def _weekday(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return ISO_WEEKDAYS.get(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return ISO_WEEKDAYS.get(int(text))
        return DAY_CODES.get(text.lower()) or (
            text.upper() if text.upper() in ISO_WEEKDAYS.values() else None
        )
    return None


def _language(value: str) -> dict[str, str]:
    text = value.strip()
    if _LANGUAGE_CODE.match(text) and text.lower() != "eng":
        return {"code": text.lower()}
    return {"name": text}


# --- converting one service --------------------------------------------------------------------


class _Doc:
    """What converting one 1.0 service found: its problems and where each 3.0 object came from."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []
        self.trail: dict[str, tuple[str, dict[str, str]]] = {"": ("", {})}

    def problem(self, path: str, message: str) -> None:
        self.problems.append((path.rstrip("/"), message))

    def came_from(self, target: str, source: str, renames: dict[str, str] | None = None) -> None:
        self.trail[target.rstrip("/")] = (source.rstrip("/"), renames or {})

    def locate(self, path: str) -> str:
        """The 1.0 path of an ORUK 3.0 path: the nearest mapped object, then the field."""
        parts = path.split("/") if path else []
        for size in range(len(parts), -1, -1):
            prefix = "/".join(parts[:size])
            if prefix in self.trail:
                source, renames = self.trail[prefix]
                rest = parts[size:]
                if rest:
                    rest = [renames.get(rest[0], rest[0]), *rest[1:]]
                return "/".join(p for p in (source, *rest) if p)
        return path


class Converter:
    """Turns ORUK 1.0 services into ORUK 3.0 documents (`Prepared`), one at a time.

    `source`: the key derived ids are made from (see `source_key`); None refuses ids that are
    not UUIDs (`SourceNameNeeded`). `partial`: the services are list items, which may leave out
    the arrays of a full service.
    """

    def __init__(self, *, source: str | None, partial: bool = False) -> None:
        self.source = source_key(source) if source else None
        self.partial = partial
        self._vocabularies: dict[str, str] | None = None
        self._taxonomy_names: dict[str, str] = {}
        self._terms: dict[tuple[str, str], uuid.UUID | None] = {}
        self._enumerations: dict[str, dict[str, uuid.UUID]] = {}

    # ids

    def derive(self, entity: str, value: str) -> str:
        if self.source is None:
            raise SourceNameNeeded(entity, value)
        return str(uuid.uuid5(NAMESPACE, json.dumps([self.source, entity, value])))

    def record_id(
        self, raw: Any, entity: str, path: str, doc: _Doc, *, parent: str = "", part: str = ""
    ) -> str | None:
        """The UUID of a 1.0 record: its own if it is one, else derived from the source and its
        id; an item without an id (given `parent`) gets one derived from its parent's."""
        text = _id_text(raw)
        if not text:
            if parent:
                return str(uuid.uuid5(NAMESPACE, json.dumps([parent, entity, part])))
            doc.problem(path + "id", "is required")
            return None
        try:
            return str(uuid.UUID(text))
        except ValueError:
            return self.derive(entity, text)

    # the document

    def prepare(self, raw: Any) -> Prepared:
        doc = _Doc()
        if not isinstance(raw, dict):
            doc.problem("", "is not an ORUK 1.0 service (a JSON object)")
            return Prepared(None, "?", doc.problems, doc.locate)
        record_id = _id_text(raw.get("id")) or "?"
        service = self.service(raw, doc)
        return Prepared(service, record_id, doc.problems, doc.locate)

    def service(self, raw: dict, doc: _Doc) -> dict | None:
        service_id = self.record_id(raw.get("id"), "service", "", doc)
        if service_id is None:
            return None
        out: dict[str, Any] = {"id": service_id}
        for key in ("name", "description", "email", "fees", "accreditations"):
            if _given(raw.get(key)):
                out[key] = _text(raw[key])
        if _given(raw.get("url")):
            out["url"] = _url(raw["url"])
        status = raw.get("status")
        if _given(status) and isinstance(status, str):
            status = SERVICE_STATUSES.get(_key(status), status.strip().lower())
        out["status"] = status if _given(status) else m.ServiceStatus.ACTIVE
        if _given(raw.get("assured_date")):
            out["assured_date"] = _date(raw["assured_date"])

        renames = {"organization_id": "organization/id"}
        doc.came_from("", "", renames)
        organization = raw.get("organization")
        if isinstance(organization, dict):
            out["organization"] = self.organization(organization, doc)
        elif _given(organization):
            doc.problem("organization", "must be an object")
        else:
            doc.problem(
                "organization", "is required: every ORUK 1.0 service names its organisation"
            )

        attributes: list[dict] = []
        seen_terms: set[tuple[str, str]] = set()

        def tag(term_id: uuid.UUID, link_type: str, attribute_id: str, source: str) -> None:
            if (str(term_id), link_type) in seen_terms:
                return
            seen_terms.add((str(term_id), link_type))
            doc.came_from(f"attributes/{len(attributes)}", source, {"taxonomy_term_id": "id"})
            attribute = {"id": attribute_id, "taxonomy_term_id": str(term_id)}
            if link_type:
                attribute["link_type"] = link_type
            attributes.append(attribute)

        self.eligibility(raw, out, doc, service_id, tag, renames)
        for key, vocabulary, label in ENUMERATED_FIELDS:
            for code, term_id in self.enumerated(raw.get(key), vocabulary, label, key, doc):
                attribute_id = str(uuid.uuid5(NAMESPACE, json.dumps([service_id, key, code])))
                tag(term_id, "", attribute_id, key)
        taxonomies_key = next(
            (k for k in ("service_taxonomys", "service_taxonomies") if k in raw), ""
        )
        for i, link in enumerate(_items(raw.get(taxonomies_key))):
            path = f"{taxonomies_key}/{i}/"
            taxonomy = link.get("taxonomy")
            if not isinstance(taxonomy, dict):  # the flat tabular form: taxonomy_id, vocabulary
                taxonomy = {"id": link.get("taxonomy_id"), "vocabulary": link.get("vocabulary")}
                where = path
            else:
                where = path + "taxonomy/"
            found = self.term(taxonomy, where, doc)
            if found is None:
                continue
            vocabulary, code, term_id = found
            attribute_id = self.record_id(
                link.get("id"),
                "service_taxonomy",
                path,
                doc,
                parent=service_id,
                part=f"{vocabulary}:{code}",
            )
            tag(term_id, "", attribute_id, path)
        if not self.partial or (taxonomies_key and self._eligibility_key(raw)):
            out["attributes"] = attributes

        self.locations_and_schedules(raw, out, doc, service_id)
        self.contacts(raw, out, doc, service_id)
        self.simple_arrays(raw, out, doc, service_id)
        return out

    def organization(self, raw: dict, doc: _Doc) -> dict | None:
        organization_id = self.record_id(raw.get("id"), "organization", "organization/", doc)
        if organization_id is None:
            return None
        doc.came_from("organization", "organization", {"website": "url"})
        out: dict[str, Any] = {"id": organization_id}
        for key in ("name", "email", "logo"):
            if _given(raw.get(key)):
                out[key] = _text(raw[key])
        # ORUK 3.0 requires a description; 1.0 publishers often leave it empty.
        out["description"] = _text(raw.get("description")) or ""
        if _given(raw.get("url")):
            out["website"] = _url(raw["url"])
        if _given(raw.get("uri")):
            out["uri"] = _url(raw["uri"])
        return out

    # eligibility and taxonomy terms

    @staticmethod
    def _eligibility_key(raw: dict) -> str:
        return next((k for k in ("eligibilitys", "eligibilities") if k in raw), "")

    def eligibility(self, raw: dict, out: dict, doc: _Doc, service_id: str, tag, renames) -> None:
        key = self._eligibility_key(raw)
        if not key:
            if self.partial:  # a list item without its eligibility keeps the ages we hold
                ages = m.Service.objects.filter(pk=service_id).values("minimum_age", "maximum_age")
                for name, value in (ages[0] if ages else {}).items():
                    if value is not None:
                        out[name] = float(value)
            return
        youngest: tuple[Any, str] | None = None
        oldest: tuple[Any, str] | None = None
        open_ended = False
        for i, item in enumerate(_items(raw.get(key))):
            path = f"{key}/{i}/"
            eligibility_id = _id_text(item.get("id"))
            low, high = _number(item.get("minimum_age")), _number(item.get("maximum_age"))
            if _given(low):
                if not isinstance(low, int | float) or isinstance(low, bool):
                    doc.problem(path + "minimum_age", "must be a number")
                elif youngest is None or low < youngest[0]:
                    youngest = (low, path + "minimum_age")
            if _given(high):
                if not isinstance(high, int | float) or isinstance(high, bool):
                    doc.problem(path + "maximum_age", "must be a number")
                elif oldest is None or high > oldest[0]:
                    oldest = (high, path + "maximum_age")
            elif _given(low):
                open_ended = True  # no upper age for this group: none for the service
            for code, term_id in self.enumerated(
                item.get("eligibility"), ORUK_ELIGIBILITY, "eligibility", path + "eligibility", doc
            ):
                attribute_id = str(
                    uuid.uuid5(NAMESPACE, json.dumps([service_id, "eligibility", code]))
                )
                tag(term_id, "eligibility", attribute_id, path + "eligibility")
            for j, taxonomy in enumerate(_items(item.get("taxonomys") or item.get("taxonomies"))):
                where = f"{path}{'taxonomys' if 'taxonomys' in item else 'taxonomies'}/{j}/"
                found = self.term(taxonomy, where, doc)
                if found is None:
                    continue
                vocabulary, code, term_id = found
                part = f"{eligibility_id}:{vocabulary}:{code}"
                attribute_id = str(
                    uuid.uuid5(NAMESPACE, json.dumps([service_id, "eligibility", part]))
                )
                tag(term_id, "eligibility", attribute_id, where)
        if youngest is not None:
            out["minimum_age"], renames["minimum_age"] = youngest
        if oldest is not None and not open_ended:
            out["maximum_age"], renames["maximum_age"] = oldest

    def vocabulary(self, name: str) -> str | None:
        """Our vocabulary key for a publisher's vocabulary name (case and punctuation aside)."""
        if self._vocabularies is None:
            self._vocabularies = {_key(v): v for v in KNOWN_VOCABULARIES}
            self._vocabularies.update(VOCABULARY_ALIASES)
            for vocabulary, taxonomy_name in m.Taxonomy.objects.exclude(vocabulary="").values_list(
                "vocabulary", "name"
            ):
                self._vocabularies[_key(vocabulary)] = vocabulary
                self._vocabularies.setdefault(_key(taxonomy_name), vocabulary)
                self._taxonomy_names[vocabulary] = taxonomy_name
        return self._vocabularies.get(_key(name)) if name else None

    def lookup(self, vocabulary: str, code: str, uri: str) -> uuid.UUID | None:
        key = (vocabulary, code)
        if key not in self._terms:
            terms = m.TaxonomyTerm.objects.filter(taxonomy__vocabulary=vocabulary)
            found = terms.filter(term=code).values_list("pk", flat=True).first()
            if found is None and uri.startswith(("http://", "https://")):
                found = terms.filter(term_uri=uri).values_list("pk", flat=True).first()
                if found is None:  # http://id.esd.org.uk/service/651 -> 651
                    tail = uri.rstrip("/").rpartition("/")[2]
                    found = terms.filter(term=tail).values_list("pk", flat=True).first()
            self._terms[key] = found
        return self._terms[key]

    def term(self, raw: dict, path: str, doc: _Doc) -> tuple[str, str, uuid.UUID] | None:
        """(vocabulary, code, our term's id) of a 1.0 taxonomy object, or None and a problem."""
        code = _id_text(raw.get("id"))
        if not code:
            doc.problem(path + "id", "is required")
            return None
        given = raw.get("vocabulary")
        vocabulary = None
        if _given(given):
            vocabulary = self.vocabulary(str(given))
            if vocabulary is None:
                doc.problem(
                    path + "vocabulary",
                    f"{given!r} is not a taxonomy we hold; we hold {', '.join(self._held())}",
                )
                return None
        prefix, colon, rest = code.partition(":")
        if colon and not code.lower().startswith(("http:", "https:")):
            named = self.vocabulary(prefix)  # a CURIE: esdServiceTypes:651
            if named and vocabulary in (None, named):
                vocabulary, code = named, rest
        if vocabulary is None:
            doc.problem(
                path + "vocabulary",
                "is required: say which taxonomy the term is from (esdServiceTypes, esdNeeds, "
                "esdCircumstances, ...)",
            )
            return None
        term_id = self.lookup(vocabulary, code, _id_text(raw.get("id")))
        if term_id is None:
            name = raw.get("name")
            named = f" ({name})" if isinstance(name, str) and name else ""
            held = self._taxonomy_names.get(vocabulary)
            if (
                held is None
                or not m.TaxonomyTerm.objects.filter(taxonomy__vocabulary=vocabulary).exists()
            ):
                hint = " We hold no terms of it: load it with manage.py load_taxonomies."
                if vocabulary in (LGA_NEEDS, LGA_CIRCUMSTANCES):
                    hint = " We hold no terms of it: load them with manage.py import_needs_mapping."
            else:
                hint = ""
            doc.problem(
                path + "id",
                f"{vocabulary} term {code!r}{named} is not in our {held or vocabulary}.{hint}",
            )
            return None
        return vocabulary, code, term_id

    def _held(self) -> list[str]:
        self.vocabulary("")
        return sorted(self._taxonomy_names) or ["no taxonomies yet (manage.py load_taxonomies)"]

    def enumerated(
        self, value: Any, vocabulary: str, label: str, path: str, doc: _Doc
    ) -> list[tuple[str, uuid.UUID]]:
        """The terms of an ORUK 1.0 enumeration that `value` names (commas separate several)."""
        if not _given(value):
            return []
        if not isinstance(value, str):
            doc.problem(path, "must be text")
            return []
        if vocabulary not in self._enumerations:
            self._enumerations[vocabulary] = {
                _key(code): pk
                for pk, code in m.TaxonomyTerm.objects.filter(
                    taxonomy__vocabulary=vocabulary
                ).values_list("pk", "term")
            }
        known = self._enumerations[vocabulary]
        found = []
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            term_id = known.get(_key(part))
            if term_id is None:
                codes = m.TaxonomyTerm.objects.filter(taxonomy__vocabulary=vocabulary)
                listed = ", ".join(codes.order_by("term").values_list("term", flat=True))
                doc.problem(
                    path,
                    f"{part!r} is not an ORUK 1.0 {label}; "
                    + (
                        f"use one of: {listed}"
                        if listed
                        else "we hold no terms of it: load them with "
                        "manage.py load_taxonomies --only oruk-enumerations"
                    ),
                )
                continue
            found.append((_key(part), term_id))
        return found

    # locations and schedules

    def locations_and_schedules(self, raw: dict, out: dict, doc: _Doc, service_id: str) -> None:
        pairings: list[dict] = []
        by_source_id: dict[str, tuple[int, dict]] = {}
        placed: set[str] = set()  # schedule ids already under a pairing
        if "service_at_locations" in raw:
            for i, item in enumerate(_items(raw.get("service_at_locations"))):
                path = f"service_at_locations/{i}/"
                target = f"service_at_locations/{len(pairings)}/"
                pairing = self.pairing(item, path, target, doc, service_id, placed)
                if pairing is not None:
                    by_source_id[_id_text(item.get("id"))] = (len(pairings), pairing)
                    pairings.append(pairing)
            out["service_at_locations"] = pairings
        key = next((k for k in ("regular_schedules", "regular_schedule") if k in raw), "")
        if not key:
            if not self.partial:
                out["schedules"] = []
            return
        schedules: list[dict] = []
        for i, item in enumerate(_items(raw.get(key))):
            own_id = _id_text(item.get("id"))
            if own_id and own_id in placed:
                continue  # listed under its service_at_location too: kept there
            linked = item.get("service_at_location")
            linked_id = _id_text(
                linked.get("id") if isinstance(linked, dict) else item.get("service_at_location_id")
            )
            if linked_id in by_source_id:
                index, pairing = by_source_id[linked_id]
                target = f"service_at_locations/{index}/schedules/{len(pairing['schedules'])}/"
                schedule = self.schedule(item, f"{key}/{i}/", target, doc, pairing["id"])
                if schedule is not None:
                    pairing["schedules"].append(schedule)
                continue
            target = f"schedules/{len(schedules)}/"
            schedule = self.schedule(item, f"{key}/{i}/", target, doc, service_id)
            if schedule is not None:
                schedules.append(schedule)
        out["schedules"] = schedules

    def pairing(
        self, raw: dict, path: str, target: str, doc: _Doc, service_id: str, placed: set[str]
    ) -> dict | None:
        location_raw = raw.get("location")
        if not isinstance(location_raw, dict):
            doc.problem(path + "location", "is required: the location the service is at")
            return None
        location = self.location(location_raw, path + "location/", target + "location/", doc)
        if location is None:
            return None
        pairing_id = self.record_id(
            raw.get("id"),
            "service_at_location",
            path,
            doc,
            parent=service_id,
            part=location["id"],
        )
        doc.came_from(target, path)
        pairing: dict[str, Any] = {"id": pairing_id, "location": location, "schedules": []}
        if _given(raw.get("description")):
            pairing["description"] = _text(raw["description"])
        key = next((k for k in ("regular_schedule", "regular_schedules") if k in raw), "")
        for i, item in enumerate(_items(raw.get(key))):
            own_id = _id_text(item.get("id"))
            if own_id in placed and own_id:
                continue
            where = f"{target}schedules/{len(pairing['schedules'])}/"
            schedule = self.schedule(item, f"{path}{key}/{i}/", where, doc, pairing_id)
            if schedule is not None:
                placed.add(own_id)
                pairing["schedules"].append(schedule)
        return pairing

    def location(self, raw: dict, path: str, target: str, doc: _Doc) -> dict | None:
        location_id = self.record_id(raw.get("id"), "location", path, doc)
        if location_id is None:
            return None
        doc.came_from(target, path)
        out: dict[str, Any] = {"id": location_id, "location_type": "physical"}
        for key in ("name", "description"):
            if _given(raw.get(key)):
                out[key] = _text(raw[key])
        latitude, longitude = _number(raw.get("latitude")), _number(raw.get("longitude"))
        # 0, 0 is how some feeds say "unknown".
        if (_given(latitude) or _given(longitude)) and (latitude != 0 or longitude != 0):
            for key, value in (("latitude", latitude), ("longitude", longitude)):
                if _given(value):
                    out[key] = value
        addresses = []
        for key, address_type in (
            ("physical_addresses", "physical"),
            ("postal_addresses", "postal"),
        ):
            for i, item in enumerate(_items(raw.get(key))):
                where = f"{target}addresses/{len(addresses)}/"
                address = self.address(
                    item, f"{path}{key}/{i}/", where, doc, address_type, location_id
                )
                addresses.append(address)
                uprn = _id_text(item.get("uprn"))
                if uprn and "external_identifier" not in out:
                    out["external_identifier"], out["external_identifier_type"] = uprn, "UPRN"
        out["addresses"] = addresses
        accessibility = []
        for i, item in enumerate(_items(raw.get("accessibility_for_disabilities"))):
            where = f"{target}accessibility/{len(accessibility)}/"
            source = f"{path}accessibility_for_disabilities/{i}/"
            entry_id = self.record_id(
                item.get("id"),
                "accessibility_for_disabilities",
                source,
                doc,
                parent=location_id,
                part=str(i),
            )
            doc.came_from(where, source, {"description": "accessibility"})
            entry: dict[str, Any] = {"id": entry_id}
            if _given(item.get("accessibility")):
                entry["description"] = _text(item["accessibility"])
            if _given(item.get("details")):
                entry["details"] = _text(item["details"])
            accessibility.append(entry)
        out["accessibility"] = accessibility
        if "latitude" not in out and "longitude" not in out:
            self.geocode(out)
        return out

    def address(
        self, raw: dict, path: str, target: str, doc: _Doc, address_type: str, location_id: str
    ) -> dict:
        address_id = self.record_id(
            raw.get("id"),
            f"{address_type}_address",
            path,
            doc,
            parent=location_id,
            part=f"{address_type}:{path}",
        )
        doc.came_from(target, path)
        out: dict[str, Any] = {"id": address_id, "address_type": address_type}
        for key in ("attention", "address_1", "city", "region", "state_province", "postal_code"):
            if _given(raw.get(key)):
                out[key] = _text(raw[key])
        more = [
            _text(raw[k]) for k in ("address_2", "address_3", "address_4") if _given(raw.get(k))
        ]
        if more:
            out["address_2"] = ", ".join(str(p) for p in more)
        country = _country(raw.get("country"), raw.get("postal_code"))
        if _given(country):
            out["country"] = country
        return out

    @staticmethod
    def geocode(location: dict) -> None:
        """Coordinates from the first UK postcode, as saving the address would set them."""
        from directory.geo import InvalidPostcode, lookup_postcode

        for address in location["addresses"]:
            postcode = address.get("postal_code")
            if address.get("country") == "GB" and isinstance(postcode, str):
                try:
                    point = lookup_postcode(postcode)
                except InvalidPostcode:
                    continue
                location["latitude"], location["longitude"] = point.latitude, point.longitude
                return

    def schedule(self, raw: dict, path: str, target: str, doc: _Doc, owner_id: str) -> dict | None:
        schedule_id = self.record_id(
            raw.get("id"), "regular_schedule", path, doc, parent=owner_id, part=path
        )
        doc.came_from(target, path)
        out: dict[str, Any] = {"id": schedule_id}
        for key in ("opens_at", "closes_at", "description"):
            if _given(raw.get(key)):
                out[key] = _text(raw[key])
        for key in ("valid_from", "valid_to", "dtstart"):
            if _given(raw.get(key)):
                out[key] = _date(raw[key])
        if _given(raw.get("interval")):
            out["interval"] = _whole_number(raw["interval"])
        if _given(raw.get("bymonthday")):
            out["bymonthday"] = _text(raw["bymonthday"])
        byday = _byday(raw.get("byday")) if _given(raw.get("byday")) else None
        if not byday and _given(raw.get("weekday")):
            byday = _weekday(raw["weekday"])
            if byday is None:
                doc.problem(path + "weekday", "must be a day (1 Monday to 7 Sunday, or MO to SU)")
            else:
                doc.came_from(target, path, {"byday": "weekday"})
        if byday:
            out["byday"] = byday
        freq = raw.get("freq")
        if _given(freq):
            out["freq"] = freq.strip().upper() if isinstance(freq, str) else freq
        elif byday or "bymonthday" in out:
            out["freq"] = "MONTHLY" if "bymonthday" in out and not byday else "WEEKLY"
        return out

    # contacts, languages, costs, funding, areas

    def contacts(self, raw: dict, out: dict, doc: _Doc, service_id: str) -> None:
        if "contacts" not in raw:
            if not self.partial:
                out["contacts"] = []
            return
        contacts = []
        for i, item in enumerate(_items(raw.get("contacts"))):
            path, target = f"contacts/{i}/", f"contacts/{len(contacts)}/"
            contact_id = self.record_id(item.get("id"), "contact", path, doc)
            if contact_id is None:
                continue
            doc.came_from(target, path)
            contact: dict[str, Any] = {"id": contact_id}
            for key in ("name", "title", "department", "email"):
                if _given(item.get(key)):
                    contact[key] = _text(item[key])
            phones = []
            for j, phone_raw in enumerate(_items(item.get("phones"))):
                where, source = f"{target}phones/{len(phones)}/", f"{path}phones/{j}/"
                phone = self.phone(phone_raw, source, where, doc, contact_id)
                if phone is not None:
                    phones.append(phone)
            contact["phones"] = phones
            contacts.append(contact)
        out["contacts"] = contacts

    def phone(self, raw: dict, path: str, target: str, doc: _Doc, contact_id: str) -> dict | None:
        phone_id = self.record_id(raw.get("id"), "phone", path, doc)
        if phone_id is None:
            return None
        doc.came_from(target, path)
        out: dict[str, Any] = {"id": phone_id}
        for key in ("number", "extension", "description"):
            if _given(raw.get(key)):
                out[key] = _text(raw[key])
        kind = raw.get("type")
        if _given(kind):
            out["type"] = (
                PHONE_TYPES.get(_key(kind), kind.strip().lower()) if isinstance(kind, str) else kind
            )
        language = raw.get("language")
        if isinstance(language, str) and language.strip():
            language_id = str(uuid.uuid5(NAMESPACE, json.dumps([phone_id, "language"])))
            doc.came_from(f"{target}languages/0", path, {"name": "language", "code": "language"})
            out["languages"] = [{"id": language_id, **_language(language)}]
        return out

    def simple_arrays(self, raw: dict, out: dict, doc: _Doc, service_id: str) -> None:
        def each(keys: tuple[str, ...], target_key: str, convert) -> None:
            key = next((k for k in keys if k in raw), "")
            if not key:
                if not self.partial:
                    out[target_key] = []
                return
            converted = []
            for i, item in enumerate(_items(raw.get(key))):
                path, target = f"{key}/{i}/", f"{target_key}/{len(converted)}/"
                value = convert(item, path, doc, service_id, i)
                if value is not None:
                    doc.came_from(target, path, value.pop("_renames", None))
                    converted.append(value)
            out[target_key] = converted

        each(("languages",), "languages", self.language)
        each(("cost_options",), "cost_options", self.cost_option)
        each(("fundings", "funding"), "funding", self.funding)
        each(("service_areas",), "service_areas", self.service_area)

    def language(self, raw: dict, path: str, doc: _Doc, service_id: str, i: int) -> dict | None:
        value = raw.get("language")
        if not isinstance(value, str) or not value.strip():
            if _given(value):
                doc.problem(path + "language", "must be text")
            return None  # a row that names no language says nothing
        language_id = self.record_id(
            raw.get("id"), "language", path, doc, parent=service_id, part=value.strip()
        )
        return {
            "id": language_id,
            **_language(value),
            "_renames": {"name": "language", "code": "language"},
        }

    def cost_option(self, raw: dict, path: str, doc: _Doc, service_id: str, i: int) -> dict | None:
        cost_id = self.record_id(
            raw.get("id"), "cost_option", path, doc, parent=service_id, part=str(i)
        )
        out: dict[str, Any] = {"id": cost_id}
        for key in ("option", "amount_description"):
            if _given(raw.get(key)):
                out[key] = _text(raw[key])
        if _given(raw.get("amount")):
            out["amount"] = _number(raw["amount"])
        for key in ("valid_from", "valid_to"):
            if _given(raw.get(key)):
                out[key] = _date(raw[key])
        return out

    def funding(self, raw: dict, path: str, doc: _Doc, service_id: str, i: int) -> dict | None:
        funding_id = self.record_id(
            raw.get("id"), "funding", path, doc, parent=service_id, part=str(i)
        )
        out: dict[str, Any] = {"id": funding_id}
        if _given(raw.get("source")):
            out["source"] = _text(raw["source"])
        return out

    def service_area(self, raw: dict, path: str, doc: _Doc, service_id: str, i: int) -> dict | None:
        area_id = self.record_id(
            raw.get("id"), "service_area", path, doc, parent=service_id, part=str(i)
        )
        out: dict[str, Any] = {"id": area_id}
        for key in ("name", "extent", "uri"):
            if _given(raw.get(key)):
                out[key] = _text(raw[key])
        area = (
            raw.get("service_area") if _given(raw.get("service_area")) else raw.get("description")
        )
        if _given(area):
            out["service_area"] = _text(area)
        return out


def import_oruk1(
    documents: Callable[[], Iterable[Any]],
    *,
    source_name: str | None,
    partial: bool = False,
    skip_invalid: bool = False,
    actor: str = "import",
    progress: ProgressBar | None = None,
) -> ImportReport:
    """Import ORUK 1.0 services, all or nothing, through the ORUK 3.0 loader.

    `source_name` (an API base URL or a name for the directory) makes the UUIDs of records whose
    1.0 ids are not UUIDs; without it such ids raise `SourceNameNeeded` before anything is written.
    """
    converter = Converter(source=source_name, partial=partial)
    return import_documents(
        lambda: (converter.prepare(doc) for doc in documents()),
        kind="service",
        partial=partial,
        skip_invalid=skip_invalid,
        actor=actor,
        progress=progress,
    )

"""How each ORUK 3.0 object maps onto our models: one declarative table read both ways.

Export (records -> JSON) and load (JSON -> records) both walk these shapes, so a field added here is
published, imported, validated and change-logged at once.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models as djm
from django.utils.dateparse import parse_datetime

from directory import models as m


class ConversionError(ValueError):
    """A JSON value that cannot become the model's value; the message is shown to the user."""


@dataclass(frozen=True)
class Field:
    """A scalar ORUK field; `kind` picks the converter, `attr` the model attribute."""

    key: str
    kind: str = "str"  # str | number | int | int_text | date | datetime | time | ref
    attr: str = ""
    exported: bool = True  # False: accepted on import, left out of exports (redundant there)

    @property
    def model_attr(self) -> str:
        return self.attr or self.key


@dataclass(frozen=True)
class Many:
    """A nested array of child records that point at their parent through `fk`."""

    key: str
    shape: Shape
    fk: str
    related: str = ""  # reverse accessor on the parent, when it differs from the JSON key

    @property
    def accessor(self) -> str:
        return self.related or self.key


@dataclass(frozen=True)
class One:
    """A nested object the record points at through its foreign key `attr` (e.g. `location`)."""

    key: str
    shape: Shape
    attr: str
    exclude: tuple[str, ...] = ()  # nested arrays left out to avoid cycles (service <-> location)


@dataclass(frozen=True)
class Extra:
    """An HSDS 3.0 field that ORUK 3.0 does not declare but allows, written on export only.

    Readers of HSDS 3.0 need it (the DfE Family Hubs harvester drops a service whose attributes
    lack `link_entity` or whose terms lack `code`; README, "For consumers"). It repeats a model
    value the ORUK fields already carry, so import reads the ORUK field and ignores this one.
    `fallback` names the attribute used when `attr` is empty (a term without a code: its id).
    """

    key: str
    attr: str
    fallback: str = ""


@dataclass(frozen=True)
class Shape:
    name: str  # the ORUK object name, also its schema file stem
    model: type[djm.Model]
    fields: tuple[Field, ...]
    many: tuple[Many, ...] = ()
    one: tuple[One, ...] = ()
    link_entity: str = ""  # set when the object carries ORUK `attributes`
    extras: tuple[Extra, ...] = ()  # export-only HSDS 3.0 fields (see `Extra`)

    @property
    def schema_file(self) -> str:
        return f"{self.name}.json"


# --- value converters -------------------------------------------------------------------------


def number_to_json(value: Any) -> int | float | None:
    """A whole number as a JSON integer (`2`, never `2.0`), any other as a JSON number: typed
    readers such as .NET's System.Text.Json refuse `2.0` for an integer member."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, decimal.Decimal | float) and value == int(value):
        return int(value)
    return float(value)


_WHOLE_NUMBER = re.compile(r"^(0|[1-9][0-9]{0,8})$")


def int_text_to_json(value: str) -> int | str:
    """Text that HSDS 3.0 types as a number (a phone `extension`): a JSON integer when it is one
    as written (no leading zero, which a number would lose), else the text as it is."""
    return int(value) if _WHOLE_NUMBER.match(value) else value


def json_to_number(value: Any) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConversionError("must be a number")
    try:
        return decimal.Decimal(str(value))
    except decimal.InvalidOperation as exc:
        raise ConversionError("must be a number") from exc


def datetime_to_json(value: dt.datetime) -> str:
    """RFC 3339 in UTC with milliseconds, as the ORUK examples write it."""
    text = value.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def json_to_datetime(value: Any) -> dt.datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise ConversionError("must be a date and time like 2024-03-15T10:30:00Z")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def json_to_date(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ConversionError("must be a date like 2024-03-15") from exc


_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def json_to_time(value: Any) -> dt.time:
    """HH:MM or HH:MM:SS; a zone suffix is accepted and dropped (times are local, see README)."""
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise ConversionError("must be a time like 10:00 or 10:00:00")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    try:
        return dt.time(hours, minutes, seconds)
    except ValueError as exc:
        raise ConversionError("must be a time like 10:00 or 10:00:00") from exc


def json_to_ref(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ConversionError("must be a UUID") from exc


def json_to_int(value: Any) -> int:
    number = json_to_number(value)
    if number != number.to_integral_value():
        raise ConversionError("must be a whole number")
    return int(number)


def json_to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ConversionError("must be text")
    return value


def json_to_int_text(value: Any) -> str:
    """A number or text kept as text (see `int_text_to_json`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json_to_str(value)


TO_MODEL = {
    "str": json_to_str,
    "number": json_to_number,
    "int": json_to_int,
    "int_text": json_to_int_text,
    "date": json_to_date,
    "datetime": json_to_datetime,
    "time": json_to_time,
    "ref": json_to_ref,
}


def to_json(kind: str, value: Any) -> Any:
    """The JSON form of a model value, or None for "leave it out" (ORUK forbids nulls)."""
    if value is None or value == "":
        return None
    if kind == "int":
        return int(value)
    if kind == "number":
        return number_to_json(value)
    if kind == "int_text":
        return int_text_to_json(value)
    if kind == "datetime":
        return datetime_to_json(value)
    if kind == "date":
        return value.isoformat()
    if kind == "time":
        return value.strftime("%H:%M:%S")
    if kind == "ref":
        return str(value)
    return value


# --- the shapes -------------------------------------------------------------------------------


def F(key: str, kind: str = "str", attr: str = "", *, exported: bool = True) -> Field:
    return Field(key, kind, attr, exported)


TAXONOMY_TERM = Shape(
    "taxonomy_term",
    m.TaxonomyTerm,
    (
        F("name"),
        F("description"),
        F("parent_id", "ref"),
        F("taxonomy", attr="taxonomy_label"),
        F("taxonomy_id", "ref"),
        F("term_uri"),
        F("term"),
    ),
    # HSDS 3.0's name for ORUK's `term`; every term has one (its id when it has no code).
    extras=(Extra("code", attr="term", fallback="pk"),),
)
TAXONOMY = Shape(
    "taxonomy",
    m.Taxonomy,
    (F("name"), F("description"), F("uri"), F("version")),
    many=(Many("taxonomy_terms", TAXONOMY_TERM, fk="taxonomy", related="terms"),),
)
ATTRIBUTE = Shape(
    "attribute",
    m.Attribute,
    (F("link_type"), F("value"), F("label"), F("taxonomy_term_id", "ref", exported=False)),
    one=(One("taxonomy_term", TAXONOMY_TERM, attr="taxonomy_term"),),
    # Implied by nesting in ORUK 3.0, but HSDS 3.0 requires it on every attribute.
    extras=(Extra("link_entity", attr="link_entity"),),
)
LANGUAGE = Shape("language", m.Language, (F("name"), F("code"), F("note")))
PHONE = Shape(
    "phone",
    m.Phone,
    (F("number"), F("extension", "int_text"), F("type"), F("description")),
    many=(Many("languages", LANGUAGE, fk="phone"),),
)
URL = Shape("url", m.Url, (F("label"), F("url")))
ORGANIZATION_IDENTIFIER = Shape(
    "organization_identifier",
    m.OrganizationIdentifier,
    (F("identifier_scheme"), F("identifier_type"), F("identifier")),
    link_entity=m.LinkEntity.ORGANIZATION_IDENTIFIER,
)
ORGANIZATION = Shape(
    "organization",
    m.Organization,
    (
        F("name"),
        F("description"),
        F("email"),
        F("website"),
        F("logo"),
        F("uri"),
        F("parent_organization_id", "ref"),
    ),
    many=(
        Many("organization_identifiers", ORGANIZATION_IDENTIFIER, fk="organization"),
        Many("phones", PHONE, fk="organization"),
        Many("additional_urls", URL, fk="organization"),
    ),
    link_entity=m.LinkEntity.ORGANIZATION,
)
ADDRESS = Shape(
    "address",
    m.Address,
    (
        F("attention"),
        F("address_1"),
        F("address_2"),
        F("city"),
        F("region"),
        F("state_province"),
        F("postal_code"),
        F("country"),
        F("address_type"),
    ),
    link_entity=m.LinkEntity.ADDRESS,
)
ACCESSIBILITY = Shape(
    "accessibility",
    m.Accessibility,
    (F("description"), F("details"), F("url"), F("accessibility")),
    link_entity=m.LinkEntity.ACCESSIBILITY,
)
LOCATION = Shape(
    "location",
    m.Location,
    (
        F("location_type"),
        F("name"),
        F("description"),
        F("latitude", "number"),
        F("longitude", "number"),
        F("external_identifier"),
        F("external_identifier_type"),
    ),
    many=(
        Many("addresses", ADDRESS, fk="location"),
        Many("accessibility", ACCESSIBILITY, fk="location"),
        Many("phones", PHONE, fk="location"),
        Many("languages", LANGUAGE, fk="location"),
    ),
    link_entity=m.LinkEntity.LOCATION,
)
SCHEDULE = Shape(
    "schedule",
    m.Schedule,
    (
        F("valid_from", "date"),
        F("valid_to", "date"),
        F("dtstart", "date"),
        F("freq"),
        F("interval", "int"),
        F("byday"),
        F("bymonthday"),
        F("description"),
        F("opens_at", "time"),
        F("closes_at", "time"),
        F("schedule_link"),
        F("attending_type"),
        F("notes"),
    ),
)
SERVICE_AREA = Shape(
    "service_area",
    m.ServiceArea,
    (F("name"), F("extent"), F("extent_type"), F("uri"), F("service_area")),
    link_entity=m.LinkEntity.SERVICE_AREA,
)
SERVICE_AT_LOCATION_IN_SERVICE = Shape(
    "service_at_location",
    m.ServiceAtLocation,
    (F("description"),),
    one=(One("location", LOCATION, attr="location"),),
    many=(Many("schedules", SCHEDULE, fk="service_at_location"),),
    link_entity=m.LinkEntity.SERVICE_AT_LOCATION,
)
COST_OPTION = Shape(
    "cost_option",
    m.CostOption,
    (
        F("valid_from", "date"),
        F("valid_to", "date"),
        F("option"),
        F("amount", "number"),
        F("amount_description"),
        F("currency"),
    ),
    link_entity=m.LinkEntity.COST_OPTION,
)
FUNDING = Shape("funding", m.Funding, (F("source"),))
CONTACT = Shape(
    "contact",
    m.Contact,
    (F("name"), F("title"), F("department"), F("email")),
    many=(Many("phones", PHONE, fk="contact"),),
    link_entity=m.LinkEntity.CONTACT,
)
SERVICE_FIELDS = (
    F("organization_id", "ref"),
    F("name"),
    F("description"),
    F("url"),
    F("email"),
    F("status"),
    F("fees"),
    F("accreditations"),
    F("minimum_age", "number"),
    F("maximum_age", "number"),
    F("assured_date", "date"),
    F("assurer_email"),
    F("alert"),
    F("last_modified", "datetime"),
)
SERVICE = Shape(
    "service",
    m.Service,
    SERVICE_FIELDS,
    many=(
        Many("schedules", SCHEDULE, fk="service"),
        Many("service_areas", SERVICE_AREA, fk="service"),
        Many("service_at_locations", SERVICE_AT_LOCATION_IN_SERVICE, fk="service"),
        Many("languages", LANGUAGE, fk="service"),
        Many("funding", FUNDING, fk="service"),
        Many("cost_options", COST_OPTION, fk="service"),
        Many("contacts", CONTACT, fk="service"),
        Many("phones", PHONE, fk="service"),
        Many("additional_urls", URL, fk="service"),
    ),
    one=(One("organization", ORGANIZATION, attr="organization"),),
    link_entity=m.LinkEntity.SERVICE,
)
# `/service_at_locations/{id}`: the pairing with its full location and the service it belongs to.
SERVICE_AT_LOCATION = Shape(
    "service_at_location",
    m.ServiceAtLocation,
    (F("service_id", "ref"), F("location_id", "ref"), F("description")),
    one=(
        One("location", LOCATION, attr="location"),
        One("service", SERVICE, attr="service", exclude=("service_at_locations",)),
    ),
    many=(Many("schedules", SCHEDULE, fk="service_at_location"),),
    link_entity=m.LinkEntity.SERVICE_AT_LOCATION,
)

SHAPES = {
    shape.name: shape
    for shape in (SERVICE, ORGANIZATION, SERVICE_AT_LOCATION, LOCATION, TAXONOMY, TAXONOMY_TERM)
}

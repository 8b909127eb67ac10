"""JSON Schemas (draft-07) of what `/api/v1/` answers: the ORUK 1.0 service, taxonomy and page.

Written from the ORUK 1.0 sources in OpenReferralUK/human-services, not copied from them:

- `Schemas/service.schema.verbose.json` (draft-07): the service with its organization, its nested
  arrays and their required members, enumerations and formats;
- `SchemaGenerator/Generator/ExtendedDataPackage.json`: the tabular 1.0 package (LGA profile) with
  the fields the schema leaves out (`attending_type`, `attending_access`, address `state_province`
  and `country` required, phone `number` required, the `accessibility` enumeration);
- the reference API (`WebApp/src/main/java/com/porism/servicedirectoryservice/models/*.java`): the
  JSON names it really sends where the schema differs (`service_taxonomys`, `eligibilitys`,
  `fundings`, `contacts[].phones`, `location.physical_addresses`, `service_at_locations[]
  .regular_schedule`, a taxonomy's `parent` as a nested taxonomy or null) and the enumerations
  it checks (`AllowedValues`).

Extra members are allowed everywhere, as in the sources. `SERVICE`, `SERVICE_LIST_ITEM` and
`TAXONOMY_ITEM` are ORUK 1.0 (the importer of 1.0 feeds may check what it reads against them);
`ANSWERED_*` add what our feed promises beyond 1.0 because the finders rely on it. The tests
validate every item the API answers against both.
"""

from __future__ import annotations

UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
URL_PATTERN = "^(https?|wss?|ftp)://"
HH_MM = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

STATUSES = ["active", "inactive", "defunct", "temporarily closed"]
# The package's capitalised values; the reference API compares them case-insensitively.
DELIVERABLE_TYPES = [
    "Advice",
    "Assessment",
    "Counselling",
    "Equipment",
    "Financial Support",
    "Information",
    "Permission",
    "Training",
]
ATTENDING_TYPES = ["phone", "online", "venue", "home visit"]
ATTENDING_ACCESS = ["referral", "appointment", "membership", "drop-in"]
ELIGIBILITIES = [
    "adult",
    "child",
    "teen",
    "family",
    "female",
    "male",
    "Transgender",
    "Transgender - M to F",
    "Transgender - F to M",
]
ACCESSIBILITIES = [
    "cd",
    "deaf_interpreter",
    "disabled_parking",
    "elevator",
    "ramp",
    "restroom",
    "tape_braille",
    "tty",
    "wheelchair",
    "wheelchair_van",
]

_TEXT = {"type": "string"}
_ID = {"type": "string", "minLength": 1}


def _object(properties: dict, required: list[str]) -> dict:
    return {"type": "object", "properties": properties, "required": required}


def _array_of(item: dict) -> dict:
    return {"type": "array", "items": item}


ORGANIZATION = _object(
    {
        "id": {"type": "string", "pattern": UUID_PATTERN},
        "name": _TEXT,
        "description": _TEXT,
        "email": {"type": "string", "format": "email"},
        "url": {"type": "string", "format": "uri", "pattern": URL_PATTERN},
        "logo": _TEXT,
        "uri": _TEXT,
    },
    ["id", "name", "description"],
)

# A taxonomy term as a service carries it (`service_taxonomys[].taxonomy`) and as `/taxonomies/`
# lists it; the list adds `parent`, the same object one level up, or null at the top.
TAXONOMY = {
    "type": "object",
    "properties": {
        "id": _ID,
        "name": _TEXT,
        "vocabulary": _TEXT,
        "parent": {"oneOf": [{"type": "null"}, {"$ref": "#/definitions/taxonomy"}]},
    },
    "required": ["id", "name"],
}
TAXONOMY_LIST_ITEM = {
    **TAXONOMY,
    "properties": {
        **TAXONOMY["properties"],
        "parent": {"oneOf": [{"type": "null"}, {"$ref": "#/definitions/taxonomy_list_item"}]},
    },
}

REGULAR_SCHEDULE = _object(
    {
        "id": _ID,
        "opens_at": {"type": "string", "pattern": HH_MM},
        "closes_at": {"type": "string", "pattern": HH_MM},
        "valid_from": {"type": "string", "pattern": DATE},
        "valid_to": {"type": "string", "pattern": DATE},
        "dtstart": _TEXT,
        "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
        "interval": {"type": "string", "pattern": "^[0-9]+$"},
        "byday": _TEXT,
        "bymonthday": _TEXT,
        "description": _TEXT,
    },
    ["id"],
)

PHYSICAL_ADDRESS = _object(
    {
        "id": _ID,
        "address_1": _TEXT,
        "address_2": _TEXT,
        "city": _TEXT,
        "state_province": _TEXT,
        "postal_code": _TEXT,
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
    },
    ["id", "city", "state_province", "postal_code", "country"],
)

LOCATION = _object(
    {
        "id": _ID,
        "name": _TEXT,
        "description": _TEXT,
        "latitude": {"type": "number", "minimum": -90, "maximum": 90},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        "physical_addresses": _array_of(PHYSICAL_ADDRESS),
        "accessibility_for_disabilities": _array_of(
            _object(
                {"id": _ID, "accessibility": {"enum": ACCESSIBILITIES}, "details": _TEXT},
                ["id"],
            )
        ),
    },
    ["id"],
)

SERVICE_AT_LOCATION = _object(
    {"id": _ID, "location": LOCATION, "regular_schedule": _array_of(REGULAR_SCHEDULE)},
    ["id", "location"],
)

PHONE = _object({"id": _ID, "number": {"type": "string", "minLength": 1}}, ["id", "number"])

CONTACT = _object(
    {
        "id": _ID,
        "name": _TEXT,
        "title": _TEXT,
        "email": {"type": "string", "format": "email"},
        "phones": _array_of(PHONE),
    },
    ["id"],
)

COLLECTIONS = {
    "service_taxonomys": _array_of(_object({"id": _ID, "taxonomy": TAXONOMY}, ["id", "taxonomy"])),
    "service_at_locations": _array_of(SERVICE_AT_LOCATION),
    "contacts": _array_of(CONTACT),
    "regular_schedules": _array_of(REGULAR_SCHEDULE),
    "holiday_schedules": _array_of(
        _object(
            {
                "id": _ID,
                "closed": {"type": "boolean"},
                "opens_at": {"type": "string", "pattern": HH_MM},
                "closes_at": {"type": "string", "pattern": HH_MM},
                "start_date": {"type": "string", "pattern": DATE},
                "end_date": {"type": "string", "pattern": DATE},
            },
            ["id", "closed", "start_date", "end_date"],
        )
    ),
    "fundings": _array_of(_object({"id": _ID, "source": _TEXT}, ["id"])),
    "eligibilitys": _array_of(
        _object(
            {
                "id": _ID,
                "eligibility": {"enum": ELIGIBILITIES},
                "minimum_age": {"type": "number", "minimum": 0},
                "maximum_age": {"type": "number", "minimum": 0},
            },
            ["id"],
        )
    ),
    "service_areas": _array_of(
        _object(
            {
                "id": _ID,
                "service_area": _TEXT,
                "name": _TEXT,
                "type": _TEXT,
                "extent": _TEXT,
                "uri": _TEXT,
            },
            ["id"],
        )
    ),
    "languages": _array_of(_object({"id": _ID, "language": _TEXT}, ["id"])),
    "cost_options": _array_of(
        _object(
            {
                "id": _ID,
                "valid_from": {"type": "string", "pattern": DATE},
                "valid_to": {"type": "string", "pattern": DATE},
                "option": _TEXT,
                "amount": _TEXT,
                "amount_description": _TEXT,
            },
            ["id"],
        )
    ),
    "reviews": _array_of(_object({"id": _ID}, ["id"])),
}

_SERVICE_PROPERTIES = {
    "id": _ID,
    "name": {"type": "string", "minLength": 1},
    "description": _TEXT,
    "url": {"type": "string", "format": "uri", "pattern": URL_PATTERN},
    "email": {"type": "string", "format": "email"},
    "status": {"type": "string", "enum": STATUSES},
    "fees": _TEXT,
    "accreditations": _TEXT,
    "deliverable_type": {"type": "string", "enum": DELIVERABLE_TYPES},
    "attending_type": {"type": "string", "enum": ATTENDING_TYPES},
    "attending_access": {"type": "string", "enum": ATTENDING_ACCESS},
    "assured_date": _TEXT,
    "organization": ORGANIZATION,
}


def _service(collections: dict, required: list[str], title: str) -> dict:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": title,
        "definitions": {"taxonomy": TAXONOMY},
        **_object({**_SERVICE_PROPERTIES, **collections}, required),
    }


def _requiring(node: dict, *names: str) -> dict:
    return {**node, "required": [*node["required"], *names]}


# ORUK 1.0 as published: a `/services/` item (the basic members, plus any collection `include`
# names) and a `/services/{id}` document have the same members and requirements.
SERVICE = _service(COLLECTIONS, ["id", "organization", "name"], "ORUK 1.0 service")
SERVICE_LIST_ITEM = SERVICE

# What we promise beyond 1.0, because the finders rely on it: a status always, and arrays always
# present where they read them without a check (ServiceFinder: `service_at_locations.length`,
# `location.physical_addresses.length`, `contacts[].phones.map`; see `render.py`). A full
# document has every collection, as the reference API's documents do.
_ANSWERED_COLLECTIONS = {
    **COLLECTIONS,
    "service_at_locations": _array_of(
        {
            **SERVICE_AT_LOCATION,
            "properties": {
                **SERVICE_AT_LOCATION["properties"],
                "location": _requiring(LOCATION, "physical_addresses"),
            },
        }
    ),
    "contacts": _array_of(_requiring(CONTACT, "phones")),
}
ANSWERED_LIST_ITEM = _service(
    _ANSWERED_COLLECTIONS, ["id", "organization", "name", "status"], "Our 1.0 list item"
)
ANSWERED_SERVICE = _requiring(ANSWERED_LIST_ITEM, *COLLECTIONS)

TAXONOMY_ITEM = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "ORUK 1.0 taxonomy (list item)",
    "definitions": {"taxonomy_list_item": TAXONOMY_LIST_ITEM},
    **TAXONOMY_LIST_ITEM,
}


def page(item: dict) -> dict:
    """The Spring page both finders read (`content` and its counts); see `pages.py`."""
    count = {"type": "integer", "minimum": 0}
    item = {k: v for k, v in item.items() if k not in ("$schema", "definitions")}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"taxonomy": TAXONOMY, "taxonomy_list_item": TAXONOMY_LIST_ITEM},
        "type": "object",
        "properties": {
            "content": _array_of(item),
            "totalElements": count,
            "totalPages": count,
            "number": {"type": "integer", "minimum": 1},
            "size": count,
            "first": {"type": "boolean"},
            "last": {"type": "boolean"},
            "empty": {"type": "boolean"},
        },
        "required": [
            "content",
            "totalElements",
            "totalPages",
            "number",
            "size",
            "first",
            "last",
            "empty",
        ],
    }

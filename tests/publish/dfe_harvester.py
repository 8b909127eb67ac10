"""A Python copy of how the DfE Family Hubs harvester reads an ORUK 3.0 feed.

Read from its public code (DFE-Digital/fh-services, and the fork Zac-Digital/fh-services that
carries the shared kernel's later history):

- `src/function/open-referral-function/src/FamilyHubs.OpenReferral.Function/Program.cs`: the
  HttpClient's BaseAddress is the registered URL (`ApiConnection`);
- `.../ClientServices/HsdaApiService.cs`: `GetAsync("/services")` (a path from the host root, so
  the registered path is dropped), no paging parameters, one page read (`contents[].id`), then
  `GetAsync("/services/" + id)` for each, deserialised with
  `JsonSerializer.Deserialize<Service>(json)` (default options); a service that throws is logged
  and dropped;
- `src/shared/shared-kernel/src/fh-shared-kernel.shared-kernel/OpenReferral/Entities/*.cs`: the
  entities, whose `required` members must be present and whose typed members must hold a JSON
  token of that type (System.Text.Json's defaults: case-sensitive names, unknown names ignored,
  no numbers read from strings, an integer member refuses `2.0`).

Where the two copies differ, the later one is followed: `Organization.year_incorporated` and
`legal_status` were `required` in DFE-Digital @ 8e3db4fe and are optional (with a string
converter) in the later kernel (its `StringToNullableTypeConverter` test is in DFE-Digital
@ 48d68947); `Service.minimum_age`/`maximum_age` are `byte` (an integer 0-255) in both.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from dataclasses import dataclass, field

# Member types as System.Text.Json reads them.
STRING, GUID, DATETIME, TIMESPAN, BYTE, SHORT, DECIMAL = (
    "string", "Guid", "DateTime", "TimeSpan", "byte", "short", "decimal",
)  # fmt: skip
INTEGER_RANGES = {BYTE: (0, 255), SHORT: (-32768, 32767)}
NON_NULLABLE = {"minimum_age", "maximum_age"}  # `byte`, not `byte?` (Service.cs)


@dataclass(frozen=True)
class Entity:
    """One C# entity: `required` members, typed scalar members, nested objects and lists."""

    required: dict[str, str] = field(default_factory=dict)
    optional: dict[str, str] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)  # member -> entity name
    lists: dict[str, str] = field(default_factory=dict)  # member -> entity name


# Every entity derives from BaseHsdsEntity: `[JsonPropertyName("id")] required Guid OrId`.
BASE_REQUIRED = {"id": GUID}
# Most entities end with `attributes` and `metadata` lists.
TAGGED = {"attributes": "Attribute", "metadata": "Metadata"}

ENTITIES: dict[str, Entity] = {
    "Service": Entity(
        required={"name": STRING, "status": STRING},
        optional={
            **dict.fromkeys(
                (
                    "alternate_name",
                    "description",
                    "url",
                    "email",
                    "interpretation_services",
                    "application_process",
                    "fees_description",
                    "accreditations",
                    "eligibility_description",
                    "assurer_email",
                    "alert",
                ),
                STRING,
            ),
            "minimum_age": BYTE,
            "maximum_age": BYTE,
            "assured_date": DATETIME,
            "last_modified": DATETIME,
        },
        objects={"organization": "Organization", "program": "Program"},
        lists={
            "phones": "Phone",
            "schedules": "Schedule",
            "service_areas": "ServiceArea",
            "service_at_locations": "ServiceAtLocation",
            "languages": "Language",
            "funding": "Funding",
            "cost_options": "CostOption",
            "required_documents": "RequiredDocument",
            "contacts": "Contact",
            **TAGGED,
        },
    ),
    "Organization": Entity(
        required={"name": STRING, "description": STRING},
        optional={
            **dict.fromkeys(
                ("alternate_name", "email", "website", "legal_status", "logo", "uri"), STRING
            ),
            # Also a numeric string, through StringToNullableTypeConverter (we send neither).
            "year_incorporated": SHORT,
            "parent_organization_id": GUID,
        },
        lists={
            "funding": "Funding",
            "contacts": "Contact",
            "phones": "Phone",
            "locations": "Location",
            "programs": "Program",
            "organization_identifiers": "OrganizationIdentifier",
            **TAGGED,
        },
    ),
    "Program": Entity(
        optional=dict.fromkeys(("name", "alternate_name", "description"), STRING), lists=TAGGED
    ),
    "Phone": Entity(
        required={"number": STRING},
        optional={"extension": SHORT, "type": STRING, "description": STRING},
        lists={"languages": "Language", **TAGGED},
    ),
    "Schedule": Entity(
        optional={
            "valid_from": DATETIME,
            "valid_to": DATETIME,
            "dtstart": DATETIME,
            "timezone": BYTE,
            "until": DATETIME,
            "count": SHORT,
            "wkst": STRING,
            "freq": STRING,
            "interval": SHORT,
            **dict.fromkeys(("byday", "byweekno", "bymonthday", "byyearday"), STRING),
            "description": STRING,
            "opens_at": TIMESPAN,
            "closes_at": TIMESPAN,
            **dict.fromkeys(("schedule_link", "attending_type", "notes"), STRING),
        },
        lists=TAGGED,
    ),
    "ServiceArea": Entity(
        optional=dict.fromkeys(("name", "description", "extent", "extent_type", "uri"), STRING),
        lists=TAGGED,
    ),
    "ServiceAtLocation": Entity(
        optional={"description": STRING},
        objects={"location": "Location"},
        lists={"contacts": "Contact", "phones": "Phone", "schedules": "Schedule", **TAGGED},
    ),
    "Location": Entity(
        required={"location_type": STRING},
        optional={
            **dict.fromkeys(
                (
                    "url",
                    "name",
                    "alternate_name",
                    "description",
                    "transportation",
                    "external_identifier",
                    "external_identifier_type",
                ),
                STRING,
            ),
            "latitude": DECIMAL,
            "longitude": DECIMAL,
        },
        lists={
            "languages": "Language",
            "addresses": "Address",
            "contacts": "Contact",
            "accessibility": "Accessibility",
            "phones": "Phone",
            "schedules": "Schedule",
            **TAGGED,
        },
    ),
    "Address": Entity(
        required=dict.fromkeys(
            ("address_1", "city", "state_province", "postal_code", "country", "address_type"),
            STRING,
        ),
        optional=dict.fromkeys(("attention", "address_2", "region"), STRING),
        lists=TAGGED,
    ),
    "Accessibility": Entity(
        optional=dict.fromkeys(("description", "details", "url"), STRING), lists=TAGGED
    ),
    "Language": Entity(optional=dict.fromkeys(("name", "code", "note"), STRING), lists=TAGGED),
    "Funding": Entity(optional={"source": STRING}, lists=TAGGED),
    "CostOption": Entity(
        optional={
            "valid_from": DATETIME,
            "valid_to": DATETIME,
            "option": STRING,
            "currency": STRING,
            "amount": DECIMAL,
            "amount_description": STRING,
        },
        lists=TAGGED,
    ),
    "RequiredDocument": Entity(optional={"document": STRING, "uri": STRING}, lists=TAGGED),
    "Contact": Entity(
        optional=dict.fromkeys(("name", "title", "department", "email"), STRING),
        lists={"phones": "Phone", **TAGGED},
    ),
    "OrganizationIdentifier": Entity(
        optional=dict.fromkeys(("identifier_scheme", "identifier_type", "identifier"), STRING),
        lists=TAGGED,
    ),
    "Attribute": Entity(
        required={"link_entity": STRING},
        optional={"link_id": GUID, "link_type": STRING, "value": STRING},
        objects={"taxonomy_term": "TaxonomyTerm"},
        lists={"metadata": "Metadata"},
    ),
    "TaxonomyTerm": Entity(
        required={"code": STRING, "name": STRING, "description": STRING},
        optional={"parent_id": GUID, "taxonomy": STRING, "language": STRING, "term_uri": STRING},
        objects={"taxonomy_detail": "Taxonomy"},
        lists={"metadata": "Metadata"},
    ),
    "Taxonomy": Entity(
        required={"name": STRING, "description": STRING},
        optional={"uri": STRING, "version": STRING},
        lists={"metadata": "Metadata"},
    ),
    "Metadata": Entity(
        required={
            "resource_type": STRING,
            "last_action_date": DATETIME,
            **dict.fromkeys(
                (
                    "last_action_type",
                    "field_name",
                    "previous_value",
                    "replacement_value",
                    "updated_by",
                ),
                STRING,
            ),
        },
        optional={"resource_id": GUID},
    ),
}

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# System.Text.Json's ISO 8601-1:2019 extended profile: a date, optionally a time (seconds and up
# to seven fraction digits optional), optionally Z or an offset.
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?)?$"
)
# TimeSpanConverter: Utf8Parser's constant ("c") format, at least hh:mm:ss.
_TIMESPAN = re.compile(r"^-?(?:\d+\.)?([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d{1,7})?$")


class Rejected(ValueError):
    """The service cannot be deserialised: the harvester logs it and drops the whole service."""


def _check_scalar(value, kind: str, path: str) -> None:
    if kind == STRING:
        ok = isinstance(value, str)
    elif kind == GUID:
        ok = isinstance(value, str) and bool(_GUID.match(value))
    elif kind == DATETIME:
        match = _DATETIME.match(value) if isinstance(value, str) else None
        ok = match is not None and _real_datetime(match)
    elif kind == TIMESPAN:
        ok = isinstance(value, str) and bool(_TIMESPAN.match(value))
    elif kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]
        # An integer member takes an integer token only: `2.0` and `"2"` are refused.
        ok = type(value) is int and low <= value <= high
    elif kind == DECIMAL:
        ok = type(value) in (int, float, decimal.Decimal)
    else:
        raise AssertionError(kind)
    if not ok:
        raise Rejected(f"{path}: {json.dumps(value, default=str)} is not a {kind}")


def _real_datetime(match: re.Match) -> bool:
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


def deserialise(value, entity: str = "Service", path: str = "") -> None:
    """Raise Rejected if `JsonSerializer.Deserialize<entity>` would throw on `value`."""
    spec = ENTITIES[entity]
    if not isinstance(value, dict):
        raise Rejected(f"{path or '(document)'}: {entity} must be a JSON object")
    required = {**BASE_REQUIRED, **spec.required}
    missing = sorted(set(required) - set(value))
    if missing:
        raise Rejected(f"{path or '(document)'}: {entity} lacks required {', '.join(missing)}")
    for key, item in value.items():
        where = f"{path}{key}"
        kind = required.get(key) or spec.optional.get(key)
        if item is None:
            # Nullable members and reference types take null; a plain `byte` does not.
            if key in NON_NULLABLE and entity == "Service":
                raise Rejected(f"{where}: null for a non-nullable {kind}")
            continue
        if kind is not None:
            _check_scalar(item, kind, where)
        elif key in spec.objects:
            deserialise(item, spec.objects[key], where + "/")
        elif key in spec.lists:
            if not isinstance(item, list):
                raise Rejected(f"{where}: must be a JSON array")
            for i, child in enumerate(item):
                deserialise(child, spec.lists[key], f"{where}/{i}/")
        # Any other member is not on the entity: System.Text.Json ignores it.


def parse(text: str):
    """JSON as System.Text.Json reads it: numbers keep their token type (an integer stays an
    `int`, a number with a fraction or exponent becomes a Decimal), no NaN or Infinity."""

    def refuse(constant: str):
        raise Rejected(f"{constant} is not JSON")

    return json.loads(text, parse_float=decimal.Decimal, parse_constant=refuse)


@dataclass
class Harvest:
    listed: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)  # id -> why


def harvest(client, registered_url: str) -> Harvest:
    """Harvest a feed as the DfE function does, through a Django test client.

    `registered_url` is what a directory registers (its `ApiConnection`); like .NET's HttpClient
    resolving `/services` against it, only its host is kept.
    """
    from urllib.parse import urlsplit

    host = urlsplit(registered_url).netloc
    result = Harvest()
    response = client.get("/services", HTTP_HOST=host)
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    result.listed = [str(item["id"]) for item in parse(body.decode())["contents"]]
    for service_id in result.listed:
        detail = client.get("/services/" + service_id, HTTP_HOST=host)
        if detail.status_code != 200:
            result.dropped[service_id] = f"HTTP {detail.status_code}"
            continue
        try:
            deserialise(parse(detail.content.decode()))
        except Rejected as exc:
            result.dropped[service_id] = str(exc)
            continue
        result.accepted.append(service_id)
    return result

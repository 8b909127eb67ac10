"""Our OpenAPI document (drf-spectacular): parameters as the views check them, responses as the
ORUK 3.0 schemas, which are added as components from `ORUK_SCHEMA_DIR` by a post-processing hook."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from directory.oruk.schemas import SCHEMA_BASE_URI, OrukFilesUnavailable, spec_dir
from directory.validators import DAY_CODES

# JSON-Schema keywords an OpenAPI 3.0 schema object may carry; the ORUK files add tabular and
# documentation keys (`constraints`, `datapackage_metadata`, `core` ...) that are left out.
SCHEMA_KEYWORDS = {
    "type", "properties", "items", "required", "enum", "format", "description", "title", "$ref",
    "minimum", "maximum", "pattern", "additionalProperties", "allOf", "anyOf", "oneOf", "default",
}  # fmt: skip
ORUK_COMPONENTS = (
    "service", "service_list", "service_at_location", "service_at_location_list", "organization",
    "organization_list", "taxonomy", "taxonomy_list", "taxonomy_term", "taxonomy_term_list",
    "api_details",
)  # fmt: skip
LOCAL_DEFINITION = "#/definitions/"
BAD_REQUEST = {
    "type": "object",
    "description": "A parameter is unknown, repeated or malformed (errors.BadParameter).",
    "required": ["error", "parameter", "message"],
    "properties": {
        "error": {"type": "string", "enum": ["bad_request"]},
        "parameter": {"type": "string", "description": "the parameter at fault"},
        "message": {"type": "string", "description": "what is wrong with it, in English"},
    },
    "example": {
        "error": "bad_request",
        "parameter": "page",
        "message": "page: Ensure this value is greater than or equal to 1.",
    },
}
NOT_FOUND = {
    "type": "object",
    "description": "No such record, feed or endpoint (errors.NotFound).",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "enum": ["not_found"]},
        "message": {"type": "string", "description": "what was not found, in English"},
    },
    "example": {"error": "not_found", "message": "There is no published service with id ..."},
}
NDJSON_BODY = {
    "type": "string",
    "description": (
        "format=ndjson: every match, one JSON object a line (the list item, or the full "
        "document with full=true), no envelope, streamed."
    ),
    "example": '{"id":"...","name":"..."}\n{"id":"...","name":"..."}\n',
}


def _component(name: str) -> dict:
    return {"$ref": f"#/components/schemas/oruk_{name}"}


def _sanitise(node: Any, stem: str = "") -> Any:
    """An ORUK schema as an OpenAPI 3.0 schema object: only the keywords OpenAPI knows, and every
    `$ref` pointing into our components. A file's own `#/definitions/x` (only
    `service_with_definitions.json` has them) becomes the component `oruk_<stem>__x`, which
    `_definitions` adds, so no reference is left pointing at nothing."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_BASE_URI):
                out[key] = f"#/components/schemas/oruk_{value[len(SCHEMA_BASE_URI) : -5]}"
            elif key == "$ref" and isinstance(value, str) and value.startswith(LOCAL_DEFINITION):
                out[key] = f"#/components/schemas/oruk_{stem}__{value[len(LOCAL_DEFINITION) :]}"
            elif key == "$ref" and not value:
                continue  # the envelope template's blank item reference: any item
            elif key == "properties":
                out[key] = {k: _sanitise(v, stem) for k, v in value.items()}
            elif key in SCHEMA_KEYWORDS:
                out[key] = _sanitise(value, stem)
        return out
    if isinstance(node, list):
        return [_sanitise(item, stem) for item in node]
    return node


def _definitions(schema: dict, stem: str) -> dict[str, dict]:
    """A schema file's own `definitions`, as components of their own (see `_sanitise`)."""
    return {
        f"oruk_{stem}__{name}": _sanitise(definition, stem)
        for name, definition in schema.get("definitions", {}).items()
    }


def add_oruk_schemas(result: dict, generator, request, public) -> dict:
    """Post-processing hook: the ORUK schemas become `oruk_*` components (refs rewritten)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["BadRequest"] = BAD_REQUEST
    schemas["NotFound"] = NOT_FOUND
    schemas["NdjsonStream"] = NDJSON_BODY
    try:
        folder = spec_dir() / "schema"
    except OrukFilesUnavailable:
        folder = None
    names = {p.stem for p in folder.glob("*.json")} if folder else set()
    for name in sorted(names | set(ORUK_COMPONENTS)):
        path = folder / f"{name}.json" if folder else None
        if path is not None and path.exists():
            schema = json.loads(path.read_text())
            schemas[f"oruk_{name}"] = _sanitise(schema, name)
            schemas.update(_definitions(schema, name))
        else:
            schemas[f"oruk_{name}"] = {"type": "object"}
    return result


def _query(name: str, kind, description: str, **extra) -> OpenApiParameter:
    """A query parameter; `kind` is an OpenApiTypes or a raw schema (for bounds)."""
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **extra)


def _bounded(kind: str, low: float, high: float) -> dict:
    return {"type": kind, "minimum": low, "maximum": high}


PAGE = [
    _query(
        "page",
        _bounded("integer", 1, 10_000_000),
        "Page number, from 1. Beyond the last page: an empty page.",
    ),
    _query(
        "per_page",
        _bounded("integer", 1, 1000),
        "Items a page: 50 unless given (or the feed's own default, which may be every match on "
        "one page), at most 1000.",
    ),
    _query(
        "format",
        OpenApiTypes.STR,
        "json (default), or ndjson: every match, one object a line, no envelope, streamed.",
        enum=["json", "ndjson"],
    ),
    _query("full", OpenApiTypes.BOOL, "Fully nested items, as the single-item endpoint gives."),
]
SEARCH = _query(
    "search",
    OpenApiTypes.STR,
    "Words to find (all of them): full text over name, organisation, taxonomy labels and "
    "description, English stemming, tolerant of small typos in names (PostgreSQL).",
)
SERVICE_FILTERS = [
    SEARCH,
    _query("taxonomy_term_id", OpenApiTypes.UUID, "Tagged with this term or a term below it."),
    _query("taxonomy_id", OpenApiTypes.UUID, "Tagged with any term of this taxonomy."),
    _query("organization_id", OpenApiTypes.UUID, "Run by this organisation."),
    _query(
        "modified_after",
        OpenApiTypes.STR,
        "Modified on or after this ISO 8601 date-time (no zone: UTC) or date (midnight UTC).",
    ),
    _query(
        "minimum_age",
        _bounded("number", 0, 150),
        "Open to people at least this old (ranges overlap).",
    ),
    _query(
        "maximum_age",
        _bounded("number", 0, 150),
        "Open to people at most this old (ranges overlap).",
    ),
    _query("day", OpenApiTypes.STR, "Runs on this day (RFC 5545 code).", enum=list(DAY_CODES)),
    _query("start_time", OpenApiTypes.STR, "With day: open after this time (HH:MM)."),
    _query("end_time", OpenApiTypes.STR, "With day: open before this time (HH:MM)."),
    _query(
        "postcode",
        OpenApiTypes.STR,
        "A UK postcode. Alone: services whose service area covers its local authority, or that "
        "state no area. With proximity: services within that distance, nearest first.",
    ),
    _query(
        "proximity",
        _bounded("number", 0, 1_000_000),
        "Metres from the postcode's centre (needs postcode).",
    ),
]
ERRORS = {
    400: OpenApiResponse(
        {"$ref": "#/components/schemas/BadRequest"},
        description="A parameter is unknown, repeated or malformed; the body names it.",
    ),
    404: OpenApiResponse(
        {"$ref": "#/components/schemas/NotFound"},
        description="No such record (or not published in this feed), feed or endpoint.",
    ),
}
NDJSON = OpenApiResponse(
    {"$ref": "#/components/schemas/NdjsonStream"},
    description="The page envelope (JSON), or with format=ndjson every match, one a line.",
)


def list_schema(component: str, parameters: list, description: str):
    return extend_schema(
        operation_id=component.removesuffix("_list") + "_list",
        parameters=parameters,
        responses={
            (200, "application/json"): OpenApiResponse(
                _component(component), description=NDJSON.description
            ),
            (200, "application/x-ndjson"): NDJSON,
            **ERRORS,
        },
        description=description,
    )


def detail_schema(component: str, description: str, parameters: list | None = None):
    return extend_schema(
        operation_id=component + "_detail",
        parameters=parameters or [],
        responses={
            200: OpenApiResponse(_component(component), description="The record, in full."),
            **ERRORS,
        },
        description=description,
    )


MINIMAL = _query(
    "minimal",
    OpenApiTypes.BOOL,
    "Only id, name, status and last_modified per service; up to 10,000 a page (1,000 default).",
)
FULL_SERVICE = _query(
    "full_service", OpenApiTypes.BOOL, "Each organisation with its published services, in full."
)
TERM_FILTERS = [
    SEARCH,
    _query("taxonomy_id", OpenApiTypes.UUID, "Terms of this taxonomy."),
    _query("parent_id", OpenApiTypes.UUID, "Terms directly under this term."),
    _query("top_only", OpenApiTypes.BOOL, "Top-level terms only (terms without a parent)."),
]

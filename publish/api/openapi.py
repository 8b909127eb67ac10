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
ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "enum": ["bad_request", "not_found"]},
        "parameter": {"type": "string", "description": "the parameter at fault"},
        "message": {"type": "string"},
    },
}


def _component(name: str) -> dict:
    return {"$ref": f"#/components/schemas/oruk_{name}"}


def _sanitise(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_BASE_URI):
                out[key] = f"#/components/schemas/oruk_{value[len(SCHEMA_BASE_URI) : -5]}"
            elif key == "properties":
                out[key] = {k: _sanitise(v) for k, v in value.items()}
            elif key in SCHEMA_KEYWORDS:
                out[key] = _sanitise(value)
        return out
    if isinstance(node, list):
        return [_sanitise(item) for item in node]
    return node


def add_oruk_schemas(result: dict, generator, request, public) -> dict:
    """Post-processing hook: the ORUK schemas become `oruk_*` components (refs rewritten)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ApiError"] = ERROR
    try:
        folder = spec_dir() / "schema"
    except OrukFilesUnavailable:
        folder = None
    names = {p.stem for p in folder.glob("*.json")} if folder else set()
    for name in sorted(names | set(ORUK_COMPONENTS)):
        path = folder / f"{name}.json" if folder else None
        if path is not None and path.exists():
            schemas[f"oruk_{name}"] = _sanitise(json.loads(path.read_text()))
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
        "per_page", _bounded("integer", 1, 1000), "Items a page: 50 unless given, at most 1000."
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
    400: OpenApiResponse(ERROR, description="A parameter is unknown or malformed; it is named."),
    404: OpenApiResponse(ERROR, description="No such record (or not published in this feed)."),
}


NDJSON = OpenApiResponse(
    {"type": "string", "description": "One item a line, as in contents (format=ndjson)."},
    description="Every match, one JSON object a line, no envelope.",
)


def list_schema(component: str, parameters: list, description: str):
    return extend_schema(
        operation_id=component.removesuffix("_list") + "_list",
        parameters=parameters,
        responses={
            (200, "application/json"): OpenApiResponse(_component(component)),
            (200, "application/x-ndjson"): NDJSON,
            **ERRORS,
        },
        description=description,
    )


def detail_schema(component: str, description: str, parameters: list | None = None):
    return extend_schema(
        operation_id=component + "_detail",
        parameters=parameters or [],
        responses={200: OpenApiResponse(_component(component)), **ERRORS},
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

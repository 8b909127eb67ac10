"""Finding and applying the ORUK 3.0 JSON schemas (the contract every document must meet).

The schema and example files stay in `../shared/oruk/v3` (setting `ORUK_SCHEMA_DIR`). Where that
folder is absent they are fetched once from the published specification into `ORUK_CACHE_DIR`.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

logger = logging.getLogger(__name__)

SCHEMA_BASE_URI = "https://openreferraluk.org/specifications/3.0/schema/"
SCHEMA_FILES = [
    "accessibility.json",
    "address.json",
    "api_details.json",
    "attribute.json",
    "contact.json",
    "cost_option.json",
    "empy_list_response.json",
    "funding.json",
    "language.json",
    "location.json",
    "open_api.json",
    "organization.json",
    "organization_identifier.json",
    "organization_list.json",
    "organization_package.json",
    "phone.json",
    "schedule.json",
    "service.json",
    "service_area.json",
    "service_at_location.json",
    "service_at_location_list.json",
    "service_at_location_package.json",
    "service_list.json",
    "service_package.json",
    "service_with_definitions.json",
    "taxonomy.json",
    "taxonomy_list.json",
    "taxonomy_term.json",
    "taxonomy_term_list.json",
]
PUBLISHED_EXAMPLE_FILES = [
    "organization_full.json",
    "organization_list.json",
    "service_at_location_full.json",
    "service_at_location_list.json",
    "service_full.json",
    "service_list.json",
    "taxonomy.json",
    "taxonomy_list.json",
    "taxonomy_term.json",
    "taxonomy_term_list.json",
]


class OrukFilesUnavailable(RuntimeError):
    """Neither ORUK_SCHEMA_DIR nor the published specification could provide the files."""


def _fetch(url: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url, timeout=20) as response:
        data = response.read()
    json.loads(data)  # refuse to cache anything that is not JSON
    target.write_bytes(data)


@cache
def spec_dir() -> Path:
    """The folder holding `schema/` (and examples): ORUK_SCHEMA_DIR, else a fetched cache."""
    configured = Path(settings.ORUK_SCHEMA_DIR)
    if (configured / "schema" / "service.json").is_file():
        return configured
    cache_dir = Path(settings.ORUK_CACHE_DIR)
    missing = [n for n in SCHEMA_FILES if not (cache_dir / "schema" / n).is_file()]
    missing_examples = [
        n for n in PUBLISHED_EXAMPLE_FILES if not (cache_dir / "published_examples" / n).is_file()
    ]
    try:
        for name in missing:
            _fetch(settings.ORUK_SPEC_BASE_URL + "schema/" + name, cache_dir / "schema" / name)
        for name in missing_examples:
            _fetch(
                settings.ORUK_SPEC_BASE_URL + "examples/" + name,
                cache_dir / "published_examples" / name,
            )
    except (OSError, ValueError) as exc:
        raise OrukFilesUnavailable(
            f"The ORUK 3.0 schemas are not in {configured} (ORUK_SCHEMA_DIR) and could not be "
            f"fetched from {settings.ORUK_SPEC_BASE_URL}: {exc}"
        ) from exc
    return cache_dir


@cache
def _registry() -> Registry:
    folder = spec_dir() / "schema"
    return Registry().with_resources(
        (
            SCHEMA_BASE_URI + path.name,
            Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012),
        )
        for path in folder.glob("*.json")
    )


@cache
def validator(schema_file: str) -> Draft202012Validator:
    schema = json.loads((spec_dir() / "schema" / schema_file).read_text())
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


@cache
def _gate(schema_file: str) -> jsonschema_rs.Validator:
    """The same schema compiled by jsonschema-rs, which tells a valid document from an invalid
    one about 80 times faster; `jsonschema` then words the problems of the invalid ones."""
    resources = [(uri, resource.contents) for uri, resource in _registry().items()]
    schema = json.loads((spec_dir() / "schema" / schema_file).read_text())
    return jsonschema_rs.Draft202012Validator(
        schema, registry=jsonschema_rs.Registry(resources), validate_formats=True
    )


def schema_errors(schema_file: str, document: Any) -> list[tuple[str, str]]:
    """Every way `document` breaks `schema_file`, as (JSON path, message) pairs, path-sorted."""
    if _gate(schema_file).is_valid(document):
        return []
    found = [
        ("/".join(map(str, error.absolute_path)), error.message)
        for error in validator(schema_file).iter_errors(document)
    ]
    return sorted(found)


def example_documents() -> list[Path]:
    """Every ORUK example document we hold (validator mocks and published examples)."""
    root = spec_dir()
    return sorted(
        path
        for folder in ("examples", "published_examples")
        for path in (root / folder).glob("*.json")
        if not path.name.startswith("dashboard_")
    )

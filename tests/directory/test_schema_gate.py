"""The fast schema check (jsonschema-rs) lets a document through without `jsonschema`'s words
only when `jsonschema` itself finds nothing wrong: were it laxer anywhere, an import would accept
what the portal refuses elsewhere."""

from __future__ import annotations

import copy
import json

import pytest

from directory.oruk import schemas
from tests.oruk_files import require_oruk_files

EXAMPLES = ("service_full", "organization_full", "service_at_location_full", "taxonomy_term")
SCHEMA_OF = {
    "service_full": "service.json",
    "organization_full": "organization.json",
    "service_at_location_full": "service_at_location.json",
    "taxonomy_term": "taxonomy_term.json",
}


def _example(name: str) -> dict:
    return json.loads((require_oruk_files() / "published_examples" / f"{name}.json").read_text())


def _slow_errors(schema_file: str, doc: dict) -> list:
    return list(schemas.validator(schema_file).iter_errors(doc))


def _set(doc: dict, path: tuple, value: object) -> dict:
    changed = copy.deepcopy(doc)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


# Each breaks one rule of the service schema: formats, enums, types, required members.
BROKEN_SERVICES = [
    (("id",), "not-a-uuid"),
    (("id",), "0013d092e08a47d3beb35b9ce1de04fd"),
    (("email",), "no at sign"),
    (("url",), "not a uri"),
    (("status",), "open"),
    (("minimum_age",), "ten"),
    (("assured_date",), "2026-13-45"),
    (("assured_date",), "3 March 2026"),
    (("last_modified",), "2026-02-30T10:00:00Z"),
    (("last_modified",), "yesterday"),
    (("schedules", 0, "opens_at"), "25:00"),
    (("schedules", 0, "freq"), "FORTNIGHTLY"),
    (("schedules", 0, "id"), 12),
    (("service_at_locations", 0, "location", "latitude"), "north"),
    (("cost_options", 0, "amount"), "free"),
    (("contacts", 0, "email"), "nobody"),
    (("organization", "website"), "www example org"),
    (("name",), None),
]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_published_examples_pass_both_checks(name):
    doc, schema_file = _example(name), SCHEMA_OF[name]

    assert schemas._gate(schema_file).is_valid(doc)
    assert not _slow_errors(schema_file, doc)
    assert schemas.schema_errors(schema_file, doc) == []


@pytest.mark.parametrize(("path", "value"), BROKEN_SERVICES)
def test_the_fast_check_passes_a_document_only_when_jsonschema_does(path, value):
    doc = _example("service_full")
    try:
        broken = _set(doc, path, value)
    except (KeyError, IndexError):
        pytest.skip(f"the example has no {path}")

    slow = _slow_errors("service.json", broken)
    if schemas._gate("service.json").is_valid(broken):
        assert not slow, [error.message for error in slow]
    # Whatever the gate says, the problems reported are jsonschema's.
    assert schemas.schema_errors("service.json", broken) == sorted(
        ("/".join(map(str, e.absolute_path)), e.message) for e in slow
    )


def test_a_missing_required_member_is_refused_by_both():
    broken = _example("service_full")
    del broken["name"]

    assert not schemas._gate("service.json").is_valid(broken)
    assert schemas.schema_errors("service.json", broken) == [("", "'name' is a required property")]

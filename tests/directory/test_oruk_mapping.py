"""The one ORUK mapping: every published example imports, exports back equal and validates.

Documented normalisation (README, "ORUK mapping"): nested arrays come back ordered by id; a
top-level service gains `organization_id` and a top-level service_at_location gains `service_id` and
`location_id` (ORUK's tabular form requires them); times come back as HH:MM:SS; attributes gain
HSDS 3.0's `link_entity` and taxonomy terms its `code` (export-only `shapes.Extra` fields).
"""

from __future__ import annotations

import copy
import json

import pytest

from directory import models as m
from directory import oruk
from tests.oruk_files import assert_valid, require_oruk_files

LIST_SCHEMAS = {
    "service": "service_list.json",
    "service_at_location": "service_at_location_list.json",
    "organization": "organization_list.json",
    "taxonomy": "taxonomy_list.json",
    "taxonomy_term": "taxonomy_term_list.json",
}
# Internally inconsistent published mock (non-UUID nested ids, identifier without its type): the
# importer must refuse it, naming each problem, rather than round-trip it.
INVALID_EXAMPLES = {"examples/organization_list.json"}


def _example_paths():
    root = require_oruk_files()
    return root, [
        p
        for p in oruk.example_documents()
        if p.name != "api_details.json" and f"{p.parent.name}/{p.name}" not in INVALID_EXAMPLES
    ]


def _sorted_arrays(value):
    if isinstance(value, dict):
        return {k: _sorted_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_arrays(v) for v in value]
        if all(isinstance(i, dict) and "id" in i for i in items):
            items.sort(key=lambda i: i["id"])
        return items
    return value


# Export-only HSDS 3.0 fields (`shapes.Extra`), by the key their object is nested under.
EXPORT_ONLY = {"attributes": {"link_entity"}, "taxonomy_term": {"code"}, "taxonomy_terms": {"code"}}


def _without_export_only(value, key: str = ""):
    if isinstance(value, dict):
        drop = EXPORT_ONLY.get(key, set())
        return {k: _without_export_only(v, k) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [_without_export_only(v, key) for v in value]
    return value


def normalised(doc: dict, kind: str) -> dict:
    doc = _without_export_only(copy.deepcopy(doc), kind if kind == "taxonomy_term" else "")
    if kind == "service" and "organization" in doc:
        doc.setdefault("organization_id", doc["organization"]["id"])
    if kind == "service_at_location":
        doc.setdefault("location_id", doc["location"]["id"])
        if "service" in doc:
            doc.setdefault("service_id", doc["service"]["id"])
            doc["service"].setdefault("organization_id", doc["service"]["organization"]["id"])
    return _sorted_arrays(doc)


def export_full(kind: str, record_id: str) -> dict:
    if kind == "service":
        return oruk.service_document(m.Service.objects.get(pk=record_id))
    if kind == "organization":
        org = m.Organization.objects.get(pk=record_id)
        return oruk.organization_document(org, services="full")
    if kind == "service_at_location":
        return oruk.service_at_location_document(m.ServiceAtLocation.objects.get(pk=record_id))
    if kind == "taxonomy":
        return oruk.taxonomy_document(m.Taxonomy.objects.get(pk=record_id))
    return oruk.taxonomy_term_document(m.TaxonomyTerm.objects.get(pk=record_id))


def export_list_item(kind: str, record_id: str) -> dict:
    if kind == "service":
        return oruk.service_list_items([m.Service.objects.get(pk=record_id)])[0]
    if kind == "organization":
        return oruk.organization_list_items([m.Organization.objects.get(pk=record_id)])[0]
    if kind == "service_at_location":
        sal = m.ServiceAtLocation.objects.get(pk=record_id)
        return oruk.service_at_location_list_items([sal])[0]
    if kind == "taxonomy":
        return oruk.taxonomy_document(m.Taxonomy.objects.get(pk=record_id), with_terms=False)
    return oruk.taxonomy_term_document(m.TaxonomyTerm.objects.get(pk=record_id))


def test_the_examples_are_found():
    _, paths = _example_paths()
    assert len(paths) >= 19


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stem",
    [
        "service_full",
        "organization",  # examples/ names the full organisation this way
        "organization_full",  # published_examples/ this way
        "service_at_location_full",
        "taxonomy",
        "taxonomy_term",
    ],
)
def test_full_example_round_trips_and_validates(stem):
    root = require_oruk_files()
    paths = [
        p for p in (root / "examples", root / "published_examples") if (p / f"{stem}.json").exists()
    ]
    assert paths, f"no {stem}.json among the examples"
    for folder in paths:
        doc = json.loads((folder / f"{stem}.json").read_text())
        kind = oruk.detect_kind(doc)
        oruk.import_document(doc)
        exported = export_full(kind, doc["id"])
        assert normalised(exported, kind) == normalised(doc, kind), folder.name
        assert_valid(f"{kind}.json", exported)
        for service in exported.get("services", []):
            assert_valid("service.json", service)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        f"{folder}/{kind}_list.json"
        for folder in ("examples", "published_examples")
        for kind in LIST_SCHEMAS
        if f"{folder}/{kind}_list.json" not in INVALID_EXAMPLES
    ],
)
def test_list_example_round_trips_and_validates(name):
    root = require_oruk_files()
    page = json.loads((root / name).read_text())
    items = page["contents"]
    report = oruk.import_documents(lambda: items, partial=True)
    assert report.imported == len(items)
    kind = oruk.detect_kind(items[0])
    exported = [export_list_item(kind, item["id"]) for item in items]
    assert [normalised(e, kind) for e in exported] == [normalised(i, kind) for i in items]
    envelope = {**page, "contents": exported}
    assert_valid(LIST_SCHEMAS[kind], envelope)
    for item in exported:
        assert_valid(f"{kind}.json", item)


@pytest.mark.django_db
def test_inconsistent_published_mock_is_refused_with_every_problem():
    root = require_oruk_files()
    page = json.loads((root / "examples/organization_list.json").read_text())
    with pytest.raises(oruk.ImportFailed) as failed:
        oruk.import_documents(lambda: page["contents"], partial=True)
    problems = failed.value.report.problems
    paths = {(p.record_id, p.path) for p in problems}
    assert ("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "organization_identifiers/0/id") in paths
    assert any("identifier_type" in p.message for p in problems)
    assert m.Organization.objects.count() == 0


@pytest.mark.django_db
def test_importing_twice_changes_nothing_the_second_time():
    root = require_oruk_files()
    doc = json.loads((root / "examples/service_full.json").read_text())
    oruk.import_document(doc)
    first = oruk.service_document(m.Service.objects.get())
    counts = {
        model: model.objects.count() for model in (m.Service, m.Schedule, m.Location, m.Attribute)
    }
    report = oruk.import_document(doc)
    assert not any(action in ("created", "updated", "deleted") for _, action in report.counts)
    assert oruk.service_document(m.Service.objects.get()) == first
    assert counts == {model: model.objects.count() for model in counts}

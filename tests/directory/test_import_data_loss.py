"""Imports never lose data silently: an id that names two records, a record met twice, and a
document no parser should recurse into are named problems, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory import models as m
from directory import oruk
from tests.directory.test_import_export import database_state, service_doc, write_json

__all__ = ["service_doc"]  # the fixture, shared with the import/export tests

pytestmark = pytest.mark.django_db


def _import_fails(path: Path, capsys) -> str:
    before = database_state()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_oruk", str(path))
    assert database_state() == before
    return capsys.readouterr().err


def test_two_services_sharing_a_schedule_id_are_refused(tmp_path, service_doc, capsys):
    first, second = service_doc("a"), service_doc("b")
    shared = first["schedules"][0]["id"]
    second["schedules"][0]["id"] = shared

    errors = _import_fails(write_json(tmp_path / "two.json", [first, second]), capsys)

    assert f"{second['id']}\tschedules/0/id\t{shared} is also the id of the schedule" in errors
    assert f"at schedules/0 of {first['id']}" in errors


def test_the_same_service_twice_in_a_file_is_refused(tmp_path, service_doc, capsys):
    first = service_doc("a")
    again = {**first, "name": "A later copy"}

    errors = _import_fails(write_json(tmp_path / "twice.json", [first, again]), capsys)

    assert f"{first['id']}\tid\t{first['id']} is also the id of the service" in errors
    assert "at the document of" in errors


def test_two_languages_of_one_service_with_one_id_are_refused(tmp_path, service_doc, capsys):
    doc = service_doc("a")
    doc["languages"] = [doc["languages"][0], {**doc["languages"][0], "name": "Welsh"}]

    errors = _import_fails(write_json(tmp_path / "languages.json", [doc]), capsys)

    assert f"{doc['id']}\tlanguages/1/id\t" in errors


def test_a_nested_id_another_service_owns_in_the_directory_is_refused(service_doc):
    first = service_doc("a")
    oruk.import_document(first)
    second = service_doc("b")
    second["schedules"][0]["id"] = first["schedules"][0]["id"]

    with pytest.raises(oruk.ImportFailed) as failed:
        oruk.import_document(second)

    [problem] = [p for p in failed.value.report.problems if p.path == "schedules/0/id"]
    assert "belongs to another record" in problem.message
    assert str(first["id"]) in problem.message
    schedule = m.Schedule.objects.get(pk=first["schedules"][0]["id"])
    assert str(schedule.service_id) == first["id"]
    assert not m.Service.objects.filter(pk=second["id"]).exists()


def test_a_location_shared_by_two_services_is_not_a_reused_id(service_doc):
    """A location (and its address) nested under both of the services held there is one
    record met twice, as ORUK documents carry it, and imports."""
    first, second = service_doc("a"), service_doc("b")
    second["service_at_locations"][0]["location"] = first["service_at_locations"][0]["location"]

    report = oruk.import_documents(lambda: [first, second])

    assert report.ok and report.imported == 2
    location_id = first["service_at_locations"][0]["location"]["id"]
    assert m.ServiceAtLocation.objects.filter(location_id=location_id).count() == 2


def test_reimporting_the_same_file_is_still_idempotent(service_doc):
    docs = [service_doc("a"), service_doc("b")]
    oruk.import_documents(lambda: docs)
    before = database_state()

    report = oruk.import_documents(lambda: docs)

    assert report.ok and database_state() == before


def test_json_nested_a_thousand_levels_deep_gets_a_message(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_text("[" * 1000 + "]" * 1000)

    with pytest.raises(CommandError, match=r"deep\.json is nested too deeply to be ORUK JSON"):
        call_command("import_oruk", str(path))


def test_ndjson_line_nested_too_deeply_gets_a_message(tmp_path):
    path = tmp_path / "deep.ndjson"
    path.write_text('{"id": "x"}\n' + '{"a":' * 5000 + "1" + "}" * 5000 + "\n")

    with pytest.raises(CommandError, match="line 2 is nested too deeply"):
        call_command("import_oruk", str(path))


def test_a_document_deeper_than_oruk_is_a_problem_not_a_crash(tmp_path, service_doc, capsys):
    doc = service_doc("a")
    nested: dict = {"name": "x"}
    for _ in range(200):
        nested = {"x": nested}
    doc["extra"] = nested

    errors = _import_fails(write_json(tmp_path / "deep.json", [doc]), capsys)

    assert f"{doc['id']}\t-\tis nested more than {oruk.load.MAX_DEPTH} levels deep" in errors
    assert json.dumps(doc)  # the document itself was fine JSON

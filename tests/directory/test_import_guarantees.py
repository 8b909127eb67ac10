"""The guarantees an import keeps however it is carried out (issue 13): the loader may check and
write documents in batches of `directory.oruk.load.BATCH_DOCUMENTS`, and still imports all or
nothing, names every problem with its document id, JSON path and reason, logs changed fields
only, changes nothing on a rerun, refuses a nested id used twice across batches, creates a shared
record once, and gives the same database whatever the batch size.

Every test sets `BATCH_DOCUMENTS` small (3), so that its documents span several batches; the
per-record loader of today has no such constant, which `raising=False` allows.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from directory import models as m
from directory import oruk
from directory.oruk import load
from tests.directory.test_import_export import database_state, service_doc

__all__ = ["service_doc"]  # the fixture, shared with the import/export tests

pytestmark = pytest.mark.django_db

BATCH = 3
# Written by the clock, not by the documents: left out when two imports' rows are compared.
CLOCK_FIELDS = {"created_at", "updated_at", "last_action_date"}


@pytest.fixture(autouse=True)
def batch_size(monkeypatch) -> Callable[[int], None]:
    """Sets `BATCH_DOCUMENTS` (BATCH unless a test asks for another size)."""

    def set_size(size: int) -> None:
        monkeypatch.setattr(load, "BATCH_DOCUMENTS", size, raising=False)

    set_size(BATCH)
    return set_size


@pytest.fixture
def documents(service_doc) -> Callable[..., list[dict]]:
    """`documents(n)`: n distinct full services (the ORUK example with fresh ids), each with a
    phone of its own, which the example lacks."""

    def make(count: int, prefix: str = "doc") -> list[dict]:
        docs = []
        for n in range(count):
            doc = service_doc(f"{prefix}{n}")
            doc["phones"] = [
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{prefix}{n}:phone")),
                    "number": f"01482 300 {n:03d}",
                }
            ]
            docs.append(doc)
        return docs

    return make


def _import(docs: list[Any]) -> oruk.ImportReport:
    return oruk.import_documents(lambda: iter(docs))


def _directory_rows() -> dict[str, int]:
    """How many rows each model of the directory app holds."""
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("directory").get_models()
    }


def _dump() -> dict[str, list[tuple]]:
    """Every row of every directory model as the import wrote it, in a stable order, without
    the values the clock writes (Metadata rows have fresh ids, so they are compared by content)."""
    rows = {}
    for model in apps.get_app_config("directory").get_models():
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in CLOCK_FIELDS]
        if model is m.Metadata:
            names.remove("id")
        rows[model.__name__] = sorted(
            (tuple(row) for row in model.objects.values_list(*names)), key=repr
        )
    return rows


def _updated_at() -> dict[str, list[tuple]]:
    """When each row of the directory was last saved."""
    return {
        model.__name__: list(model.objects.order_by("pk").values_list("pk", "updated_at"))
        for model in apps.get_app_config("directory").get_models()
    }


# --- all or nothing ---------------------------------------------------------------------------


def _ages_reversed(doc: dict) -> None:
    doc.update(minimum_age=40, maximum_age=18)


def _bad_status(doc: dict) -> None:
    doc["status"] = "open"


def _unknown_term(doc: dict) -> None:
    doc["attributes"] = [{"id": str(uuid.uuid4()), "taxonomy_term_id": str(uuid.uuid4())}]


@pytest.mark.parametrize(
    "break_it",
    [_ages_reversed, _bad_status, _unknown_term],
    ids=["model-validation", "schema", "unknown-term"],
)
def test_a_broken_document_in_the_last_batch_imports_nothing(documents, break_it):
    """Eight good services fill the first batches; the ninth, the last document of the last
    batch, is broken: nothing at all is written, not the batches before it either."""
    docs = documents(9)
    broken = docs[-1]
    break_it(broken)
    before = _directory_rows()

    with pytest.raises(oruk.ImportFailed) as failed:
        _import(docs)

    report = failed.value.report
    assert report.problems
    assert {problem.record_id for problem in report.problems} == {broken["id"]}
    assert report.documents == 9
    assert _directory_rows() == before
    assert not m.Service.objects.exists() and not m.Schedule.objects.exists()
    assert not m.Phone.objects.exists() and not m.Metadata.objects.exists()


# --- every problem named ------------------------------------------------------------------------


def test_every_problem_in_every_batch_is_named_with_id_path_and_reason(documents):
    docs = documents(10)
    missing_organization = uuid.uuid4()
    missing_term = uuid.uuid4()
    docs[1]["schedules"][0]["id"] = "not-a-uuid"
    docs[3]["status"] = "open"
    docs[5].update(minimum_age=40, maximum_age=18)
    docs[7]["attributes"] = [{"id": str(uuid.uuid4()), "taxonomy_term_id": str(missing_term)}]
    del docs[9]["organization"]
    docs[9]["organization_id"] = str(missing_organization)
    before = _directory_rows()

    with pytest.raises(oruk.ImportFailed) as failed:
        _import(docs)

    problems = failed.value.report.problems
    # One report holds them all, each named once: not only the first, not one per pass.
    assert Counter((p.record_id, p.path) for p in problems) == Counter(
        {
            (docs[1]["id"], "schedules/0/id"): 1,
            (docs[3]["id"], "status"): 1,
            (docs[5]["id"], "maximum_age"): 1,
            (docs[7]["id"], "attributes/0/taxonomy_term_id"): 1,
            (docs[9]["id"], "organization_id"): 1,
        }
    )
    reasons = {p.record_id: p.message for p in problems}
    assert "uuid" in reasons[docs[1]["id"]].lower()
    assert "open" in reasons[docs[3]["id"]]
    assert "Maximum age must be the same as or more than the minimum age" in reasons[docs[5]["id"]]
    assert f"taxonomy term {missing_term} is not in the portal" in reasons[docs[7]["id"]]
    assert str(missing_organization) in reasons[docs[9]["id"]]
    assert failed.value.report.skipped == 5
    assert _directory_rows() == before


# --- the change log ---------------------------------------------------------------------------


def test_a_reimport_logs_the_changed_fields_and_nothing_else(documents):
    docs = documents(5)
    _import(docs)
    logged = set(m.Metadata.objects.values_list("pk", flat=True))
    renamed, rescheduled, renumbered = docs[1], docs[3], docs[4]
    old_name = renamed["name"]
    renamed["name"] = "Counselling for carers"
    rescheduled["schedules"][0]["opens_at"] = "09:30:00"
    old_number = renumbered["phones"][0]["number"]
    renumbered["phones"][0]["number"] = "01482 999 999"

    report = _import(docs)

    new = m.Metadata.objects.exclude(pk__in=logged)
    assert sorted(
        new.values_list(
            "resource_id",
            "resource_type",
            "last_action_type",
            "field_name",
            "previous_value",
            "replacement_value",
        ),
        key=repr,
    ) == sorted(
        [
            (
                uuid.UUID(renamed["id"]),
                "service",
                m.ActionType.UPDATE,
                "name",
                old_name,
                "Counselling for carers",
            ),
            (
                uuid.UUID(rescheduled["schedules"][0]["id"]),
                "schedule",
                m.ActionType.UPDATE,
                "opens_at",
                "10:00:00",
                "09:30:00",
            ),
            (
                uuid.UUID(renumbered["phones"][0]["id"]),
                "phone",
                m.ActionType.UPDATE,
                "number",
                old_number,
                "01482 999 999",
            ),
        ],
        key=repr,
    )
    assert {action for (_kind, action) in report.counts} == {"updated", "unchanged"}
    assert report.counts[("service", "updated")] == 1
    assert report.counts[("schedule", "updated")] == 1
    assert report.counts[("phone", "updated")] == 1
    assert report.counts[("service", "unchanged")] == 4


# --- a rerun changes nothing ------------------------------------------------------------------


def test_rerunning_the_same_file_changes_nothing(documents):
    """Half the documents carry no last_modified (the import dates them when it changes them):
    a rerun must not move it, nor any row's updated_at."""
    docs = documents(7)
    for doc in docs[::2]:
        del doc["last_modified"]
    first = _import(docs)
    assert first.counts[("service", "created")] == 7
    before = database_state()
    stamps = _updated_at()
    last_modified = dict(m.Service.objects.values_list("pk", "last_modified"))
    changes = m.Metadata.objects.count()

    report = _import(docs)

    assert report.ok and report.imported == 7
    assert {action for (_kind, action) in report.counts} == {"unchanged"}, report.summary()
    assert report.counts[("service", "unchanged")] == 7
    assert m.Metadata.objects.count() == changes
    assert dict(m.Service.objects.values_list("pk", "last_modified")) == last_modified
    assert _updated_at() == stamps
    assert database_state() == before


# --- reused ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("array", ["schedules", "phones"])
def test_a_nested_id_reused_in_another_batch_is_a_problem_naming_both_places(documents, array):
    docs = documents(6)
    first, second = docs[1], docs[4]  # the first batch and the second
    shared = first[array][0]["id"]
    second[array][0]["id"] = shared

    with pytest.raises(oruk.ImportFailed) as failed:
        _import(docs)

    [problem] = failed.value.report.problems
    assert (problem.record_id, problem.path) == (second["id"], f"{array}/0/id")
    assert f"{shared} is also the id of the" in problem.message
    assert f"at {array}/0 of {first['id']}" in problem.message
    assert not m.Service.objects.exists() and not m.Metadata.objects.exists()


# --- shared records -------------------------------------------------------------------------------


def test_a_location_and_an_organization_shared_across_batches_are_created_once(documents):
    docs = documents(6)
    location = docs[0]["service_at_locations"][0]["location"]
    docs[4]["service_at_locations"][0]["location"] = location
    organization = docs[1]["organization"]
    docs[5]["organization"] = organization

    report = _import(docs)

    assert report.ok and report.imported == 6
    assert set(
        m.ServiceAtLocation.objects.filter(location_id=location["id"]).values_list(
            "service_id", flat=True
        )
    ) == {uuid.UUID(docs[0]["id"]), uuid.UUID(docs[4]["id"])}
    assert m.Location.objects.count() == 5
    assert m.Address.objects.filter(location_id=location["id"]).count() == 1
    assert set(
        m.Service.objects.filter(organization_id=organization["id"]).values_list("pk", flat=True)
    ) == {uuid.UUID(docs[1]["id"]), uuid.UUID(docs[5]["id"])}
    assert m.Organization.objects.count() == 5
    assert report.counts[("location", "created")] == 5
    assert report.counts[("organization", "created")] == 5
    for shared in (location, organization):
        created = m.Metadata.objects.filter(
            resource_id=shared["id"], last_action_type=m.ActionType.CREATE
        )
        assert created.count() == 1


# --- any batch size -------------------------------------------------------------------------------


def test_every_batch_size_gives_the_same_database(documents, batch_size):
    """Shared records, a shared new taxonomy term and a service updated in place, split across
    batches every way: batch sizes 1, 3 and 100 write the same rows and report the same."""
    existing = documents(2, prefix="old")
    _import(existing)
    docs = documents(7)
    docs[5]["service_at_locations"][0]["location"] = docs[0]["service_at_locations"][0]["location"]
    docs[6]["organization"] = docs[2]["organization"]
    docs[4]["attributes"][0]["taxonomy_term"] = docs[1]["attributes"][0]["taxonomy_term"]
    changed = {**existing[1], "name": "Renamed in the second import"}
    docs.insert(3, changed)
    dumps, counts = {}, {}

    for size in (1, 3, 100):
        batch_size(size)
        with transaction.atomic():
            counts[size] = _import(docs).counts
            dumps[size] = _dump()
            transaction.set_rollback(True)

    assert counts[1] == counts[3] == counts[100]
    assert dumps[1] == dumps[3]
    assert dumps[1] == dumps[100]
    assert len(dumps[1]["Service"]) == 9


# --- query counts ------------------------------------------------------------------------------


def _statements(queries: list[dict]) -> int:
    """The queries made, a bulk INSERT that the database backend cut into chunks counted once:
    SQLite takes 999 parameters a statement, so Django splits a long `bulk_create` by rows,
    which is the backend's limit, not work per document."""
    count, previous = 0, None
    for query in queries:
        sql = query["sql"]
        insert = sql.partition(" VALUES ")[0] if sql.startswith("INSERT INTO") else None
        if insert is None or insert != previous:
            count += 1
        previous = insert
    return count


def test_import_query_count_does_not_grow_with_the_documents_in_a_batch(documents, batch_size):
    """A batch costs a fixed number of queries, however many documents it holds: importing 3 or
    12 alike documents into an empty directory, all in one batch of 12, makes the same number.

    Expected to FAIL on the per-record loader of today (its queries grow with every record:
    a SELECT per nested record, per-row uniqueness checks); it pins the set-based loader of
    issue 13.
    """
    batch_size(12)
    docs = documents(12)
    queries, raw = {}, {}
    for count in (3, 12):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                report = _import(docs[:count])
            assert report.imported == count
            queries[count] = _statements(captured.captured_queries)
            raw[count] = len(captured)
            transaction.set_rollback(True)

    assert queries[12] == queries[3], (
        f"{queries[3]} statements for 3 documents, {queries[12]} for 12 in one batch "
        f"({raw[3]} and {raw[12]} queries before joining a bulk INSERT's chunks)"
    )

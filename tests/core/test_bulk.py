"""core.bulk: COPY inserts, `= ANY(array)` lookups and statistics after bulk writes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection

from core.bulk import analyze, id_lists, insert_rows, insert_values
from directory import models as m

pytestmark = pytest.mark.django_db


def test_insert_rows_writes_every_field_and_sets_the_timestamps():
    services = [
        m.Service(id=uuid.uuid4(), name=f"Service {n}", status="active", minimum_age=n)
        for n in range(3)
    ]
    insert_rows(m.Service, services)

    stored = {s.pk: s for s in m.Service.objects.all()}
    assert set(stored) == {s.pk for s in services}
    for service in services:
        row = stored[service.pk]
        assert (row.name, row.status, row.minimum_age) == (
            service.name,
            "active",
            service.minimum_age,
        )
        assert row.created_at is not None and row.updated_at >= row.created_at


def test_insert_values_fills_defaults_and_keeps_what_is_given():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    resource = uuid.uuid4()
    rows = [
        {
            "resource_id": resource,
            "resource_type": "service",
            "last_action_date": when,
            "last_action_type": m.ActionType.UPDATE,
            "field_name": name,
            "previous_value": "a",
            "replacement_value": "b",
            "updated_by": "test",
        }
        for name in ("name", "email")
    ]
    insert_values(m.Metadata, rows)

    logged = list(m.Metadata.objects.order_by("field_name"))
    assert [row.field_name for row in logged] == ["email", "name"]
    assert {row.last_action_date for row in logged} == {when}
    assert {row.last_action_type for row in logged} == {"update"}
    assert len({row.pk for row in logged}) == 2  # each its own new id
    assert all(row.user_id is None and row.created_at for row in logged)


def test_any_lookup_finds_what_in_finds():
    ids = [uuid.uuid4() for _ in range(5)]
    insert_rows(m.Service, [m.Service(id=pk, name="S", status="active") for pk in ids])
    wanted = [*ids[1:4], uuid.uuid4()]

    found = set(m.Service.objects.filter(pk__any=wanted).values_list("pk", flat=True))

    assert found == set(ids[1:4])
    assert found == set(m.Service.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert not m.Service.objects.filter(pk__any=[]).exists()


def test_id_lists_split_only_where_the_database_limits_parameters():
    lists = list(id_lists(range(1200), size=500))
    assert [n for chunk in lists for n in chunk] == list(range(1200))
    if connection.vendor == "postgresql":
        assert len(lists) == 1
    else:
        assert [len(chunk) for chunk in lists] == [500, 500, 200]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_analyze_refreshes_the_planners_row_counts():
    def estimate() -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE relname = %s", [m.Service._meta.db_table]
            )
            return cursor.fetchone()[0]

    insert_rows(
        m.Service, [m.Service(id=uuid.uuid4(), name="S", status="active") for _ in range(50)]
    )
    analyze([m.Service])

    assert estimate() == 50

"""Writing many new rows at once, as fast as the database allows."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, models
from django.db.models import lookups
from django.utils import timezone

# Values of these fields reach psycopg as they are: Django's preparation (`get_db_prep_save`)
# returns them unchanged on PostgreSQL, and costs more than the COPY itself.
_AS_THEY_ARE = (
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.FloatField,
    models.IntegerField,
    models.TextField,
    models.TimeField,
    models.UUIDField,
)


def _as_is(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    # DateTimeField (a DateField) makes naive values aware, so it is prepared.
    return isinstance(field, _AS_THEY_ARE) and not isinstance(field, models.DateTimeField)


def insert_rows(model: type[models.Model], rows: list[models.Model]) -> None:
    """Insert new rows. On PostgreSQL through COPY: bulk_create binds every value as a
    parameter, prepared and escaped in Python (for wide rows, most of a bulk write's time).

    auto_now timestamps are set, as a save sets them."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows)
        return
    fields = _copied_fields(model)
    now = timezone.now()  # one time for the rows, as one bulk_create gives them
    automatic = [field.attname for field in fields if _is_automatic(field)]
    for row in rows:
        for attname in automatic:
            setattr(row, attname, now)
    _copy(model, fields, ([getattr(row, field.attname) for field in fields] for row in rows))


def insert_values(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert new rows given as {attname: value}; other fields take their defaults (a new id,
    the time now). Many small rows (a change log) cost far less so than as model instances,
    whose construction would take longer than the COPY."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    fields = _copied_fields(model)
    now = timezone.now()
    missing = [
        (index, field)
        for index, field in enumerate(fields)
        if field.attname not in rows[0] and not _is_automatic(field)
    ]
    timestamps = [index for index, field in enumerate(fields) if _is_automatic(field)]

    def values(row: dict[str, Any]) -> list[Any]:
        out = [row.get(field.attname) for field in fields]
        for index, field in missing:
            out[index] = field.get_default()
        for index in timestamps:
            out[index] = now
        return out

    _copy(model, fields, (values(row) for row in rows))


def _copied_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]


def _is_automatic(field: models.Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _copy(model: type[models.Model], fields: list[models.Field], rows: Iterable[list]) -> None:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    as_is = [_as_is(field) for field in fields]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    value if plain or _aware(value) else field.get_db_prep_save(value, connection)
                    for field, plain, value in zip(fields, as_is, row, strict=True)
                ]
            )


def _aware(value: Any) -> bool:
    """An aware datetime, which DateTimeField would hand to psycopg unchanged."""
    return isinstance(value, datetime.datetime) and value.tzinfo is not None


@models.Field.register_lookup
class AnyOf(lookups.In):
    """`field__any=values`: on PostgreSQL `field = ANY(%s)`, the values bound as one array,
    which costs the same for ten values or fifty thousand (IN prepares, binds and parses each,
    and past SQLite's 999 parameters must be split); elsewhere it is IN."""

    lookup_name = "any"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


models.ForeignKey.register_lookup(AnyOf)  # related fields keep lookups of their own


def id_lists(values: Iterable[Any], size: int = 500) -> Iterator[list[Any]]:
    """`values` in lists for `__any` lookups: one list on PostgreSQL, lists of `size` elsewhere
    (SQLite limits the parameters of a statement)."""
    iterator = iter(values)
    if connection.vendor == "postgresql":
        if values := list(iterator):
            yield values
        return
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def analyze(tables: Iterable[type[models.Model]]) -> None:
    """Refresh PostgreSQL's statistics of these models' tables after a bulk write. Until
    autovacuum gets there, the planner still sees the tables as they were: after a first import
    or publish, a few hundred rows, and it plans joins over the new tens of thousands so."""
    if connection.vendor != "postgresql":
        return
    names = sorted({connection.ops.quote_name(model._meta.db_table) for model in tables})
    if names:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(names)}")

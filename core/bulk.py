"""Writing many new rows at once, as fast as the database allows."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, models
from django.db.models import lookups

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

    auto_now timestamps are set as a save sets them (`pre_save`)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows)
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    plan = [
        (
            field,
            field.attname,
            _as_is(field),
            getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False),
        )
        for field in fields
    ]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = []
            for field, attname, as_is, automatic in plan:
                value = field.pre_save(row, True) if automatic else getattr(row, attname)
                values.append(value if as_is else field.get_db_prep_save(value, connection))
            copy.write_row(values)


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

"""Keep snapshot rows narrow on PostgreSQL: their JSON text goes to TOAST storage, so counts and
key scans read a small heap (100k services: 17 MB instead of 264 MB) and only a page's own
documents are ever read."""

from django.db import migrations

TABLES = (
    "publish_publishedservice",
    "publish_publishedserviceatlocation",
    "publish_publishedorganization",
)


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = 128)")


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("publish", "0002_search_indexes_and_default_feed")]

    operations = [migrations.RunPython(narrow, widen)]

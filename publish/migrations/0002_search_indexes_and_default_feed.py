"""PostgreSQL-only search DDL (pg_trgm, GIN indexes), and the default feed every portal starts with."""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS published_service_search_idx "
    "ON publish_publishedservice USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS published_service_name_trgm_idx "
    "ON publish_publishedservice USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS published_organization_name_trgm_idx "
    "ON publish_publishedorganization USING gin (name gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS published_organization_name_trgm_idx",
    "DROP INDEX IF EXISTS published_service_name_trgm_idx",
    "DROP INDEX IF EXISTS published_service_search_idx",
]


def postgres_only(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def create_default_feed(apps, schema_editor):
    Feed = apps.get_model("publish", "Feed")
    Feed.objects.get_or_create(
        slug="main",
        defaults={
            "name": "All assured services",
            "description": "Every assured service, last assured within the past year.",
            "is_default": True,
            "max_assurance_age_days": 365,
        },
    )


def remove_default_feed(apps, schema_editor):
    apps.get_model("publish", "Feed").objects.filter(slug="main", is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("publish", "0001_initial")]

    operations = [
        migrations.RunPython(postgres_only(POSTGRES_FORWARD), postgres_only(POSTGRES_BACKWARD)),
        migrations.RunPython(create_default_feed, remove_default_feed),
    ]

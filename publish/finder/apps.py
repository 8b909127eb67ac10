from django.apps import AppConfig


class FinderConfig(AppConfig):
    """The public and frontline service finder: its own app (label `finder`) inside `publish`,
    since it reads only the published snapshots and keeps only its own search records."""

    name = "publish.finder"
    label = "finder"
    verbose_name = "Service finder"
    default_auto_field = "django.db.models.BigAutoField"

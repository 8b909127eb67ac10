from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Data quality: each service's richness score, background checks of its website links and
    email domains, and the staff dashboard (label `quality`)."""

    name = "workflow.quality"
    label = "quality"
    verbose_name = "Data quality"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals

        signals.connect()

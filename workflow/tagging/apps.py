from django.apps import AppConfig


class TaggingConfig(AppConfig):
    """Tagging services: the suggestion assistant, the over-classification guard, and the
    mapping of a legacy directory's categories to LGA service types (label `tagging`)."""

    name = "workflow.tagging"
    label = "tagging"
    verbose_name = "Tagging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from directory.oruk import load

        from .legacy_import import LegacyTermMapper

        # Imports add the LGA service types a legacy category maps to (directory imports no
        # higher app, so the mapping registers itself here).
        if LegacyTermMapper not in load.document_mappers:
            load.document_mappers.append(LegacyTermMapper)

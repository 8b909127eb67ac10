from django.apps import AppConfig


class PublishConfig(AppConfig):
    name = "publish"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from publish import signals

        signals.connect()

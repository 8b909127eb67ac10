from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from core.observability import forget_request_id

        request_finished.connect(forget_request_id, dispatch_uid="core.forget_request_id")

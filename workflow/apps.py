from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workflow import reviews

        reviews.connect()

from __future__ import annotations

from django.conf import settings
from django.db import models

from .base import RecordModel


class ActionType(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"


class Metadata(RecordModel):
    """One change to a record's field (HSDS `metadata`): the directory's change log."""

    resource_id = models.UUIDField(db_index=True)
    resource_type = models.CharField(max_length=50)
    last_action_date = models.DateTimeField()
    last_action_type = models.CharField(max_length=10, choices=ActionType.choices)
    field_name = models.CharField(max_length=100, blank=True)
    previous_value = models.TextField(blank=True)
    replacement_value = models.TextField(blank=True)
    updated_by = models.CharField(max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta(RecordModel.Meta):
        verbose_name = "change log entry"
        verbose_name_plural = "change log"
        ordering = ["-last_action_date", "id"]
        indexes = [
            models.Index(fields=["resource_type", "resource_id"], name="metadata_resource_idx")
        ]

    def __str__(self) -> str:
        return f"{self.last_action_type} {self.resource_type} {self.field_name}".strip()

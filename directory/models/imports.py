from __future__ import annotations

from django.conf import settings
from django.db import models

from core.models import BackgroundTask, TimestampedModel


class ImportUpload(TimestampedModel):
    """A file a directory admin gave the staff import page, imported by a background task.

    The file is kept in the database (gzip-compressed), not on a web server's disk, so whichever
    machine's worker runs the import can read it; the report is kept when the import has run.
    """

    file_name = models.CharField(max_length=255)
    content = models.BinaryField(help_text="The file, gzip-compressed")
    size = models.PositiveBigIntegerField(help_text="The file's size in bytes, uncompressed")
    dialect = models.CharField(max_length=10, default="auto")
    source_name = models.CharField(max_length=255, blank=True)
    skip_invalid = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    task = models.OneToOneField(
        BackgroundTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # {"ok", "documents", "imported", "skipped", "summary", "problem_count", "problems": [...]}
    report = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

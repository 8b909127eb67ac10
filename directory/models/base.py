from __future__ import annotations

import uuid

from django.db import models

from core.models import TimestampedModel


class RecordModel(TimestampedModel):
    """A directory record: an ORUK 3.0 object, identified by a UUID that is also its ORUK `id`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True
        ordering = ["id"]

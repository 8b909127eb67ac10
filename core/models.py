"""Domain-free building blocks shared by every app."""

from __future__ import annotations

from django.db import models


class TimestampedModel(models.Model):
    """Every row knows when it was created and last saved."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True

"""What the quality checks found: each service's richness score, and the result of checking
each website address and email domain the directory holds."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from core.models import TimestampedModel
from directory.models import Service


class ServiceQuality(TimestampedModel):
    """A service's richness score as last computed (`workflow.quality.scoring`), with what
    would raise it. Derived: recomputed when the service changes and every night."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, primary_key=True, related_name="quality"
    )
    score = models.PositiveSmallIntegerField(db_index=True)
    # [{key, hint, points, required}], the most points first.
    missing = models.JSONField(default=list, blank=True)
    missing_required = models.BooleanField(default=False, db_index=True)
    personal_data_flags = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "service quality"
        verbose_name_plural = "service quality"
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="quality_score_at_most_100")
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.score}"


class LinkKind(models.TextChoices):
    URL = "url", "Website"
    EMAIL_DOMAIN = "email_domain", "Email domain"


class LinkStatus(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    OK = "ok", "Working"
    BROKEN = "broken", "Broken"
    SKIPPED = "skipped", "Not checked: the site asks robots not to"


class LinkCheckQuerySet(models.QuerySet["LinkCheck"]):
    def due(self, now: dt.datetime) -> LinkCheckQuerySet:
        """Never checked, or due again."""
        return self.filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now))

    def broken(self) -> LinkCheckQuerySet:
        return self.filter(status=LinkStatus.BROKEN)

    def urls(self) -> LinkCheckQuerySet:
        return self.filter(kind=LinkKind.URL)

    def email_domains(self) -> LinkCheckQuerySet:
        return self.filter(kind=LinkKind.EMAIL_DOMAIN)


class LinkCheck(TimestampedModel):
    """One website address (as records hold it) or email domain, and how its last check went.
    Rows are added by the link check task for every address the directory holds."""

    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    target = models.CharField(max_length=500, help_text="The address, or the email domain")
    host = models.CharField(max_length=255, db_index=True)
    status = models.CharField(
        max_length=20, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Requests (or lookups) the last check made: the per-host limit counts them.
    requests = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    objects = LinkCheckQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "target"], name="link_check_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=LinkKind.values), name="link_check_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LinkStatus.values), name="link_check_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["next_check_at"], name="link_check_due_idx"),
            models.Index(fields=["host", "checked_at"], name="link_check_host_idx"),
            models.Index(fields=["kind", "status"], name="link_check_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.target} ({self.get_status_display().lower()})"

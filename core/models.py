"""Domain-free building blocks shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class TimestampedModel(models.Model):
    """Every row knows when it was created and last saved."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class BackgroundTaskStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class BackgroundTaskQuerySet(models.QuerySet["BackgroundTask"]):
    def of_func(self, *funcs: str) -> BackgroundTaskQuerySet:
        return self.filter(func__in=funcs)

    def needing_attention(self) -> BackgroundTaskQuerySet:
        """Work that has not finished well: queued, running or failed."""
        return self.exclude(status=BackgroundTaskStatus.SUCCEEDED)

    def newest_first(self) -> BackgroundTaskQuerySet:
        return self.order_by("-queued_at", "-id")


class BackgroundTask(TimestampedModel):
    """One piece of background work and how it went, whichever django-q2 broker carried it.

    Written by `core.services.enqueue` (in the caller's transaction) and kept up to date by the
    `core.tasks.run_background_task` wrapper, so that pages can say whether the work they queued
    is queued, running, finished or failed, and a failed one can be queued again.
    """

    label = models.CharField(max_length=200)
    func = models.CharField("function", max_length=200)
    args = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(
        max_length=20,
        choices=BackgroundTaskStatus.choices,
        default=BackgroundTaskStatus.QUEUED,
        db_index=True,
    )
    error = models.TextField(blank=True, help_text="The traceback of the last failure")
    result = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="background_tasks",
    )
    attempts = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # How far a long task has gone, as `core.services.progress` reports it while it runs:
    # {"stage", "done", "total", "per_second", "seconds_left"}.
    progress = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    # The id django-q2 gave the task it carried (to find it in the q2 admin pages).
    q_task_id = models.CharField(max_length=32, blank=True)

    objects = BackgroundTaskQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BackgroundTaskStatus.values),
                name="background_task_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["func", "-queued_at"], name="background_task_func_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (BackgroundTaskStatus.SUCCEEDED, BackgroundTaskStatus.FAILED)

    @property
    def can_retry(self) -> bool:
        return self.status == BackgroundTaskStatus.FAILED

    @property
    def progress_text(self) -> str:
        """ "Writing: 4,200 of 10,836 records, 310 a second, about 21 seconds left"."""
        return progress_text(self.progress)

    @property
    def error_summary(self) -> str:
        """The last line of the traceback: the exception and its message."""
        lines = [line for line in self.error.strip().splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""


def progress_text(progress: dict | None) -> str:
    """A task's progress (see BackgroundTask.progress) in words, or "" if it reported none."""
    if not progress:
        return ""
    done, total = progress.get("done", 0), progress.get("total")
    words = f"{progress.get('stage', 'Working')}: {done:,}"
    words += f" of {total:,} records" if total else " records"
    if progress.get("per_second"):
        words += f", {progress['per_second']:,.0f} a second"
    left = progress.get("seconds_left")
    if left is not None and total:
        words += f", about {_duration(left)} left"
    return words


def _duration(seconds: float) -> str:
    if seconds < 1.5:
        return "1 second"
    if seconds < 90:
        return f"{round(seconds)} seconds"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.1f} hours"

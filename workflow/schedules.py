"""The portal's scheduled jobs (django-q2), registered by name so that registering again updates
them rather than adding copies. Apps add their jobs to SCHEDULES; `register_schedules()` is what
a deployment runs (a management command wraps it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone
from django_q.models import Schedule


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    func: str
    schedule_type: str
    at: time  # local time of the first run; repeats follow schedule_type


SCHEDULES: tuple[ScheduledJob, ...] = (
    # Safety net for writes that bypass the per-service signals (bulk loads, queryset updates,
    # a postcode's local authority filled in after the address was saved): every service's
    # allocation and permissions are recomputed at night. Cheap when nothing changed.
    ScheduledJob(
        name="accounts: recompute service allocations and permissions",
        func="accounts.tasks.recompute_all_allocations",
        schedule_type=Schedule.DAILY,
        at=time(2, 30),
    ),
    # Search insight keeps anonymous search records for PORTAL_SEARCH_RECORD_MONTHS months.
    ScheduledJob(
        name="finder: prune old search records",
        func="publish.finder.insight.search_records_prune",
        schedule_type=Schedule.DAILY,
        at=time(3, 15),
    ),
)


def _next_run(at: time, now: datetime) -> datetime:
    local = timezone.localtime(now)
    run = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return run if run > local else run + timedelta(days=1)


def register_schedules(*, now: datetime | None = None) -> list[Schedule]:
    """Create or update every job in SCHEDULES (matched by name)."""
    now = now or timezone.now()
    schedules = []
    for job in SCHEDULES:
        schedule, _ = Schedule.objects.update_or_create(
            name=job.name,
            defaults={
                "func": job.func,
                "schedule_type": job.schedule_type,
                "next_run": _next_run(job.at, now),
                "repeats": -1,
            },
        )
        schedules.append(schedule)
    return schedules

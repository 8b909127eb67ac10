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
    # Richness scores follow each change; this catches what bypasses the signals (nested edits,
    # bulk writes), a batch at a time.
    ScheduledJob(
        name="quality: score every service",
        func="workflow.quality.tasks.score_all_services",
        schedule_type=Schedule.DAILY,
        at=time(3, 45),
    ),
    # Website links and email domains, a few per host a minute: broken ones daily, others weekly.
    ScheduledJob(
        name="quality: check website links and email domains",
        func="workflow.quality.tasks.check_links",
        schedule_type=Schedule.HOURLY,
        at=time(0, 20),
    ),
    # Review dates are kept as records change; this catches what bulk writes (the allocation
    # recompute above, imports) moved without telling, once the allocations are settled.
    ScheduledJob(
        name="workflow: recompute review dates",
        func="workflow.reviews.recompute_all",
        schedule_type=Schedule.DAILY,
        at=time(3, 0),
    ),
    # Reminders go in the morning, once the dates are fresh: 14 days before a review is due,
    # when it is overdue, and 30 days overdue (each sent once per due date).
    ScheduledJob(
        name="workflow: send review reminders",
        func="workflow.reminders.send_review_reminders",
        schedule_type=Schedule.DAILY,
        at=time(7, 0),
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

"""Review dates: when each service is next due for review, kept in `ServiceReview`.

A service is due for review its policy's interval after it was last assured. The interval is
PORTAL_REVIEW_INTERVAL_DAYS unless a `ReviewInterval` applies: one for the partner the service
is allocated to, or one for any of its LGA service types. Where several apply the shortest wins.
Services that are never assured, or not active (inactive, defunct), have no due date: nobody
reviews what is not offered.

The date is stored so that lists filter and sort "overdue" through an index at any size. It is
recomputed here whenever what it depends on changes (signals below, connected in
`WorkflowConfig.ready`), and every night for every service as the safety net for bulk writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import formats, timezone

from accounts.models import ServiceAllocation
from accounts.services.allocation import allocations_recomputed
from directory.models import Attribute, Service, ServiceStatus
from directory.models.attribute import LinkEntity
from directory.signals import is_bulk_writing, services_imported

from .models import ReviewInterval, ServiceReview

# Only services offered to people are reviewed (the statuses the open feed publishes).
REVIEWED_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)
BATCH = 2000


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def default_interval_days() -> int:
    return int(getattr(settings, "PORTAL_REVIEW_INTERVAL_DAYS", 90))


# --- the filters lists use ------------------------------------------------------------------


def overdue_filter(today: dt.date | None = None) -> Q:
    """A Q over `directory.Service`: its review is overdue (was due before today)."""
    return Q(review__due_date__lt=_today(today))


def due_within_filter(days: int, today: dt.date | None = None) -> Q:
    """A Q over `directory.Service`: its review falls due today or in the next `days` days
    (not overdue)."""
    start = _today(today)
    return Q(review__due_date__gte=start, review__due_date__lte=start + dt.timedelta(days=days))


def most_overdue_first(services: models.QuerySet[Service]) -> models.QuerySet[Service]:
    return services.order_by("review__due_date", "pk")


# --- computing and storing ------------------------------------------------------------------


def _chunks(ids: list, size: int) -> Iterator[list]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def reviews_recompute(*, service_ids: Iterable[Any] | None = None) -> int:
    """Store the due date of these services (every service when None); returns how many rows
    were written. Three queries per BATCH services, whatever their policies."""
    default = default_interval_days()
    if service_ids is None:
        ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = list(dict.fromkeys(service_ids))
    written = 0
    for chunk in _chunks(ids, BATCH):
        rows = Service.objects.filter(pk__in=chunk).values_list(
            "pk", "assured_date", "status", "allocation__partner__review_interval__days"
        )
        by_type: dict[Any, int] = {}
        typed = Attribute.objects.filter(
            link_entity=LinkEntity.SERVICE,
            link_id__in=chunk,
            taxonomy_term__review_interval__isnull=False,
        ).values_list("link_id", "taxonomy_term__review_interval__days")
        for service_id, days in typed:
            by_type[service_id] = min(days, by_type.get(service_id, days))
        reviews = []
        for pk, assured, status, partner_days in rows:
            overrides = [d for d in (partner_days, by_type.get(pk)) if d is not None]
            days = min(overrides) if overrides else default
            due = (
                assured + dt.timedelta(days=days)
                if assured is not None and status in REVIEWED_STATUSES
                else None
            )
            reviews.append(ServiceReview(service_id=pk, due_date=due, interval_days=days))
        ServiceReview.objects.bulk_create(
            reviews,
            update_conflicts=True,
            unique_fields=["service"],
            update_fields=["due_date", "interval_days", "updated_at"],
        )
        written += len(reviews)
    return written


def recompute_all() -> int:
    """The nightly safety net (a scheduled job): every service's due date again."""
    return reviews_recompute()


def recompute_for_interval(interval_id: int | None = None, *, partner_id=None, term_id=None) -> int:
    """After a policy changed: the services it applies to (by partner or by service type)."""
    if interval_id is not None:
        interval = ReviewInterval.objects.filter(pk=interval_id).first()
        if interval is not None:
            partner_id, term_id = interval.partner_id, interval.service_type_id
    ids: list = []
    if partner_id is not None:
        ids += list(
            ServiceAllocation.objects.filter(partner_id=partner_id).values_list(
                "service_id", flat=True
            )
        )
    if term_id is not None:
        ids += list(
            Attribute.objects.filter(
                link_entity=LinkEntity.SERVICE, taxonomy_term_id=term_id
            ).values_list("link_id", flat=True)
        )
    return reviews_recompute(service_ids=ids) if ids else 0


def due_date(service: Service) -> dt.date | None:
    """The stored due date (read with the service by `select_related("review")`)."""
    try:
        review = service.review
    except ServiceReview.DoesNotExist:
        return None
    return review.due_date if review is not None else None


# --- words ----------------------------------------------------------------------------------


def day(value: dt.date | None) -> str:
    return formats.date_format(value, "j F Y") if value else ""


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def span(days: int) -> str:
    """13 days or fewer in days; then weeks; from 9 weeks (about 2 months) in months."""
    if days <= 13:
        return _plural(days, "day")
    if days < 63:
        return _plural(round(days / 7), "week")
    return _plural(round(days / 30.4), "month")


def due_words(due: dt.date | None, *, today: dt.date | None = None) -> str:
    """ "Due in 9 days", "Due today", "Overdue by 3 weeks" (no date: an empty string)."""
    if due is None:
        return ""
    days = (due - _today(today)).days
    if days > 0:
        return f"Due in {span(days)}"
    if days == 0:
        return "Due today"
    return f"Overdue by {span(-days)}"


def review_words(service: Service, *, today: dt.date | None = None) -> str:
    """What a list row says of a service's next review (read with `select_related("review")`)."""
    due = due_date(service)
    if due is not None:
        return due_words(due, today=today)
    if service.assured_date is None:
        return "Never assured"
    if service.status not in REVIEWED_STATUSES:
        return "Not reviewed: not active"
    return "Not yet worked out"


def review_text(service: Service, *, today: dt.date | None = None) -> str:
    """ "Due in 12 days (3 May 2026)", "Overdue by 4 days (...)", or why there is no date."""
    due = due_date(service)
    if due is not None:
        return f"{due_words(due, today=today)} ({day(due)})"
    if service.assured_date is None:
        return "Not yet: the service has never been assured"
    if service.status not in REVIEWED_STATUSES:
        return f"None: the service is {service.get_status_display().lower()}"
    return "Not worked out yet: it will be tonight"


# --- keeping the dates up to date -----------------------------------------------------------


def _refresh(service_ids: list) -> None:
    if service_ids and not is_bulk_writing():
        reviews_recompute(service_ids=service_ids)


def _service_saved(sender, instance: Service, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not {"assured_date", "status"} & set(update_fields):
        return
    _refresh([instance.pk])


def _allocation_changed(sender, instance: ServiceAllocation, raw: bool = False, **kwargs) -> None:
    origin = kwargs.get("origin")
    # Deleting a service deletes its allocation and review first: writing the review again
    # then would point at a service about to go.
    if raw or (origin is not None and getattr(origin, "model", type(origin)) is Service):
        return
    _refresh([instance.service_id])


def _attribute_changed(sender, instance: Attribute, raw: bool = False, **kwargs: Any) -> None:
    # An import's writes are caught up once at its end (services_imported), not row by row.
    if raw or is_bulk_writing() or instance.link_entity != LinkEntity.SERVICE:
        return
    # Only a service type with its own interval can move the date (a deleted service's id
    # finds no service, so nothing is written for it).
    if ReviewInterval.objects.filter(service_type_id=instance.taxonomy_term_id).exists():
        _refresh([instance.link_id])


def _interval_changed(sender, instance: ReviewInterval, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    partner_id, term_id = instance.partner_id, instance.service_type_id
    # A policy can cover thousands of services: recompute them after the commit, in a task.
    from core.services import enqueue

    enqueue(
        func="workflow.reviews.recompute_for_interval",
        kwargs={"partner_id": partner_id, "term_id": str(term_id) if term_id else None},
        label="Work out review dates again after a review policy changed",
        group="workflow",
    )


def _services_imported(sender, service_ids: list, **kwargs: Any) -> None:
    ids = list(service_ids)
    transaction.on_commit(lambda: reviews_recompute(service_ids=ids))


def _allocations_recomputed(sender, report: Any = None, **kwargs: Any) -> None:
    # Bulk allocation writes send no per-row signals; partner policies may now apply elsewhere.
    # A run that moved no allocation moved no date (the nightly run, mostly).
    moved = report is None or report.newly_allocated or report.reallocated or report.released
    if moved and ReviewInterval.objects.filter(partner__isnull=False).exists():
        reviews_recompute()


def connect() -> None:
    post_save.connect(_service_saved, sender=Service, dispatch_uid="workflow-review-service")
    for signal in (post_save, post_delete):
        signal.connect(
            _allocation_changed,
            sender=ServiceAllocation,
            dispatch_uid=f"workflow-review-allocation-{signal}",
        )
        signal.connect(
            _attribute_changed, sender=Attribute, dispatch_uid=f"workflow-review-attr-{signal}"
        )
        signal.connect(
            _interval_changed,
            sender=ReviewInterval,
            dispatch_uid=f"workflow-review-interval-{signal}",
        )
    services_imported.connect(_services_imported, dispatch_uid="workflow-review-imported")
    allocations_recomputed.connect(_allocations_recomputed, dispatch_uid="workflow-review-alloc")

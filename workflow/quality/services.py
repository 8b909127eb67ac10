"""Writes of the quality checks: storing scores, finding and checking links.

These rows are derived (scores from the records, link results from the web), never edited by
anyone: no policy check or audit entry applies, as with `accounts`' allocation recompute. The
records themselves still change only through `workflow.services`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from directory.models import Organization, Service
from directory.oruk import service_documents

from . import links
from .models import LinkCheck, LinkKind, LinkStatus, ServiceQuality
from .scoring import Score, ServiceTypes, score_document

logger = logging.getLogger(__name__)

BATCH = 200


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- scores -------------------------------------------------------------------------------------


def _row(service: Service, score: Score, now: dt.datetime) -> ServiceQuality:
    return ServiceQuality(
        service=service,
        score=score.value,
        missing=[part.as_json() for part in score.missing],
        missing_required=score.missing_required,
        personal_data_flags=score.personal_data_flags,
        computed_at=now,
    )


def _store(rows: list[ServiceQuality]) -> None:
    ServiceQuality.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["service"],
        update_fields=[
            "score",
            "missing",
            "missing_required",
            "personal_data_flags",
            "computed_at",
            "updated_at",
        ],
    )


def service_quality_compute(*, service_ids: Iterable[Any], now: dt.datetime | None = None) -> int:
    """Score these services and store the scores (a service since deleted is left out).
    Returns how many were scored."""
    now = now or timezone.now()
    ids = list(service_ids)
    types = ServiceTypes()  # one read of the taxonomy for all of them
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        services = list(Service.objects.filter(pk__in=chunk))
        rows = []
        for service, document in zip(services, service_documents(services), strict=True):
            document.pop("organization", None)  # as `current_document` gives it
            rows.append(_row(service, score_document(document, service_types=types), now))
        with transaction.atomic():
            _store(rows)
        done += len(rows)
    return done


def _id_batches(queryset: models.QuerySet, size: int) -> Iterator[list[Any]]:
    """Primary keys in batches of `size`, by keyset paging (constant memory)."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        ids = list(page.values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def service_quality_compute_all(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Score every service (the nightly job), a batch at a time. Returns how many."""
    now = now or timezone.now()
    done = 0
    for ids in _id_batches(Service.objects.all(), batch):
        done += service_quality_compute(service_ids=ids, now=now)
    return done


# --- links: which to check ------------------------------------------------------------------


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower() if "@" in (address or "") else ""


def _targets(values: Iterable[tuple[str, str]]) -> set[tuple[str, str, str]]:
    """(kind, target, host) for each (web address, email address)."""
    found = set()
    for url, email in values:
        url = (url or "").strip()
        if url:
            found.add((LinkKind.URL, url[:500], links.host_of(url)[:255]))
        domain = email_domain(email)
        if domain:
            found.add((LinkKind.EMAIL_DOMAIN, domain[:500], domain[:255]))
    return found


def link_checks_discover(*, batch: int = 1000) -> int:
    """Add a row for every web address and email domain of a service or organisation that has
    none yet. Returns how many rows were added."""
    before = LinkCheck.objects.count()
    sources = (
        (Service.objects.all(), ("url", "email")),
        (Organization.objects.all(), ("website", "email")),
    )
    for queryset, fields in sources:
        for ids in _id_batches(queryset, batch):
            values = queryset.filter(pk__in=ids).values_list(*fields)
            rows = [
                LinkCheck(kind=kind, target=target, host=host)
                for kind, target, host in sorted(_targets(values))
            ]
            LinkCheck.objects.bulk_create(rows, ignore_conflicts=True)
    return LinkCheck.objects.count() - before


# --- links: checking them, politely ---------------------------------------------------------


@dataclass
class HostBudget:
    """At most `per_minute` requests to one host in any minute, counting the requests checks
    made in the last minute (by any worker: they are on the rows) and those made in this run."""

    per_minute: int
    now: dt.datetime
    used: dict[str, int] = field(default_factory=dict)

    def _recent(self, host: str) -> int:
        if host not in self.used:
            self.used[host] = (
                LinkCheck.objects.filter(
                    host=host, checked_at__gt=self.now - dt.timedelta(minutes=1)
                ).aggregate(n=models.Sum("requests"))["n"]
                or 0
            )
        return self.used[host]

    def allows(self, host: str, requests: int) -> bool:
        return self._recent(host) + requests <= self.per_minute

    def spend(self, host: str, requests: int) -> None:
        self.used[host] = self._recent(host) + requests


@dataclass
class LinkCheckReport:
    checked: int = 0
    broken: int = 0
    deferred: int = 0  # due, but their host had had its requests for this minute


def _recheck_after(status: str) -> dt.timedelta:
    if status == LinkStatus.BROKEN:
        return dt.timedelta(days=_setting("PORTAL_LINK_RECHECK_BROKEN_DAYS", 1))
    return dt.timedelta(days=_setting("PORTAL_LINK_RECHECK_OK_DAYS", 7))


def _check(check: LinkCheck, budget: HostBudget, robots: dict[str, Any]) -> bool:
    """Check one row if its host's budget allows; False when it must wait."""
    host = check.host
    if check.kind == LinkKind.EMAIL_DOMAIN:
        if not budget.allows(host, 1):
            return False
        budget.spend(host, 1)
        try:
            ok = links.resolve(check.target)
            status = LinkStatus.OK if ok else LinkStatus.BROKEN
            error = "" if ok else "The domain does not exist or takes no email"
        except links.FetchError as failure:
            status, error = LinkStatus.BROKEN, f"The lookup failed: {failure}"
        check.status, check.error, check.http_status, check.requests = status, error, None, 1
        return True
    # Web address: its site's robots.txt once per run, then HEAD (and perhaps GET).
    made = 0 if host in robots else 1
    if not budget.allows(host, made + 2):
        return False
    if host not in robots:
        robots[host] = links.robots_for(check.target)
    if not links.robots_allow(robots[host], check.target):
        check.status, check.http_status, check.requests = LinkStatus.SKIPPED, None, made
        check.error = "The site's robots.txt asks robots not to fetch it"
        budget.spend(host, made)
        return True
    result = links.check_url(check.target)
    budget.spend(host, made + result.requests)
    check.status = LinkStatus.OK if result.ok else LinkStatus.BROKEN
    check.http_status, check.error = result.status, result.error
    check.requests = made + result.requests
    return True


def link_checks_run(*, now: dt.datetime | None = None, limit: int | None = None) -> LinkCheckReport:
    """Check the links that are due (never checked first), at most `limit` of them, keeping
    to the per-host limit: a link whose host has had its requests waits for a later run.
    Broken ones are due again after a day, working ones after a week."""
    now = now or timezone.now()
    limit = limit or _setting("PORTAL_LINK_CHECK_BATCH", 200)
    budget = HostBudget(_setting("PORTAL_LINK_CHECK_PER_HOST_PER_MINUTE", 6), now)
    robots: dict[str, Any] = {}  # host -> its robots.txt parser (None: no rules)
    report = LinkCheckReport()
    due = LinkCheck.objects.due(now).order_by(models.F("next_check_at").asc(nulls_first=True), "pk")
    # A few times the limit, so that one busy host does not leave the run idle.
    for check in due[: limit * 4]:
        if report.checked >= limit:
            break
        if not _check(check, budget, robots):
            report.deferred += 1
            continue
        check.checked_at = now
        check.next_check_at = now + _recheck_after(check.status)
        check.save(
            update_fields=[
                "status",
                "http_status",
                "error",
                "requests",
                "checked_at",
                "next_check_at",
                "updated_at",
            ]
        )
        report.checked += 1
        report.broken += check.status == LinkStatus.BROKEN
    return report

"""Publishing: render a service's ORUK documents once and store them as the feed's snapshot.

`services_publish` is the one writer of snapshots; everything else (signals, tasks, the rebuild
command, hiding and showing) calls it. A service that is not publishable loses its snapshot at once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchVector
from django.db import connection, models, transaction
from django.utils import timezone

from core.bulk import insert_rows
from directory import models as m
from directory.models.taxonomy import PATH_STEP
from directory.oruk import DocumentBuilder, redact_confidential, rounded_coordinate
from directory.oruk.shapes import ORGANIZATION, SERVICE, SERVICE_AT_LOCATION

from .finder.opening import DAY_CODES, document_sessions
from .finder.search import document_facets, document_words
from .models import (
    FeedState,
    HiddenService,
    PublishedClosure,
    PublishedOrganization,
    PublishedSchedule,
    PublishedService,
    PublishedServiceArea,
    PublishedServiceAtLocation,
    PublishedServiceFacet,
    PublishedServiceTerm,
    PublishedWord,
)

PUBLISHED_STATUSES = (m.ServiceStatus.ACTIVE, m.ServiceStatus.TEMPORARILY_CLOSED)


def publishable_services() -> models.QuerySet[m.Service]:
    """Services the feed may show: a public status, assured, and not hidden."""
    return m.Service.objects.filter(
        status__in=PUBLISHED_STATUSES, assured_date__isnull=False, hidden__isnull=True
    )


def has_public_standing(service: m.Service) -> bool:
    """The record's own half of `publishable_services` (hiding is checked when publishing)."""
    return service.status in PUBLISHED_STATUSES and service.assured_date is not None


@dataclass
class PublishResult:
    published: int = 0
    unpublished: int = 0
    # Organisations whose snapshots are still to refresh (`refresh_organizations=False`).
    organization_ids: set = field(default_factory=set)

    def __iadd__(self, other: PublishResult) -> PublishResult:
        self.published += other.published
        self.unpublished += other.unpublished
        self.organization_ids |= other.organization_ids
        return self


def _dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _ancestor_ids(path: str) -> list[uuid.UUID]:
    return [uuid.UUID(hex=path[i : i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]


def _search_labels(service: m.Service, terms: list[m.TaxonomyTerm]) -> str:
    organization = service.organization.name if service.organization else ""
    labels = [t.name for t in terms] + [t.alt_label for t in terms if t.alt_label]
    return " ".join([organization, *labels])


def _session_rows(snapshot: PublishedService, document: dict) -> tuple[list, list]:
    """The snapshot's sessions (one row per day of each rule) and holiday closures, read from
    its published document so they say exactly what the feed says."""
    sessions, closures = document_sessions(document)
    rows = [
        PublishedSchedule(
            snapshot=snapshot,
            day=session.day,
            opens_at=session.opens_at,
            closes_at=session.closes_at,
            location_id=session.location_id,
            ordinal=session.ordinal,
            interval=session.interval,
            week_phase=session.week_phase,
            valid_from=session.valid_from,
            valid_to=session.valid_to,
            attending=session.attending,
        )
        for session in sessions
        if session.day in DAY_CODES
    ]
    closed = [
        PublishedClosure(snapshot=snapshot, location_id=c.location_id, starts=c.starts, ends=c.ends)
        for c in closures
    ]
    return rows, closed


@transaction.atomic
def services_publish(
    *, service_ids: Iterable[uuid.UUID], refresh_organizations: bool = True
) -> PublishResult:
    """(Re)publish these services: snapshot the publishable ones, remove the rest. Set-based:
    a fixed number of queries per call, whatever the number of services.

    `refresh_organizations` False leaves the organisations' snapshots to the caller (named in
    the result), which refreshes each once after many batches."""
    ids = list(service_ids)
    result = PublishResult()
    if not ids:
        return result
    services = list(publishable_services().filter(pk__in=ids))
    builder = DocumentBuilder()
    builder.load_related(services, SERVICE)
    publishable = {s.pk for s in services}
    gone = [pk for pk in ids if pk not in publishable]
    old_orgs = set(
        PublishedService.objects.filter(pk__in=ids).values_list("organization_id", flat=True)
    )
    result.unpublished = (
        PublishedService.objects.filter(pk__in=gone)
        .delete()[1]
        .get(PublishedService._meta.label, 0)
    )
    PublishedService.objects.filter(pk__in=publishable).delete()  # children cascade

    builder.load_attributes(services, SERVICE)
    term_ids = {
        a.taxonomy_term_id
        for s in services
        for a in builder.attributes_of(SERVICE.link_entity, s.pk)
    }
    terms = {t.pk: t for t in m.TaxonomyTerm.objects.filter(pk__in=term_ids)}
    # Read from the locations already loaded with the services: no query for it.
    confidential = {
        sal.location_id
        for service in services
        for sal in builder.children(service, "service_at_locations")
        if sal.location.is_confidential
    }
    now = timezone.now()
    snapshots, term_rows, sal_rows, area_rows, schedule_rows = [], [], [], [], []
    closure_rows, facet_rows = [], []
    for service in services:
        document = redact_confidential(builder.document(service, SERVICE), confidential)
        own_terms = [
            terms[a.taxonomy_term_id]
            for a in builder.attributes_of(SERVICE.link_entity, service.pk)
            if a.taxonomy_term_id in terms
        ]
        snapshot = PublishedService(
            service=service,
            name=service.name,
            organization_id=service.organization_id,
            status=service.status,
            assured_date=service.assured_date,
            last_modified=service.last_modified,
            minimum_age=service.minimum_age,
            maximum_age=service.maximum_age,
            document=_dumps(document),
            list_item=_dumps(
                redact_confidential(builder.document(service, SERVICE, basic=True), confidential)
            ),
            search_labels=_search_labels(service, own_terms),
            description=service.description,
            published_at=now,
        )
        snapshots.append(snapshot)
        seen_terms: set = set()
        for term in own_terms:
            for term_id in _ancestor_ids(term.path) or [term.pk]:
                if term_id not in seen_terms:
                    seen_terms.add(term_id)
                    term_rows.append(
                        PublishedServiceTerm(
                            snapshot=snapshot, term_id=term_id, taxonomy_id=term.taxonomy_id
                        )
                    )
        sals = builder.children(service, "service_at_locations")
        for sal in sals:
            latitude, longitude = sal.location.latitude, sal.location.longitude
            if sal.location_id in confidential:
                # Distances are measured from here: the exact point must not be found by search.
                latitude, longitude = rounded_coordinate(latitude), rounded_coordinate(longitude)
            sal_rows.append(
                PublishedServiceAtLocation(
                    id=sal.pk,
                    snapshot=snapshot,
                    location_id=sal.location_id,
                    latitude=latitude,
                    longitude=longitude,
                    document=_dumps(
                        redact_confidential(
                            builder.document(sal, SERVICE_AT_LOCATION), confidential
                        )
                    ),
                    list_item=_dumps(
                        redact_confidential(
                            builder.document(sal, SERVICE_AT_LOCATION, basic=True), confidential
                        )
                    ),
                )
            )
        area_rows += [
            PublishedServiceArea(snapshot=snapshot, local_authority_code=code)
            for code in sorted(
                {a.local_authority_code for a in builder.children(service, "service_areas")} - {""}
            )
        ]
        sessions, closures = _session_rows(snapshot, document)
        schedule_rows += sessions
        closure_rows += closures
        facet_rows += [
            PublishedServiceFacet(snapshot=snapshot, kind=kind, value=value)
            for kind, value in document_facets(document)
        ]
    for model, rows in (
        (PublishedService, snapshots),
        (PublishedServiceTerm, term_rows),
        (PublishedServiceAtLocation, sal_rows),
        (PublishedServiceArea, area_rows),
        (PublishedSchedule, schedule_rows),
        (PublishedClosure, closure_rows),
        (PublishedServiceFacet, facet_rows),
    ):
        insert_rows(model, rows)
    if connection.vendor == "postgresql" and snapshots:
        _index_for_search([s.pk for s in snapshots])
        words = set()
        for snapshot in snapshots:
            words |= document_words(snapshot.name, snapshot.search_labels, snapshot.description)
        # The words typo tolerance corrects to (PostgreSQL only: SQLite has no trigrams).
        PublishedWord.objects.bulk_create(
            [PublishedWord(word=w) for w in sorted(words)], batch_size=1000, ignore_conflicts=True
        )
    result.published = len(snapshots)
    touched = old_orgs | {s.organization_id for s in services}
    if refresh_organizations:
        organizations_refresh(organization_ids=touched)
    else:
        result.organization_ids = touched
    feed_version_bump()
    return result


def _index_for_search(snapshot_ids: list) -> None:
    """Weighted English full-text vectors: name A, organisation and term labels B, description C."""
    PublishedService.objects.filter(pk__in=snapshot_ids).update(
        search_vector=SearchVector("name", weight="A", config="english")
        + SearchVector("search_labels", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
    )


def organizations_refresh(*, organization_ids: set) -> None:
    """Re-render the snapshots of these organisations; drop those left with no published service."""
    organization_ids.discard(None)
    if not organization_ids:
        return
    live = set(
        PublishedService.objects.filter(organization_id__in=organization_ids).values_list(
            "organization_id", flat=True
        )
    )
    PublishedOrganization.objects.filter(pk__in=organization_ids - live).delete()
    builder = DocumentBuilder()
    organizations = list(m.Organization.objects.filter(pk__in=live))
    builder.load_related(organizations, ORGANIZATION)
    builder.load_attributes(organizations, ORGANIZATION)
    rows = [
        PublishedOrganization(
            organization_id=org.pk,
            name=org.name,
            document=_dumps(builder.document(org, ORGANIZATION)),
            list_item=_dumps(builder.document(org, ORGANIZATION, basic=True)),
            description=org.description,
        )
        for org in organizations
    ]
    PublishedOrganization.objects.filter(pk__in=live).delete()
    PublishedOrganization.objects.bulk_create(rows, batch_size=500)


def feed_version_bump() -> None:
    """Every cached answer and feed setting is stale from now on (publishing, feed edits)."""
    updated = FeedState.objects.filter(pk=1).update(
        version=models.F("version") + 1, changed_at=timezone.now()
    )
    if not updated:
        FeedState.objects.get_or_create(pk=1, defaults={"version": 1})


def service_publish(*, service: m.Service) -> bool:
    """Publish one service now if it is publishable (else unpublish it); True if published."""
    return services_publish(service_ids=[service.pk]).published == 1


def snapshots_rebuild(
    *, batch_size: int = 500, progress: Callable[[int], None] | None = None
) -> PublishResult:
    """Republish every service in keyset batches (constant memory), removing stale snapshots.

    Each organisation is re-rendered once at the end rather than with every batch that holds
    one of its services (an organisation with services in every batch was rendered each time);
    until then the feed's organisations are as they were."""
    total = PublishResult()
    last = None
    base = m.Service.objects.order_by("pk").values_list("pk", flat=True)
    while True:
        ids = list((base.filter(pk__gt=last) if last else base)[:batch_size])
        if not ids:
            break
        total += services_publish(service_ids=ids, refresh_organizations=False)
        last = ids[-1]
        if progress:
            progress(len(ids))
    orphans = PublishedService.objects.exclude(service__in=m.Service.objects.all())
    total.unpublished += orphans.delete()[0]
    organization_ids = sorted(total.organization_ids - {None}, key=str)
    for start in range(0, len(organization_ids), batch_size):
        with transaction.atomic():
            organizations_refresh(
                organization_ids=set(organization_ids[start : start + batch_size])
            )
    # Organisations whose services all went with the orphans (no batch named them).
    PublishedOrganization.objects.exclude(
        organization_id__in=PublishedService.objects.filter(organization_id__isnull=False).values(
            "organization_id"
        )
    ).delete()
    total.organization_ids = set()
    return total


def service_hide(*, service: m.Service, actor, reason: str) -> HiddenService:
    """Withhold a service from every feed at once (the snapshot goes in this transaction)."""
    with transaction.atomic():
        hidden, _ = HiddenService.objects.update_or_create(
            service=service, defaults={"reason": reason, "hidden_by": actor}
        )
        services_publish(service_ids=[service.pk])
    return hidden


def service_show(*, service: m.Service, actor) -> bool:
    """Lift a hide; the service is published again if it is otherwise publishable."""
    with transaction.atomic():
        HiddenService.objects.filter(service=service).delete()
        return service_publish(service=service)

"""Publishing follows the records: a change of assurance, status or visibility republishes a
service (in a task); a service that stops being publishable leaves the feed in the same
transaction."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.services import enqueue
from directory.models import Service
from directory.signals import is_bulk_writing, services_imported

from .models import FEED_ROOTS_CACHE_KEY, Feed, PublishedService
from .services import (
    feed_version_bump,
    has_public_standing,
    organizations_refresh,
    services_publish,
)

BATCH = 500


def enqueue_publish(service_ids: list) -> None:
    """Republish these services in background tasks (a recorded task per BATCH), queued once the
    current transaction commits."""
    ids = [str(pk) for pk in service_ids]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        enqueue(
            func="publish.tasks.publish_services",
            args=[chunk],
            label=f"Publish {len(chunk)} service{'' if len(chunk) == 1 else 's'} to the open feed",
            group="publish",
        )


def _service_saved(sender, instance: Service, raw: bool = False, **kwargs) -> None:
    if raw or is_bulk_writing():
        return
    snapshot = PublishedService.objects.filter(pk=instance.pk).values("status", "assured_date")
    current = snapshot.first()
    if not has_public_standing(instance):
        if current is not None:
            services_publish(service_ids=[instance.pk])  # leaves the feed now, not later
        return
    if current is None or (current["status"], current["assured_date"]) != (
        instance.status,
        instance.assured_date,
    ):
        enqueue_publish([instance.pk])


def _service_deleted(sender, instance: Service, **kwargs) -> None:
    # The snapshot went with the service (cascade); its organisation may have no other.
    if instance.organization_id:
        organization_ids = {instance.organization_id}
        transaction.on_commit(lambda: organizations_refresh(organization_ids=organization_ids))


def _services_imported(sender, service_ids: list, **kwargs) -> None:
    enqueue_publish(service_ids)


def _feed_changed(sender, **kwargs) -> None:
    feed_version_bump()
    # Which feed answers at which root path: forget it now, and again once the change is
    # committed (a request in between may have cached the old answer).
    cache.delete(FEED_ROOTS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(FEED_ROOTS_CACHE_KEY))


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_feed_changed, sender=Feed, dispatch_uid=f"publish-feed-{signal}")
    m2m_changed.connect(
        _feed_changed, sender=Feed.taxonomy_terms.through, dispatch_uid="publish-feed-terms"
    )
    post_save.connect(_service_saved, sender=Service, dispatch_uid="publish-service-saved")
    post_delete.connect(_service_deleted, sender=Service, dispatch_uid="publish-service-deleted")
    services_imported.connect(_services_imported, dispatch_uid="publish-services-imported")

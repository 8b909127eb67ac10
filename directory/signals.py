"""Keeps `Service.last_modified` moving when anything nested in its ORUK document changes, and
offers the hooks higher apps use to react to record changes (directory imports no higher app)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

from directory import models as m

_bulk: ContextVar[bool] = ContextVar("bulk_writing", default=False)

# Sent once an import has committed, with `service_ids`: per-record reactions were off meanwhile.
services_imported = Signal()


@contextlib.contextmanager
def bulk_writing() -> Iterator[None]:
    """Bulk writers (imports) set `last_modified` themselves and announce their changes when done,
    so per-record reactions (these signals, and higher apps' receivers) stand aside meanwhile."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def is_bulk_writing() -> bool:
    return _bulk.get()


def _service_ids(instance) -> set:
    if isinstance(instance, m.Organization):
        return set(instance.services.values_list("pk", flat=True))
    if isinstance(instance, m.Location):
        return set(instance.service_at_locations.values_list("service_id", flat=True))
    if isinstance(instance, m.Address | m.Accessibility):
        return set(
            m.ServiceAtLocation.objects.filter(location_id=instance.location_id).values_list(
                "service_id", flat=True
            )
        )
    if isinstance(instance, m.ServiceAtLocation):
        return {instance.service_id}
    if isinstance(instance, m.Attribute) and instance.link_entity == m.LinkEntity.SERVICE:
        return {instance.link_id}
    ids = {getattr(instance, "service_id", None)}
    if getattr(instance, "contact_id", None):
        ids |= set(
            m.Contact.objects.filter(pk=instance.contact_id).values_list("service_id", flat=True)
        )
    if getattr(instance, "service_at_location_id", None):
        ids |= set(
            m.ServiceAtLocation.objects.filter(pk=instance.service_at_location_id).values_list(
                "service_id", flat=True
            )
        )
    return ids - {None}


TRACKED = (
    m.Organization,
    m.Location,
    m.Address,
    m.Accessibility,
    m.ServiceAtLocation,
    m.ServiceArea,
    m.Schedule,
    m.CostOption,
    m.Funding,
    m.Contact,
    m.Phone,
    m.Language,
    m.Url,
    m.Attribute,
)


def touch_services(sender, instance, **kwargs) -> None:
    if is_bulk_writing() or kwargs.get("raw"):
        return
    ids = _service_ids(instance)
    if ids:
        m.Service.objects.filter(pk__in=ids).update(last_modified=timezone.now())


def connect() -> None:
    for model in TRACKED:
        post_save.connect(touch_services, sender=model, dispatch_uid=f"touch-{model.__name__}")
        post_delete.connect(
            touch_services, sender=model, dispatch_uid=f"touch-del-{model.__name__}"
        )

"""django-q2 tasks: take ids, fetch, call a service."""

from __future__ import annotations

import uuid

from .services import PublishResult, services_publish, snapshots_rebuild


def publish_services(service_ids: list[str]) -> PublishResult:
    return services_publish(service_ids=[uuid.UUID(str(pk)) for pk in service_ids])


def rebuild_snapshots() -> PublishResult:
    return snapshots_rebuild()

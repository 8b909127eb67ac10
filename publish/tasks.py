"""django-q2 tasks: take ids, fetch, call a service."""

from __future__ import annotations

import uuid

from .api.views import warm_service_lists
from .services import PublishResult, services_publish, snapshots_rebuild


def publish_services(service_ids: list[str]) -> PublishResult:
    result = services_publish(service_ids=[uuid.UUID(str(pk)) for pk in service_ids])
    warm_service_lists()
    return result


def rebuild_snapshots() -> PublishResult:
    result = snapshots_rebuild()
    warm_service_lists()
    return result

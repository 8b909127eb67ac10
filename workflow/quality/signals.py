"""Scores follow the records: a saved or imported service is scored again once the change
commits, in a background task (the nightly job catches whatever slips past these signals)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from directory.models import Service
from directory.signals import is_bulk_writing, services_imported

from .services import BATCH

logger = logging.getLogger(__name__)
TASK = "workflow.quality.tasks.score_services"


def _queue(ids: list[str]) -> None:
    from django_q.tasks import async_task

    try:
        async_task(TASK, ids, task_name="Score services", group="quality")
    except Exception:  # the nightly job scores them anyway; never fail the change itself
        logger.exception("Could not queue scoring of %d services", len(ids))


def enqueue_scoring(service_ids: list[Any]) -> None:
    """Score these services in the background, once the current transaction commits."""
    ids = [str(pk) for pk in service_ids]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        transaction.on_commit(lambda chunk=chunk: _queue(chunk))


def _service_saved(sender, instance: Service, raw: bool = False, **kwargs) -> None:
    if raw or is_bulk_writing():
        return
    enqueue_scoring([instance.pk])


def _services_imported(sender, service_ids: list, **kwargs) -> None:
    enqueue_scoring(service_ids)


def connect() -> None:
    post_save.connect(_service_saved, sender=Service, dispatch_uid="quality-service-saved")
    services_imported.connect(_services_imported, dispatch_uid="quality-services-imported")

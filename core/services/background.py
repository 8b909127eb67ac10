"""Background work with a record: every task the portal queues is a `BackgroundTask` row first.

`enqueue` writes the row in the caller's transaction and hands django-q2 a wrapper task once that
transaction commits (so the worker never looks for a row that is not there yet, and work for a
rolled-back change is never queued). The wrapper, `core.tasks.run_background_task`, calls
`background_task_run`, which marks the row running, calls the function, and marks it finished or
failed with the traceback. Pages read the rows, whichever broker (ORM or Redis) carried the work.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import traceback
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import BackgroundTask, BackgroundTaskStatus

logger = logging.getLogger(__name__)

WRAPPER = "core.tasks.run_background_task"
Status = BackgroundTaskStatus


def enqueue(
    *,
    func: str,
    label: str,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    requested_by: Any = None,
    group: str = "",
) -> BackgroundTask:
    """Record a piece of background work and queue it once the current transaction commits.

    `func` is the dotted path of a function taking JSON-friendly arguments (ids, not objects);
    `label` says what it does, for people ("Recompute service allocations and permissions").
    `requested_by` is the user (or user id) whose change asked for it, if any. Outside a
    transaction the work is queued at once (with `sync` on, as in tests, it runs at once).
    """
    import_string(func)  # a mistyped path fails here, in the caller, not later in a worker
    task = BackgroundTask.objects.create(
        label=label[:200],
        func=func,
        args=list(args),
        kwargs=dict(kwargs or {}),
        requested_by_id=getattr(requested_by, "pk", requested_by),
    )
    using = router.db_for_write(BackgroundTask)
    transaction.on_commit(partial(_send, task.pk, label, group), using=using)
    return task


def _send(task_id: int, label: str, group: str) -> None:
    """Hand the wrapper task to django-q2; a broker that refuses leaves the row failed."""
    from django_q.tasks import async_task

    try:
        q_task_id = async_task(WRAPPER, task_id, task_name=label[:100], group=group or None)
    except Exception:
        logger.exception("Could not queue background task %s (%s)", task_id, label)
        BackgroundTask.objects.filter(pk=task_id, status=Status.QUEUED).update(
            status=Status.FAILED,
            error="The task could not be queued:\n" + traceback.format_exc(),
            finished_at=timezone.now(),
        )
        return
    BackgroundTask.objects.filter(pk=task_id).update(q_task_id=str(q_task_id or "")[:32])


def background_task_run(*, task_id: int) -> Any:
    """Run one recorded task (the worker calls this through the wrapper): mark it running, call
    its function, and mark it finished (with its result) or failed (with the traceback, then
    re-raise so django-q2 counts the failure too). A task that already finished is not run again
    (a broker may deliver a task twice); a missing row (deleted) is ignored.
    """
    now = timezone.now()
    started = (
        BackgroundTask.objects.filter(pk=task_id)
        .exclude(status=Status.SUCCEEDED)
        .update(
            status=Status.RUNNING,
            started_at=now,
            finished_at=None,
            error="",
            attempts=models.F("attempts") + 1,
            updated_at=now,
        )
    )
    if not started:
        logger.info("Background task %s has finished already, or is gone: not run", task_id)
        return None
    task = BackgroundTask.objects.get(pk=task_id)
    try:
        result = import_string(task.func)(*task.args, **task.kwargs)
    except Exception:
        _finish(task_id, Status.FAILED, error=traceback.format_exc())
        raise
    _finish(task_id, Status.SUCCEEDED, result=_jsonable(result))
    return result


def _finish(task_id: int, status: str, *, error: str = "", result: Any = None) -> None:
    now = timezone.now()
    BackgroundTask.objects.filter(pk=task_id).update(
        status=status, error=error, result=result, finished_at=now, updated_at=now
    )


def background_task_requeue(*, task: BackgroundTask) -> BackgroundTask:
    """Queue a failed task again, with the same function and arguments.

    Domain-free: it checks no permission. People retry through
    `accounts.services.background_task_retry`, which asks the policy and writes the audit log.
    Raises ValueError unless the task has failed.
    """
    with transaction.atomic():
        locked = BackgroundTask.objects.select_for_update().get(pk=task.pk)
        if not locked.can_retry:
            raise ValueError(f"Only a failed task can be queued again, not a {locked.status} one")
        now = timezone.now()
        locked.status = Status.QUEUED
        locked.queued_at = now
        locked.started_at = None
        locked.finished_at = None
        locked.save(
            update_fields=["status", "queued_at", "started_at", "finished_at", "updated_at"]
        )
        using = router.db_for_write(BackgroundTask)
        transaction.on_commit(partial(_send, locked.pk, locked.label, ""), using=using)
    return locked


background_task_requeue.alters_data = True


def _jsonable(value: Any) -> Any:
    """A task's return value as JSON the row can keep (dataclasses as dicts; else its text)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    except (TypeError, ValueError):
        return str(value)

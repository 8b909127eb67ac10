"""Background work with a record: every task the portal queues is a `BackgroundTask` row first.

`enqueue` writes the row in the caller's transaction and hands django-q2 a wrapper task once that
transaction commits (so the worker never looks for a row that is not there yet, and work for a
rolled-back change is never queued). The wrapper, `core.tasks.run_background_task`, calls
`background_task_run`, which marks the row running, calls the function, and marks it finished or
failed with the traceback. Pages read the rows, whichever broker (ORM or Redis) carried the work.
"""

from __future__ import annotations

import contextvars
import dataclasses
import json
import logging
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connections, models, router, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import BackgroundTask, BackgroundTaskStatus

logger = logging.getLogger(__name__)

WRAPPER = "core.tasks.run_background_task"
Status = BackgroundTaskStatus
# The recorded task this worker is running, so long work can report its progress on the row.
_running_task: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "running_background_task", default=None
)


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
    running = _running_task.set(task_id)
    try:
        result = import_string(task.func)(*task.args, **task.kwargs)
    except Exception:
        _finish(task_id, Status.FAILED, error=traceback.format_exc())
        raise
    finally:
        _running_task.reset(running)
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


class Progress:
    """Counts records done in a stage of long work and says how far it has got: on the running
    task's row (at most once a `every` seconds, so reporting costs nothing noticeable) and to
    `echo`, a terminal's progress bar, if given. Outside a background task only `echo` hears.

    Work inside a transaction (an all-or-nothing import's writing) would keep its reports
    invisible until it commits; on PostgreSQL they go through a connection of their own, which
    commits each at once. SQLite allows one writer, so there a stage inside a transaction is
    reported when the transaction has ended."""

    def __init__(
        self,
        stage: str,
        *,
        total: int | None = None,
        echo: Any = None,
        every: float = 1.0,
        clock: Any = time.monotonic,
    ) -> None:
        self.stage, self.total, self.echo, self.every, self.clock = stage, total, echo, every, clock
        self.done = 0
        self.started = self.clock()
        self.reported = float("-inf")
        self.task_id = _running_task.get()
        self._side: Any = None

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.echo is not None:
            self.echo.update(n)
        if self.task_id is not None and self.clock() - self.reported >= self.every:
            self.report()

    def report(self) -> None:
        """Write where the work is now onto the running task's row."""
        if self.task_id is None:
            return
        now = self.clock()
        self.reported = now
        elapsed = max(now - self.started, 1e-9)
        per_second = self.done / elapsed if self.done else 0.0
        left = None
        if self.total and per_second:
            left = max(0.0, (self.total - self.done) / per_second)
        progress = {
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "per_second": round(per_second, 1),
            "seconds_left": None if left is None else round(left, 1),
        }
        alias = router.db_for_write(BackgroundTask)
        if connections[alias].in_atomic_block and self._report_beside(alias, progress):
            return
        BackgroundTask.objects.using(alias).filter(pk=self.task_id).update(progress=progress)

    def _report_beside(self, alias: str, progress: dict[str, Any]) -> bool:
        """Write the report through a connection of its own, committed at once (PostgreSQL);
        False if that cannot be done: on SQLite, or when the task's row is not committed yet or
        is locked by the work's own transaction (which must not be waited for)."""
        if connections[alias].vendor != "postgresql":
            return False
        try:
            if self._side is None:
                self._side = connections.create_connection(alias)
                with self._side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '1s'")
            with self._side.cursor() as cursor:
                table = BackgroundTask._meta.db_table
                cursor.execute(
                    f"UPDATE {table} SET progress = %s::jsonb WHERE id = %s",
                    [json.dumps(progress), self.task_id],
                )
                return cursor.rowcount == 1
        except DatabaseError:
            logger.warning("Could not report the progress of task %s", self.task_id)
            return True

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None

    def track(self, items: Iterable[Any]) -> Iterator[Any]:
        """Yield `items`, counting each; the last count is reported when they run out."""
        try:
            for item in items:
                yield item
                self.advance()
            self.report()
        finally:
            self.close()
            if self.echo is not None and hasattr(self.echo, "close"):
                self.echo.close()


def _jsonable(value: Any) -> Any:
    """A task's return value as JSON the row can keep (dataclasses as dicts; else its text)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    except (TypeError, ValueError):
        return str(value)

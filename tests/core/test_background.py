"""Background work with a record: enqueue, the wrapper's bookkeeping, requeue."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import connection, connections, transaction

from core.models import BackgroundTask, BackgroundTaskStatus, progress_text
from core.services import Progress, background_task_requeue, background_task_run, enqueue
from core.services.background import _running_task

pytestmark = pytest.mark.django_db


def explode(message: str) -> None:
    raise RuntimeError(message)


def test_enqueue_records_the_task_and_queues_it_once_the_transaction_commits(
    django_capture_on_commit_callbacks, directory_admin
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task = enqueue(
            func="operator.add", args=[2, 3], label="Add two numbers", requested_by=directory_admin
        )
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.QUEUED and task.attempts == 0
    assert task.requested_by == directory_admin and len(callbacks) == 1
    callbacks[0]()  # the commit: tests run django-q2 with sync on, so the task runs now
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.SUCCEEDED and task.result == 5
    assert task.attempts == 1 and task.started_at and task.finished_at and task.q_task_id


def test_a_failing_task_is_recorded_with_its_traceback(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = enqueue(func=f"{__name__}.explode", args=["no database"], label="Explode")
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.FAILED and task.finished_at
    assert "Traceback" in task.error and task.error_summary == "RuntimeError: no database"
    assert task.can_retry


def test_a_mistyped_function_fails_in_the_caller():
    with pytest.raises(ImportError):
        enqueue(func="operator.no_such_function", label="Typo")
    assert not BackgroundTask.objects.exists()


def test_a_broker_that_refuses_leaves_the_task_failed(django_capture_on_commit_callbacks):
    with (
        mock.patch("django_q.tasks.async_task", side_effect=ConnectionError("Redis is down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        task = enqueue(func="operator.add", args=[1, 1], label="Add")
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.FAILED
    assert "could not be queued" in task.error and "Redis is down" in task.error


def test_a_task_delivered_twice_runs_once():
    task = BackgroundTask.objects.create(func="operator.add", args=[1, 2], label="Add")
    assert background_task_run(task_id=task.pk) == 3
    assert background_task_run(task_id=task.pk) is None
    task.refresh_from_db()
    assert task.attempts == 1 and task.status == BackgroundTaskStatus.SUCCEEDED


def test_the_wrapper_reraises_so_django_q2_counts_the_failure_too():
    task = BackgroundTask.objects.create(func=f"{__name__}.explode", args=["boom"], label="X")
    with pytest.raises(RuntimeError, match="boom"):
        background_task_run(task_id=task.pk)
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.FAILED


def test_requeue_runs_a_failed_task_again_and_refuses_others(django_capture_on_commit_callbacks):
    task = BackgroundTask.objects.create(
        func="operator.add",
        args=[2, 2],
        label="Add",
        status=BackgroundTaskStatus.FAILED,
        error="Traceback...\nRuntimeError: once",
        attempts=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        background_task_requeue(task=task)
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.SUCCEEDED and task.result == 4
    assert task.attempts == 2 and task.error == ""
    with pytest.raises(ValueError, match="Only a failed task"):
        background_task_requeue(task=task)


def test_needing_attention_leaves_out_finished_work():
    statuses = list(BackgroundTaskStatus)
    for status in statuses:
        BackgroundTask.objects.create(func="operator.add", label=status, status=status)
    assert set(BackgroundTask.objects.needing_attention().values_list("status", flat=True)) == {
        BackgroundTaskStatus.QUEUED,
        BackgroundTaskStatus.RUNNING,
        BackgroundTaskStatus.FAILED,
    }


def progress_seen_by_others(total: int) -> list:
    """A task that works through `total` records in one transaction, noting before each and at
    the end what another connection (the staff page's) reads of its progress."""

    def seen_from_outside():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT progress FROM core_backgroundtask WHERE status = 'running'")
                value = cursor.fetchone()[0]  # Django has psycopg hand jsonb over as text
                return json.loads(value) if value else None
        finally:
            other.close()

    seen = []
    progress = Progress("Writing", total=total, every=0)
    with transaction.atomic():
        for _ in progress.track(range(total)):
            seen.append(seen_from_outside())
        seen.append(seen_from_outside())
    return seen


def test_progress_is_reported_on_the_running_task_at_most_once_a_period():
    now = [0.0]
    task = BackgroundTask.objects.create(func="operator.add", args=[1, 2], label="Add")
    token = _running_task.set(task.pk)
    try:
        progress = Progress("Checking", total=10, every=1.0, clock=lambda: now[0])
        progress.advance()  # the first is reported at once
        task.refresh_from_db()
        assert task.progress["done"] == 1
        now[0] = 0.5
        progress.advance()  # too soon: not written
        task.refresh_from_db()
        assert task.progress["done"] == 1
        now[0] = 1.0
        progress.advance(3)  # a second on: 5 done in 1 s
        task.refresh_from_db()
    finally:
        _running_task.reset(token)
    assert task.progress == {
        "stage": "Checking",
        "done": 5,
        "total": 10,
        "per_second": 5.0,
        "seconds_left": 1.0,
    }
    assert task.progress_text == "Checking: 5 of 10 records, 5 a second, about 1 second left"


def test_progress_in_words():
    assert progress_text(None) == ""
    assert progress_text({"stage": "Checking", "done": 1200, "total": None}) == (
        "Checking: 1,200 records"
    )
    assert progress_text(
        {"stage": "Writing", "done": 4200, "total": 10836, "per_second": 310, "seconds_left": 1260}
    ) == ("Writing: 4,200 of 10,836 records, 310 a second, about 21 minutes left")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
# Committing for real; the serialized rollback gives later tests back the rows migrations made
# (the default feed), which a transactional test's flush would otherwise take away.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_inside_a_transaction_is_seen_while_it_runs():
    """An all-or-nothing import writes in one transaction; its progress must not wait for the
    commit to be seen."""
    task = BackgroundTask.objects.create(
        func=f"{__name__}.progress_seen_by_others", args=[3], label="Count"
    )
    seen = background_task_run(task_id=task.pk)
    assert seen[0] is None  # nothing done yet
    assert [report["done"] for report in seen[1:]] == [1, 2, 3]
    assert all(report["stage"] == "Writing" and report["total"] == 3 for report in seen[1:])

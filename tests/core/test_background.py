"""Background work with a record: enqueue, the wrapper's bookkeeping, requeue."""

from __future__ import annotations

from unittest import mock

import pytest

from core.models import BackgroundTask, BackgroundTaskStatus
from core.services import background_task_requeue, background_task_run, enqueue

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

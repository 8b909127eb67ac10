"""Background tasks: the directory admins' page, retrying, and the rule pages' status panel."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.services import background_task_retry, enqueue_recompute_all
from accounts.services.allocation import RECOMPUTE_ALL_TASK
from core.models import BackgroundTask, BackgroundTaskStatus
from tests.auth import sign_in
from tests.factories import AllocationRuleFactory, UserFactory

pytestmark = pytest.mark.django_db


def failed_task(**fields) -> BackgroundTask:
    return BackgroundTask.objects.create(
        label="Work out which partner assures each service, and their permissions",
        func=RECOMPUTE_ALL_TASK,
        args=[None],
        status=BackgroundTaskStatus.FAILED,
        error="Traceback (most recent call last):\n  ...\nOperationalError: database is locked",
        attempts=1,
        finished_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def admin_client(client, directory_admin):
    return sign_in(client, directory_admin)


def test_the_tasks_page_lists_queued_running_and_failed_work_with_the_error(admin_client):
    failed = failed_task()
    BackgroundTask.objects.create(label="Publish 3 services", func="operator.add")
    BackgroundTask.objects.create(
        label="Still going", func="operator.add", status=BackgroundTaskStatus.RUNNING
    )
    BackgroundTask.objects.create(
        label="All done", func="operator.add", status=BackgroundTaskStatus.SUCCEEDED
    )
    html = admin_client.get(reverse("accounts:task-list")).content.decode()
    assert "3 tasks queued, running or failed" in html
    assert "Publish 3 services" in html and "Still going" in html and "All done" not in html
    assert "OperationalError: database is locked" in html
    assert reverse("accounts:task-retry", args=[failed.pk]) in html
    assert html.count(">Retry<") == 1  # only the failed one
    html = admin_client.get(reverse("accounts:task-list") + "?all=1").content.decode()
    assert "All done" in html


def test_the_staff_navigation_links_directory_admins_to_the_tasks_page(admin_client):
    html = admin_client.get(reverse("accounts:account")).content.decode()
    assert f'href="{reverse("accounts:task-list")}"' in html


def test_people_who_are_not_directory_admins_cannot_see_or_retry_tasks(client, assurer):
    task = failed_task()
    sign_in(client, assurer)
    assert client.get(reverse("accounts:task-list")).status_code == 403
    response = client.post(reverse("accounts:task-retry", args=[task.pk]))
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.FAILED and task.attempts == 1
    assert not AuditEvent.objects.filter(action=AuditAction.TASK_RETRIED).exists()
    html = client.get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:task-list") not in html


def test_retrying_a_failed_task_runs_it_again_and_is_logged(
    admin_client, directory_admin, django_capture_on_commit_callbacks
):
    task = failed_task()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("accounts:task-retry", args=[task.pk]))
    assert response["Location"] == reverse("accounts:task-list")
    task.refresh_from_db()
    # Test settings run django-q2 synchronously: the recompute has run.
    assert task.status == BackgroundTaskStatus.SUCCEEDED and task.attempts == 2
    assert task.error == "" and task.result["services"] == 0
    event = AuditEvent.objects.get(action=AuditAction.TASK_RETRIED)
    assert event.actor == directory_admin and event.target_id == str(task.pk)
    assert event.detail["error"] == "OperationalError: database is locked"
    page = admin_client.get(response["Location"]).content.decode()
    assert "has been queued again" in page


def test_a_task_that_has_not_failed_is_not_retried(admin_client):
    task = BackgroundTask.objects.create(label="Waiting", func="operator.add")
    response = admin_client.post(reverse("accounts:task-retry", args=[task.pk]), follow=True)
    assert "has not failed" in response.content.decode()
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.QUEUED
    assert not AuditEvent.objects.filter(action=AuditAction.TASK_RETRIED).exists()


def test_the_retry_service_asks_the_policy(assurer):
    from accounts.exceptions import NotAllowed

    task = failed_task()
    with pytest.raises(NotAllowed):
        background_task_retry(task=task, actor=assurer)
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.FAILED


@pytest.mark.parametrize("size", [3, 30])
def test_the_tasks_page_makes_a_fixed_number_of_queries(
    admin_client, size, django_assert_max_num_queries
):
    for index in range(size):
        failed_task(requested_by=UserFactory())
        BackgroundTask.objects.create(label=f"Queued {index}", func="operator.add")
    with django_assert_max_num_queries(5):
        response = admin_client.get(reverse("accounts:task-list"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (BackgroundTaskStatus.QUEUED, ["Queued at", "Refresh this page to check again"]),
        (BackgroundTaskStatus.RUNNING, ["Running since", "Refresh this page to check again"]),
        (BackgroundTaskStatus.FAILED, ["Failed at", "database is locked", "Retry it from"]),
    ],
)
def test_the_rule_list_says_how_the_recompute_is_going(admin_client, status, words):
    task = failed_task()
    BackgroundTask.objects.filter(pk=task.pk).update(status=status)
    html = admin_client.get(reverse("accounts:rule-list")).content.decode()
    assert 'id="background-work"' in html
    for word in words:
        assert word in html


def test_the_rule_list_says_when_the_recompute_finished_and_what_it_found(
    admin_client, django_capture_on_commit_callbacks
):
    AllocationRuleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_recompute_all(requested_by_id=None)
    html = admin_client.get(reverse("accounts:rule-list")).content.decode()
    assert "Finished at" in html and "0 of 0 services are allocated" in html
    assert "Refresh this page" not in html

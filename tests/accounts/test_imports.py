"""Imports from the staff pages: a directory admin uploads an ORUK file, a background task
imports it (all or nothing) and the report stays on the import's page."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from core.models import BackgroundTask
from directory import models as m
from directory.models import ImportUpload
from tests.auth import sign_in
from tests.directory.test_import_export import database_state, service_doc

__all__ = ["service_doc"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, directory_admin):
    return sign_in(client, directory_admin)


def upload(client, captured, name: str, content: bytes, **fields):
    with captured(execute=True):
        return client.post(
            reverse("accounts:import-create"),
            {"file": SimpleUploadedFile(name, content), "dialect": "auto", **fields},
        )


def test_an_uploaded_file_is_imported_in_the_background_and_reported(
    admin_client, directory_admin, service_doc, django_capture_on_commit_callbacks
):
    docs = [service_doc("a"), service_doc("b")]

    response = upload(
        admin_client, django_capture_on_commit_callbacks, "two.json", json.dumps(docs).encode()
    )

    imported = ImportUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:import-detail", args=[imported.pk])
    assert m.Service.objects.filter(pk__in=[d["id"] for d in docs]).count() == 2
    assert imported.report["ok"] and imported.report["imported"] == 2
    assert imported.task.status == "succeeded"
    assert imported.task.progress["stage"] == "Importing"
    assert imported.task.progress["done"] == 2
    page = admin_client.get(response["Location"]).content.decode()
    assert "Imported" in page and "2 service created" in page
    event = AuditEvent.objects.get(action=AuditAction.IMPORT_QUEUED)
    assert event.actor == directory_admin and event.target_label == "two.json"


def test_a_broken_file_changes_nothing_and_its_page_lists_every_problem(
    admin_client, service_doc, django_capture_on_commit_callbacks
):
    good, reused, bad = service_doc("a"), service_doc("b"), service_doc("c")
    reused["schedules"][0]["id"] = good["schedules"][0]["id"]
    bad["status"] = "sometimes"
    before = database_state()

    response = upload(
        admin_client,
        django_capture_on_commit_callbacks,
        "broken.json",
        json.dumps([good, reused, bad]).encode(),
    )

    assert database_state() == before
    report = ImportUpload.objects.get().report
    assert not report["ok"] and report["imported"] == 0
    assert {p["path"] for p in report["problems"]} == {"status", "schedules/0/id"}
    page = admin_client.get(response["Location"]).content.decode()
    assert "Nothing imported" in page and "2 problems" in page
    assert "is also the id of the schedule" in page


def test_a_file_that_is_not_json_is_reported_by_its_own_name(
    admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, django_capture_on_commit_callbacks, "deep.json", b"[" * 2000 + b"]" * 2000)

    report = ImportUpload.objects.get().report
    assert report["problems"] == [
        {"record_id": "", "path": "", "message": "deep.json is nested too deeply to be ORUK JSON"}
    ]


def test_a_missing_or_too_large_file_gets_a_message(
    admin_client, settings, django_capture_on_commit_callbacks
):
    response = admin_client.post(reverse("accounts:import-create"), {"dialect": "auto"})
    assert "Choose the file to import" in response.content.decode()

    settings.PORTAL_IMPORT_MAX_BYTES = 10
    response = upload(
        admin_client, django_capture_on_commit_callbacks, "big.json", b"[" + b" " * 20 + b"]"
    )
    assert response.status_code == 200
    assert "The file must be smaller than" in response.content.decode()
    assert not ImportUpload.objects.exists() and not BackgroundTask.objects.exists()


@pytest.mark.parametrize("who", ["assurer", "provider_user", "frontline_worker"])
def test_only_directory_admins_may_import(
    client, request, who, service_doc, django_capture_on_commit_callbacks
):
    client = sign_in(client, request.getfixturevalue(who))
    for name in ("accounts:import-list", "accounts:import-create"):
        assert client.get(reverse(name)).status_code == 403
    response = upload(
        client,
        django_capture_on_commit_callbacks,
        "a.json",
        json.dumps([service_doc("a")]).encode(),
    )
    assert response.status_code == 403
    assert not ImportUpload.objects.exists() and not m.Service.objects.exists()


def test_the_imports_page_runs_the_same_queries_for_many_imports(
    admin_client, directory_admin, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for i in range(n):
            task = BackgroundTask.objects.create(label=f"Import {i}.json", func="operator.add")
            ImportUpload.objects.create(
                file_name=f"{i}.json", content=b"", size=2, uploaded_by=directory_admin, task=task
            )

    add(1)
    with django_assert_max_num_queries(12) as one:
        admin_client.get(reverse("accounts:import-list"))
    add(30)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = admin_client.get(reverse("accounts:import-list")).content.decode()
    assert "31 imports" in page

"""Importing ORUK files from the staff pages (directory admins): upload, queue, read the report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views.generic import FormView, TemplateView

from accounts.import_forms import ImportUploadForm
from accounts.policy import Action
from accounts.presenters import task_tag, when
from accounts.services import UploadTooLarge, import_upload_create
from core.components import cell, column, lines, pagination, tag
from directory.models import ImportUpload

from .mixins import StaffPageMixin


def _uploads():
    # The files themselves stay in the database: pages never need them.
    return ImportUpload.objects.defer("content").select_related("task", "uploaded_by")


def outcome(upload: ImportUpload) -> Any:
    """What became of an import: its task's state until it has run, then the report's verdict."""
    report = upload.report
    if report is not None:
        if report.get("ok"):
            return tag("Imported", "green")
        return tag("Nothing imported", "red")
    if upload.task is None:
        return tag("Not queued", "grey")
    return task_tag(upload.task)


def uploaded(upload: ImportUpload) -> Any:
    """When, and by whom."""
    by = [f"by {upload.uploaded_by.email}"] if upload.uploaded_by else []
    return lines([when(upload.created_at), *by])


def import_table(uploads: list[ImportUpload]) -> dict[str, Any]:
    rows = []
    for upload in uploads:
        href = reverse("accounts:import-detail", args=[upload.pk])
        report = upload.report or {}
        rows.append(
            [
                cell(
                    lines(
                        [
                            format_html(
                                '<a class="govuk-link" href="{}">{}</a>', href, upload.file_name
                            ),
                            f"{upload.size:,} bytes",
                        ]
                    ),
                    header=True,
                ),
                cell(uploaded(upload)),
                cell(outcome(upload)),
                cell(
                    report.get("summary", "") or (upload.task.progress_text if upload.task else "")
                ),
            ]
        )
    return {
        "head": [column("File"), column("Uploaded"), column("Status"), column("Result")],
        "rows": rows,
    }


class ImportListView(StaffPageMixin, TemplateView):
    permission_action = Action.IMPORT_RECORDS
    title = "Imports"
    template_name = "accounts/import_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = Paginator(_uploads(), settings.PORTAL_STAFF_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            table=import_table(list(page.object_list)),
            count=page.paginator.count,
            pagination=pagination(page, self.request),
            **kwargs,
        )


class ImportCreateView(StaffPageMixin, FormView):
    permission_action = Action.IMPORT_RECORDS
    title = "Import a file"
    template_name = "accounts/form_page.html"
    form_class = ImportUploadForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            back_link=reverse("accounts:import-list"),
            lead=(
                "The portal checks every record first. If any is invalid, nothing changes and the "
                "report lists every problem; otherwise every record is imported. Big files take "
                "a while: the import runs in the background and its page shows how far it has got."
            ),
            **kwargs,
        )

    def form_valid(self, form: ImportUploadForm) -> HttpResponse:
        try:
            upload = import_upload_create(
                actor=self.request.user,
                file=form.cleaned_data["file"],
                dialect=form.cleaned_data["dialect"],
                source_name=form.cleaned_data["source_name"],
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
        except UploadTooLarge as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"{upload.file_name} is queued for import")
        return redirect(reverse("accounts:import-detail", args=[upload.pk]))


class ImportDetailView(StaffPageMixin, TemplateView):
    permission_action = Action.IMPORT_RECORDS
    template_name = "accounts/import_detail.html"

    @cached_property
    def upload(self) -> ImportUpload:
        return get_object_or_404(_uploads(), pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return f"Import of {self.upload.file_name}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        upload, report = self.upload, self.upload.report or {}
        task = upload.task
        facts = [
            {"key": "File", "value": f"{upload.file_name} ({upload.size:,} bytes)"},
            {"key": "Uploaded", "value": uploaded(upload)},
            {"key": "Status", "value": outcome(upload)},
        ]
        if task is not None and report == {} and task.progress_text:
            facts.append({"key": "Progress", "value": task.progress_text})
        if task is not None and task.error and not report:
            facts.append({"key": "Error", "value": task.error_summary})
        if report:
            facts += [
                {"key": "Records in the file", "value": f"{report.get('documents', 0):,}"},
                {"key": "Imported", "value": f"{report.get('imported', 0):,}"},
                {"key": "Changes", "value": report.get("summary", "")},
            ]
            if report.get("notes"):
                facts.append({"key": "Notes", "value": lines(report["notes"])})
        problems = report.get("problems") or []
        return super().get_context_data(
            upload=upload,
            facts=facts,
            finished=bool(report) or (task is not None and task.is_finished),
            problem_count=report.get("problem_count", 0),
            hint=report.get("hint", ""),
            problems={
                "head": [column("Record"), column("Where"), column("Problem")],
                "rows": [
                    [
                        cell(p["record_id"] or "(file)", header=True),
                        cell(p["path"] or "(record)"),
                        cell(p["message"]),
                    ]
                    for p in problems
                ],
            },
            shown=len(problems),
            **kwargs,
        )

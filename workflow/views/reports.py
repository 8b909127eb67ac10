"""The public "report a problem" form of a published service, and its "thank you" page.

Open to anyone, signed in or not, for the services in the open feed only (others are a 404: the
form must not tell anyone which unpublished records exist). What is sent becomes a change
request waiting for the service's assurers (`workflow.services.report_create`). Spam is kept
out without third-party services: a honeypot field, a limit per client address and per email
address (`accounts.throttle`), and size limits on the request and each field.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts.forms import add_service_errors
from accounts.services.audit import client_ip
from accounts.throttle import allow_email
from core.views import PageTitleMixin, bad_request
from directory.models import Service
from workflow.report_forms import ReportForm
from workflow.services import report_create

logger = logging.getLogger(__name__)

# The largest report body read: every field at its limit, encoded, fits well inside it.
MAX_REPORT_BYTES = 32 * 1024
TOO_MANY = "You have sent too many reports in the last hour. Try again later"


class PublishedServiceMixin:
    """Looks up the published service named in the URL: 404 unless it is in the open feed."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # publish sits above workflow (publish imports workflow): asked here, not at import.
        from publish.models import PublishedService

        snapshot = (
            PublishedService.objects.filter(pk=kwargs["pk"])
            .only("name", "organization_id", "document")
            .first()
        )
        if snapshot is None:
            raise Http404("No published service with this id")
        self.snapshot = snapshot
        self.service_name = snapshot.name
        self.organization_name = _organization_name(snapshot.document)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            service_name=self.service_name, organization_name=self.organization_name, **kwargs
        )


def _organization_name(document: str) -> str:
    try:
        organization = json.loads(document).get("organization") or {}
    except (ValueError, AttributeError):
        return ""
    return organization.get("name", "") if isinstance(organization, dict) else ""


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > MAX_REPORT_BYTES


@method_decorator(never_cache, name="dispatch")
class ReportView(PublishedServiceMixin, PageTitleMixin, FormView):
    """Report a problem with a published service's listing."""

    form_class = ReportForm
    template_name = "workflow/reports/report_form.html"

    def get_title(self) -> str:
        return f"Report a problem with {self.service_name}"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _too_large(request):
            response = bad_request(request)
            response.status_code = 413
            return response
        form = self.get_form()
        if form.is_from_a_bot:
            # The same answer as a sent report, so that a bot learns nothing; nothing is kept.
            logger.info("Report dropped: the honeypot field was filled")
            return self._sent()
        if not form.is_valid():
            return self.form_invalid(form)
        return self.form_valid(form)

    def form_valid(self, form: ReportForm) -> HttpResponse:
        data = form.report_data()
        if not allow_email(
            "report",
            address=data["email"],
            client=client_ip(self.request),
            limits=settings.PORTAL_REPORTS_PER_HOUR,
        ):
            form.add_error(None, TOO_MANY)
            return self.form_invalid(form)
        service = Service.objects.select_related("organization").get(pk=self.snapshot.pk)
        try:
            report_create(service=service, actor=self.request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return self._sent()

    def _sent(self) -> HttpResponse:
        return redirect("workflow:report-sent", pk=self.snapshot.pk)


class ReportSentView(PublishedServiceMixin, PageTitleMixin, TemplateView):
    """The "thank you" page after a report (the same after a dropped one)."""

    title = "Thank you for your report"
    template_name = "workflow/reports/report_sent.html"

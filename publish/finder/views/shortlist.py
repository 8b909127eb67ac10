"""The shortlist pages: add and remove (from any finder page), the list, its printable page, the
email a frontline worker sends, and a service's sessions as an iCalendar download.

No account is needed for the list: it lives in the session (`publish.finder.shortlist`). The
add, remove and clear buttons are plain POST forms that come back to the page they were pressed
on, so they work without JavaScript; the `next` address is checked to stay on this site.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts.emails import one_line
from accounts.services.audit import client_ip
from accounts.throttle import allow_email
from core.forms import GDSForm
from core.views import PageTitleMixin
from publish.finder.calendar import service_calendar
from publish.finder.shortlist import (
    MAX_SERVICES,
    Shortlist,
    absolute_url,
    emails_per_hour,
    may_email_shortlist,
    parse_service_id,
    qr_code_svg,
    service_path,
    shortlist_email_body,
    shortlist_entries,
)
from publish.models import PublishedService

logger = logging.getLogger(__name__)

FULL = f"Your shortlist is full: it holds up to {MAX_SERVICES} services. Remove one to add another"
TOO_MANY = "You have sent too many lists in the last hour. Try again later"


def _next_url(request: HttpRequest) -> str:
    """Where to go back to: the `next` the form sent if it stays on this site, else the list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("finder:shortlist")


@method_decorator(never_cache, name="dispatch")
class ShortlistAddView(View):
    """Add the posted `service_id` (a published service) to the visitor's list."""

    def post(self, request: HttpRequest) -> HttpResponse:
        service_id = parse_service_id(request.POST.get("service_id"))
        if service_id is None or not PublishedService.objects.filter(pk=service_id).exists():
            raise Http404("No published service with this id")
        if not Shortlist(request.session).add(service_id):
            messages.error(request, FULL)
        return HttpResponseRedirect(_next_url(request))


@method_decorator(never_cache, name="dispatch")
class ShortlistRemoveView(View):
    """Take the posted `service_id` off the list (whether or not it is still published)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        service_id = parse_service_id(request.POST.get("service_id"))
        if service_id is not None:
            Shortlist(request.session).remove(service_id)
        return HttpResponseRedirect(_next_url(request))


@method_decorator(never_cache, name="dispatch")
class ShortlistClearView(View):
    def post(self, request: HttpRequest) -> HttpResponse:
        Shortlist(request.session).clear()
        messages.success(request, "Your shortlist is now empty")
        return redirect("finder:shortlist")


class ShortlistMixin(PageTitleMixin):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entries = shortlist_entries(Shortlist(self.request.session).ids)
        return super().get_context_data(
            entries=entries,
            published_count=sum(1 for e in entries if e.published),
            may_email=may_email_shortlist(self.request.user),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class ShortlistView(ShortlistMixin, TemplateView):
    """The list, with a way to remove each service, clear it all, print it or email it."""

    title = "Your shortlist"
    template_name = "publish/finder/shortlist.html"


@method_decorator(never_cache, name="dispatch")
class ShortlistPrintView(ShortlistMixin, TemplateView):
    """The list laid out to print on one page: large type, each service with a QR code."""

    title = "Services for you"
    template_name = "publish/finder/shortlist_print.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for entry in context["entries"]:
            if entry.published:
                entry.qr_code = qr_code_svg(entry.url)
        return context


class ShortlistEmailForm(GDSForm):
    submit_label = "Send the list"

    email = forms.EmailField(
        label="Email address",
        help_text="Your client's, or your own to forward or print later.",
        max_length=254,
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    message = forms.CharField(
        label="A message to go with the list (optional)",
        help_text="Do not include anyone's personal details.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@method_decorator(never_cache, name="dispatch")
class ShortlistEmailView(PageTitleMixin, FormView):
    """A frontline worker emails the list (plain text) to a client or to themselves.

    Sent at once through Django's email backend rather than queued: a queued task would keep the
    address in the task table, and the person waits on this page for the answer anyway. Nothing
    personal is logged or kept: neither the address nor the message.
    """

    title = "Email your shortlist"
    template_name = "publish/finder/shortlist_email.html"
    form_class = ShortlistEmailForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_email_shortlist(request.user):
            raise PermissionDenied("Only frontline workers can email a shortlist")
        self.entries = [e for e in shortlist_entries(Shortlist(request.session).ids) if e.published]
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(entries=self.entries, **kwargs)

    def form_valid(self, form: ShortlistEmailForm) -> HttpResponse:
        if not self.entries:
            form.add_error(None, "Your shortlist has no services to send")
            return self.form_invalid(form)
        address = form.cleaned_data["email"]
        if not allow_email(
            "shortlist",
            address=address,
            client=client_ip(self.request),
            limits=emails_per_hour(),
        ):
            form.add_error(None, TOO_MANY)
            return self.form_invalid(form)
        send_mail(
            subject=one_line(f"Local services: your list of {len(self.entries)}"),
            message=shortlist_email_body(self.entries, message=form.cleaned_data["message"]),
            from_email=None,
            recipient_list=[address],
        )
        logger.info("Shortlist of %d services emailed", len(self.entries))
        messages.success(self.request, f"We have sent the list to {address}")
        return redirect("finder:shortlist")


class ServiceCalendarView(View):
    """`/services/<id>/calendar.ics`: the published service's sessions, to add to a calendar."""

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        snapshot = PublishedService.objects.filter(pk=pk).only("name", "document").first()
        if snapshot is None:
            raise Http404("No published service with this id")
        body, count = service_calendar(snapshot, url=absolute_url(service_path(str(pk))))
        if not count:
            raise Http404("This service has no regular sessions to add to a calendar")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="service-{pk}.ics"'
        return response

"""The audit log (directory admins): filter by action, person, partner and dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from accounts import presenters
from accounts.forms import AuditFilterForm
from accounts.policy import Action, audit_events_visible_to
from core.components import pagination

from .mixins import StaffPageMixin


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditLogView(StaffPageMixin, TemplateView):
    permission_action = Action.VIEW_AUDIT_LOG
    title = "Audit log"
    template_name = "accounts/auditevent_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET
        filtering = any(key != "page" for key in params)
        form = AuditFilterForm(params if filtering else None)
        events = audit_events_visible_to(self.request.user).select_related("partner")
        if filtering and form.is_valid():
            data = form.cleaned_data
            if data["action"]:
                events = events.of_action(data["action"])
            if data["actor"].strip():
                events = events.filter(actor_email__icontains=data["actor"].strip())
            if data["partner"]:
                events = events.for_partner(data["partner"])
            end = data["date_to"]
            events = events.between(
                _start_of(data["date_from"]) if data["date_from"] else None,
                # Up to the start of the next day; the last day there is has no end.
                _start_of(end + timedelta(days=1)) if end and end < date.max else None,
            )
        elif filtering:
            events = events.none()
        page = Paginator(events, settings.PORTAL_STAFF_PER_PAGE).get_page(params.get("page"))
        return super().get_context_data(
            form=form,
            filtering=filtering,
            table=presenters.audit_table(page.object_list),
            count=page.paginator.count,
            pagination=pagination(page, self.request),
            **kwargs,
        )

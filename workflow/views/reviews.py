"""Periodic review pages: an assurer's list of overdue reviews, and the one-click "still
accurate" link a provider opens from a reminder email (no sign-in: the link is the proof).

The list starts from `accounts.policy.objects_user_can`; the link's writes go through
`workflow.review_services`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.models import Partner
from accounts.policy import Action, objects_user_can, user_can
from core.components import cell, column, link, pagination
from core.concurrency import StaleEdit, StaleEditViewMixin, VersionedFormMixin
from core.forms import GDSForm
from core.paging import IdsFirstPaginator
from core.views import PageTitleMixin
from directory.models import Service, TaxonomyTerm
from directory.taxonomies.identity import LGA_SERVICE_TYPES
from workflow import records, reviews
from workflow.models import ReviewInterval
from workflow.review_services import (
    LinkProblem,
    reminder_confirm_accurate,
    reminder_for_token,
    review_interval_set,
    review_interval_state,
)
from workflow.views.records import AnyActionRequiredMixin

DUE_SOON_DAYS = records.DUE_SOON_DAYS


def overdue_table(services: list[Service], *, with_partner: bool, today) -> dict[str, Any]:
    """Rows of overdue services (read with `records.with_list_columns`), most overdue first."""
    rows = []
    for service in services:
        allocation = getattr(service, "allocation", None)
        row = [
            cell(records.service_link(service), header=True),
            cell(service.organization.name if service.organization_id else ""),
            cell(records.day(service.assured_date) or "Never"),
            cell(reviews.review_words(service, today=today)),
        ]
        if with_partner:
            row.append(cell(allocation.partner.name if allocation else "Not allocated"))
        row.append(cell(service.open_changes, numeric=True))
        rows.append(row)
    head = [column("Service"), column("Organisation"), column("Last assured"), column("Review")]
    if with_partner:
        head.append(column("Allocated to"))
    head.append(column("Open changes", numeric=True))
    return {"head": head, "rows": rows}


class OverdueReviewListView(AnyActionRequiredMixin, PageTitleMixin, TemplateView):
    """The services an assurer may assure whose review is overdue, most overdue first, 50 a
    page. Each leads to the service page, where "Mark as checked" moves it off the list."""

    permission_actions = (Action.ASSURE,)
    title = "Overdue reviews"
    template_name = "workflow/reviews/overdue_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user, today = self.request.user, timezone.localdate()
        mine = objects_user_can(user, Action.ASSURE, Service.objects.all())
        overdue = reviews.most_overdue_first(mine.filter(reviews.overdue_filter(today)))
        page = IdsFirstPaginator(
            overdue,
            settings.PORTAL_STAFF_PER_PAGE,
            lambda ids: records.with_list_columns(Service.objects.filter(pk__in=ids)),
        ).get_page(self.request.GET.get("page"))
        due_soon = mine.filter(reviews.due_within_filter(DUE_SOON_DAYS, today)).count()
        return super().get_context_data(
            table=overdue_table(
                page.object_list, with_partner=user_can(user, Action.PUBLISH), today=today
            ),
            count=page.paginator.count,
            first=page.start_index(),
            last=page.end_index(),
            pagination=pagination(page, self.request),
            due_soon=due_soon,
            may_set_policy=user_can(user, Action.MANAGE_RULES),
            due_soon_url=reverse("workflow:service-list") + "?assurance=due_soon&scope=assure",
            **kwargs,
        )


class StillAccurateView(View):
    """GET: what the link will do, and one button. POST: do it (once)."""

    template_name = "workflow/reviews/still_accurate.html"

    def problem(self, request: HttpRequest, problem: LinkProblem) -> HttpResponse:
        return render(
            request,
            "workflow/reviews/link_problem.html",
            {"title": "This link cannot be used", "message": problem.message},
            status=problem.status,
        )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            reminder = reminder_for_token(token)
        except LinkProblem as problem:
            return self.problem(request, problem)
        service = reminder.service
        return render(
            request,
            self.template_name,
            {
                "title": f"Is the listing of {service.name} still accurate?",
                "service": service,
                "organization": service.organization,
                "due": reviews.day(reminder.due_date),
                "recipient": reminder.recipient,
                "self_assuring": user_can(reminder.recipient, Action.ASSURE, service),
            },
        )

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            confirmed = reminder_confirm_accurate(token=token)
        except LinkProblem as problem:
            return self.problem(request, problem)
        service = confirmed.service
        return render(
            request,
            "workflow/reviews/still_accurate_done.html",
            {
                "title": {
                    "reassured": "Thank you: the service is assured again",
                    "queued": "Thank you: an assurer will check the service",
                    "already_reviewed": "Thank you: the service was already reviewed",
                }[confirmed.outcome],
                "outcome": confirmed.outcome,
                "service": service,
                "next_review": records.review_text(
                    Service.objects.select_related("review").get(pk=service.pk)
                ),
            },
        )


# --- review policy (directory admins) ---------------------------------------------------------


class IntervalForm(GDSForm):
    submit_label = "Save"

    days = forms.IntegerField(
        label="Review every (days)",
        help_text="Between 7 and 730. Leave empty to use the default.",
        required=False,
        min_value=7,
        max_value=730,
        error_messages={
            "invalid": "Enter the number of days as a whole number, like 60",
            "min_value": "Enter 7 days or more",
            "max_value": "Enter 730 days or fewer",
        },
    )


class IntervalChangeForm(VersionedFormMixin, IntervalForm):
    """Changing an interval: carries the version it was loaded from (core.concurrency)."""


class ServiceTypeIntervalForm(IntervalForm):
    service_type = forms.CharField(
        label="Service type",
        help_text="Its name or code, as in the LGA list of service types",
        max_length=255,
        error_messages={"required": "Enter a service type"},
    )
    field_order = ["service_type", "days"]

    def clean_service_type(self) -> TaxonomyTerm:
        text = self.cleaned_data["service_type"].strip()
        terms = TaxonomyTerm.objects.filter(Q(term=text) | Q(name__iexact=text))
        lga = terms.filter(taxonomy__vocabulary=LGA_SERVICE_TYPES)
        found = list((lga if lga.exists() else terms)[:2])
        if not found:
            raise forms.ValidationError("No service type has that name or code")
        if len(found) > 1:
            raise forms.ValidationError("More than one service type has that name: enter its code")
        return found[0]

    def clean_days(self) -> int:
        days = self.cleaned_data.get("days")
        if days is None:
            raise forms.ValidationError("Enter how often services of this type are reviewed")
        return days


class PolicyMixin(AnyActionRequiredMixin, PageTitleMixin):
    permission_actions = (Action.MANAGE_RULES,)

    def policy_url(self) -> str:
        return reverse("workflow:review-policy")


class ReviewPolicyView(PolicyMixin, TemplateView):
    """The default interval, each partner's and each service type's."""

    title = "Review policy"
    template_name = "workflow/reviews/policy.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        default = reviews.default_interval_days()
        partners = Partner.objects.select_related("review_interval").order_by("name", "pk")
        intervals = ReviewInterval.objects.filter(service_type__isnull=False).select_related(
            "service_type"
        )
        return super().get_context_data(
            default=default,
            partners={
                "head": [column("Partner"), column("Review every"), column("Change")],
                "rows": [
                    [
                        cell(partner.name, header=True),
                        cell(_every(getattr(partner, "review_interval", None), default)),
                        cell(
                            link(
                                reverse("workflow:review-policy-partner", args=[partner.pk]),
                                "Change",
                                hidden=f"the review interval of {partner.name}",
                            )
                        ),
                    ]
                    for partner in partners
                ],
            },
            types={
                "head": [column("Service type"), column("Review every"), column("Change")],
                "rows": [
                    [
                        cell(interval.service_type.name, header=True),
                        cell(_every(interval, default)),
                        cell(
                            link(
                                reverse(
                                    "workflow:review-policy-type", args=[interval.service_type_id]
                                ),
                                "Change",
                                hidden=f"the review interval of {interval.service_type.name}",
                            )
                        ),
                    ]
                    for interval in sorted(intervals, key=lambda i: i.service_type.name)
                ],
            },
            **kwargs,
        )


def _every(interval: ReviewInterval | None, default: int) -> str:
    if interval is None:
        return f"{default} days (the default)"
    return f"{interval.days} days"


class IntervalChangeView(StaleEditViewMixin, PolicyMixin, FormView):
    """Change (or clear) the interval of one partner or one service type."""

    form_class = IntervalChangeForm
    template_name = "workflow/reviews/policy_form.html"

    @cached_property
    def subject(self) -> Partner | TaxonomyTerm:
        if "partner" in self.kwargs:
            return get_object_or_404(Partner, pk=self.kwargs["partner"])
        return get_object_or_404(TaxonomyTerm, pk=self.kwargs["term"])

    def get_title(self) -> str:
        return f"How often are services of {self.subject} reviewed?"

    def current_state(self) -> dict[str, Any]:
        return review_interval_state(ReviewInterval.objects.filter(**self.lookup()).first())

    def fresh_initial(self) -> dict[str, Any]:
        return self.current_state()

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), **self.fresh_initial()}

    def lookup(self) -> dict[str, Any]:
        if isinstance(self.subject, Partner):
            return {"partner": self.subject}
        return {"service_type": self.subject}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            back_link=self.policy_url(),
            default=reviews.default_interval_days(),
            partner=isinstance(self.subject, Partner),
            **kwargs,
        )

    def form_valid(self, form: IntervalChangeForm) -> HttpResponse:
        days = form.cleaned_data["days"]
        try:
            review_interval_set(
                actor=self.request.user,
                days=days,
                expected_version=form.loaded_version,
                **self.lookup(),
            )
        except StaleEdit:
            return self.stale_response(form)
        every = f"every {days} days" if days else "at the default interval"
        messages.success(
            self.request,
            f"Services of {self.subject} are now reviewed {every}. Their review dates are "
            "being worked out again.",
        )
        return redirect(self.policy_url())


class ServiceTypeIntervalAddView(PolicyMixin, FormView):
    form_class = ServiceTypeIntervalForm
    template_name = "workflow/reviews/policy_form.html"
    title = "Set how often a service type is reviewed"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            back_link=self.policy_url(), default=reviews.default_interval_days(), **kwargs
        )

    def form_valid(self, form: ServiceTypeIntervalForm) -> HttpResponse:
        term, days = form.cleaned_data["service_type"], form.cleaned_data["days"]
        review_interval_set(actor=self.request.user, days=days, service_type=term)
        messages.success(
            self.request,
            f"Services of {term} are now reviewed every {days} days. Their review dates are "
            "being worked out again.",
        )
        return redirect(self.policy_url())

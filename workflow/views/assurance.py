"""Assurance: the queue of changes waiting for a decision, the review of one change (accept per
field, reword, reject, ask), and the conflict screen when the record moved on meanwhile.

Who may open what: the queue is for anyone who may assure some record; a change request's review
and conflict pages only for people who may assure that change's service (or, for a proposed new
service or a change to an organisation's details, the organisation). To everyone else signed
in, a change request they may not decide is "Page not found" (404), whether or not they could
see the service elsewhere: a proposal can hold a member of the public's name, email and note,
and whether one exists is not theirs to know.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from accounts.policy import Action, is_directory_admin, user_can
from accounts.views.mixins import StaffPageMixin
from core.components import pagination
from workflow import review_presenters as presenters
from workflow.documents import (
    FieldChange,
    current_document,
    current_organization_document,
    field_changes,
)
from workflow.models import ChangeRequest, State, Subject
from workflow.personal_data import Flag
from workflow.presenters import field_label
from workflow.records import assurable_change_requests
from workflow.review_forms import (
    APPROVE,
    REJECT,
    SOURCE_FILTERS,
    QueueFilterForm,
    ReviewForm,
)
from workflow.services import (
    Conflict,
    PersonalDataNotConfirmed,
    base_moved_on,
    change_request_approve,
    change_request_ask,
    change_request_rebase,
    change_request_reject,
    personal_data_flags,
    proposal_fields,
)
from workflow.tagging.screen import document_warnings


def _search(change_requests: models.QuerySet, text: str) -> models.QuerySet:
    return change_requests.filter(
        models.Q(service__name__icontains=text)
        | models.Q(subject=Subject.SERVICE, service__isnull=True, proposed__name__icontains=text)
        | models.Q(subject=Subject.ORGANIZATION, organization__name__icontains=text)
    )


class QueueView(StaffPageMixin, TemplateView):
    """The changes waiting for the person's decision, most urgent first, with filters."""

    permission_action = Action.ASSURE
    title = "Changes waiting for assurance"
    template_name = "workflow/assurance/queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET
        filtering = any(key != "page" for key in params)
        waiting = assurable_change_requests(self.request.user).waiting()
        text = params.get("q", "").strip()[:200]
        if text:
            waiting = _search(waiting, text)
        counts = waiting.aggregate(
            **{
                key: models.Count("pk", filter=models.Q(source__in=sources))
                for key, sources in SOURCE_FILTERS.items()
            }
        )
        form = QueueFilterForm(params if filtering else None, counts=counts)
        if filtering and form.is_valid():
            source = form.cleaned_data["source"]
            if source:
                waiting = waiting.filter(source__in=SOURCE_FILTERS[source])
        elif filtering:
            waiting = waiting.none()
        waiting = waiting.select_related("service", "organization", "proposer").urgent_first()
        page = Paginator(waiting, settings.PORTAL_STAFF_PER_PAGE).get_page(params.get("page"))
        return super().get_context_data(
            form=form,
            filtering=filtering,
            table=presenters.queue_table(page.object_list),
            count=page.paginator.count,
            pagination=pagination(page, self.request),
            **kwargs,
        )


class ChangeRequestAssuranceMixin:
    """A page about one change request (URL `pk`) that only its assurers may open (see the
    module docstring: 404 for everyone else signed in)."""

    kwargs: dict[str, Any]
    request: HttpRequest

    @cached_property
    def change_request(self) -> ChangeRequest:
        change_request = get_object_or_404(
            ChangeRequest.objects.select_related("service", "organization", "proposer"),
            pk=self.kwargs["pk"],
        )
        if not _may_assure(self.request.user, change_request):
            raise Http404("No change request you may decide has this number")
        return change_request

    def get_permission_object(self) -> None:
        # Whether the person may assure anything at all (else 403, as on the queue); this
        # change request is checked in `change_request`, with a 404.
        return None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            self.change_request  # noqa: B018 (a 404 before anything else is done)
        return super().dispatch(request, *args, **kwargs)


def _may_assure(user: Any, change_request: ChangeRequest) -> bool:
    if change_request.service is not None:
        return user_can(user, Action.ASSURE, change_request.service)
    if change_request.organization is not None:
        return user_can(user, Action.ASSURE, change_request.organization)
    return is_directory_admin(user)


def _is_stale(change_request: ChangeRequest) -> bool:
    return base_moved_on(change_request)


def _current(change_request: ChangeRequest) -> dict[str, Any]:
    """The record as it is now: the organisation's details, or the service (none yet for a
    proposed new one)."""
    if change_request.is_organization_change:
        return current_organization_document(change_request.organization)
    service = change_request.service
    return current_document(service) if service is not None else {}


class ReviewView(ChangeRequestAssuranceMixin, StaffPageMixin, FormView):
    """Review one change: the diff field by field with a checkbox each, rewording of simple
    text fields, the personal data guard, and the decision (approve the accepted fields, reject
    with a reason, ask a question). A change no longer waiting shows its state, no form."""

    permission_action = Action.ASSURE
    form_class = ReviewForm

    def get_template_names(self) -> list[str]:
        if self.change_request.state != State.SUBMITTED:
            return ["workflow/assurance/review_decided.html"]
        return ["workflow/assurance/review.html"]

    def get_title(self) -> str:
        change_request = self.change_request
        if change_request.is_organization_change:
            return f"Review the change to the details of {change_request.title}"
        if change_request.is_new_service:
            return f"Review a proposed new service: {change_request.proposed.get('name') or ''}"
        return f"Review the change to {change_request.title}"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.change_request.state != State.SUBMITTED:
            messages.info(request, "This change is no longer waiting for a decision")
            return redirect("workflow:review", pk=self.change_request.pk)
        return super().post(request, *args, **kwargs)

    @cached_property
    def current(self) -> dict[str, Any]:
        return _current(self.change_request)

    @cached_property
    def changes(self) -> list[FieldChange]:
        change_request = self.change_request
        return field_changes(self.current, change_request.proposed, proposal_fields(change_request))

    @cached_property
    def flags(self) -> list[Flag]:
        """Personal data in approving every change shown, from the record already loaded."""
        fields = [change.field for change in self.changes]
        if not fields:
            return []
        return personal_data_flags(self.change_request, fields, current=self.current)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "changes": self.changes,
            "show_personal_data": bool(self.flags),
            "name_required": "Enter the organisation's name"
            if self.change_request.is_organization_change
            else "Enter the service's name",
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        change_request = self.change_request
        context: dict[str, Any] = {
            "change_request": change_request,
            "summary": presenters.change_request_summary(change_request),
            "state": presenters.state_summary(change_request),
            "back_link": reverse("workflow:queue"),
        }
        if change_request.state == State.SUBMITTED:
            form = kwargs.pop("form", None) or self.get_form()
            context["form"] = form
            if form.is_bound:
                accepted = form.data.getlist("accept")
            else:
                accepted = form.fields["accept"].initial
            flagged = {presenters.flag_field(flag) for flag in self.flags}
            context.update(
                rows=presenters.diff_rows(self.changes, accepted=accepted, flagged=flagged),
                accept_errors=form.errors.get("accept", []),
                flags=presenters.flag_items(self.flags),
                stale=_is_stale(change_request),
                # Over-classification (workflow.tagging): the assurer sees the editor's warning.
                tag_warnings=[]
                if change_request.is_organization_change
                else document_warnings(change_request.proposed),
            )
        return super().get_context_data(**context, **kwargs)

    def form_valid(self, form: ReviewForm) -> HttpResponse:
        change_request = self.change_request
        decision = form.cleaned_data["decision"]
        actor = self.request.user
        try:
            if decision == APPROVE:
                result = change_request_approve(
                    actor=actor,
                    change_request=change_request,
                    accepted=form.accepted(),
                    edited=form.edited(),
                    personal_data_confirmed=form.cleaned_data["personal_data_confirmed"],
                ).change_request
            elif decision == REJECT:
                result = change_request_reject(
                    actor=actor, change_request=change_request, reason=form.cleaned_data["reason"]
                )
            else:
                result = change_request_ask(
                    actor=actor,
                    change_request=change_request,
                    question=form.cleaned_data["question"],
                )
        except Conflict:
            messages.info(self.request, "Someone changed the record after this proposal was made")
            return redirect("workflow:conflict", pk=change_request.pk)
        except PersonalDataNotConfirmed as error:
            # The service changed the proposal in memory before refusing; show it as stored.
            change_request.refresh_from_db(fields=["proposed"])
            form.ask_for_consent()
            form.add_error("personal_data_confirmed", error.messages[0])
            return self.form_invalid(form)
        except ValidationError as error:
            change_request.refresh_from_db(fields=["proposed"])
            form.add_service_error(error)
            return self.form_invalid(form)
        messages.success(self.request, _decided_message(result))
        return redirect("workflow:queue")


def _decided_message(change_request: ChangeRequest) -> str:
    # The approval may have renamed it.
    if change_request.service is not None:
        change_request.service.refresh_from_db(fields=["name"])
    if change_request.is_organization_change:
        change_request.organization.refresh_from_db(fields=["name"])
    name = change_request.title
    told = (
        " The proposer has been told."
        if change_request.contact_email
        else " The proposer left no email address, so they have not been told."
    )
    if change_request.state == State.REJECTED:
        return f"The change to {name} has been rejected.{told}"
    if change_request.state == State.MORE_INFORMATION:
        return f"Your question about the change to {name} has been sent.{told}"
    labels = [field_label(field).lower() for field in change_request.accepted_fields]
    published = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"{name}: the {published} {'is' if len(labels) == 1 else 'are'} published.{told}"


class ConflictView(ChangeRequestAssuranceMixin, StaffPageMixin, TemplateView):
    """The record changed after the proposal was made: show the record now, the proposal and
    the record it started from, and offer to carry the proposal onto the record as it is now
    (POST), to be reviewed again. Nothing anyone approved is undone."""

    permission_action = Action.ASSURE
    template_name = "workflow/assurance/conflict.html"
    title = "The record has changed since this proposal was made"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.change_request.state != State.SUBMITTED or not _is_stale(self.change_request):
            return redirect("workflow:review", pk=self.change_request.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        change_request = self.change_request
        return super().get_context_data(
            change_request=change_request,
            table=presenters.conflict_table(
                fields=proposal_fields(change_request),
                now=_current(change_request),
                proposed=change_request.proposed,
                base=change_request.base,
            ),
            back_link=reverse("workflow:review", args=[change_request.pk]),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        change_request = self.change_request
        try:
            change_request_rebase(actor=request.user, change_request=change_request)
        except ValidationError:
            messages.info(request, "This change is no longer waiting for a decision")
            return redirect("workflow:review", pk=change_request.pk)
        messages.success(
            request,
            "The proposal now starts from the current record: review it against the record as "
            "it is now",
        )
        return redirect("workflow:review", pk=change_request.pk)

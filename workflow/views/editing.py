"""Proposing changes: start a proposal (a change to a service, a new service, or a change to an
organisation's details), edit it a section at a time from a task list, check it and send it;
one's own change requests. The pages are the same for each kind of proposal: its sections are
`workflow.sections.sections_for` its subject.

Every edit is a change request saved through `workflow.services.change_request_save`: the
proposer's one open request for a service is updated by each later edit, and nothing here writes
a record. Who may propose is the policy's answer (EDIT or SUGGEST); the request's source follows
from it in the service. A proposal is its proposer's own: anyone else gets a 404, so that its
existence does not leak.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from accounts.exceptions import NotAllowed
from accounts.policy import Action, user_can
from accounts.presenters import when
from core.components import action, button_form, cell, column, link, pagination, summary_rows
from core.forms import GDSForm
from core.views import PageTitleMixin
from directory.models import Organization, Service
from workflow.documents import (
    current_document,
    current_organization_document,
    new_service_document,
)
from workflow.models import DECIDED_STATES, ChangeRequest, State, Subject
from workflow.presenters import (
    change_title,
    describe_schedule,
    field_label,
    field_value,
    state_tag,
)
from workflow.quality.presenters import proposal_score_panel
from workflow.sections import (
    Collection,
    Section,
    field_section,
    item_value,
    parse_item,
    section_for,
    sections_for,
)
from workflow.services import (
    change_request_save,
    change_request_submit,
    change_request_withdraw,
    policy_subject,
    proposal_fields,
    proposal_problems,
)
from workflow.tagging.screen import document_warnings

EDITABLE_STATES = (State.DRAFT, State.MORE_INFORMATION)


def _may_propose(user: Any, subject: Service | Organization) -> bool:
    return user_can(user, Action.EDIT, subject) or user_can(user, Action.SUGGEST, subject)


def _change_requests():
    return ChangeRequest.objects.select_related("service", "organization", "decided_by")


class SignedInMixin(AccessMixin):
    """Signed-in people only; what each may see is decided by the view itself."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


# --- starting a proposal ------------------------------------------------------------------------


class ProposeChangeView(SignedInMixin, View):
    """POST: open (or reopen) the signed-in person's proposal for a service."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        service = get_object_or_404(Service.objects.select_related("organization"), pk=pk)
        if not _may_propose(request.user, service):
            raise PermissionDenied("You cannot propose changes to this service")
        change_request = (
            ChangeRequest.objects.open().filter(service=service, proposer=request.user).first()
        )
        if change_request is None:
            change_request = change_request_save(
                actor=request.user, service=service, proposed=current_document(service)
            )
        return redirect("workflow:edit", change_request.pk)


class ProposeServiceView(SignedInMixin, View):
    """POST: start a proposal for a new service of an organisation."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        organization = get_object_or_404(Organization, pk=pk)
        if not _may_propose(request.user, organization):
            raise PermissionDenied("You cannot propose services for this organisation")
        change_request = change_request_save(
            actor=request.user,
            organization=organization,
            proposed=new_service_document(organization_id=organization.pk),
        )
        return redirect("workflow:edit", change_request.pk)


class ProposeOrganizationView(SignedInMixin, View):
    """POST: open (or reopen) the signed-in person's proposal for an organisation's details."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        organization = get_object_or_404(Organization, pk=pk)
        if not _may_propose(request.user, organization):
            raise PermissionDenied("You cannot propose changes to this organisation")
        change_request = (
            ChangeRequest.objects.open()
            .filter(subject=Subject.ORGANIZATION, organization=organization, proposer=request.user)
            .first()
        )
        if change_request is None:
            change_request = change_request_save(
                actor=request.user,
                organization=organization,
                proposed=current_organization_document(organization),
                subject=Subject.ORGANIZATION,
            )
        return redirect("workflow:edit", change_request.pk)


# --- editing one's own proposal -----------------------------------------------------------------


class OwnProposalMixin(SignedInMixin, PageTitleMixin):
    """A page of the signed-in person's own open proposal (URL `pk`). Anyone else's is a 404;
    one already sent or decided goes to its page, where it can no longer be edited."""

    change_request: ChangeRequest
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.change_request = get_object_or_404(
            _change_requests(), pk=kwargs["pk"], proposer=request.user
        )
        if self.change_request.state not in EDITABLE_STATES:
            return redirect("workflow:change-request", self.change_request.pk)
        if not _may_propose(request.user, policy_subject(self.change_request)):
            raise PermissionDenied("You can no longer propose changes to this record")
        return super().dispatch(request, *args, **kwargs)

    @property
    def sections(self) -> tuple[Section, ...]:
        return sections_for(self.change_request.subject)

    @property
    def document(self) -> dict[str, Any]:
        return self.change_request.proposed

    def base(self) -> dict[str, Any]:
        if self.change_request.is_new_service:
            return {"status": "active"}
        return self.change_request.base

    def save(self, document: dict[str, Any], fields: tuple[str, ...]) -> ValidationError | None:
        """Save the proposal as `document`, unless its `fields` would not import: then the
        problems, for the form."""
        change_request = self.change_request
        error = proposal_problems(document, fields=fields, kind=change_request.subject)
        if error is not None:
            return error
        try:
            self.change_request = change_request_save(
                actor=self.request.user,
                proposed=document,
                service=change_request.service,
                organization=None if change_request.service else change_request.organization,
                subject=change_request.subject,
            )
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            change_request=self.change_request, caption=self.caption(), **kwargs
        )

    def caption(self) -> str:
        if self.change_request.is_organization_change:
            return f"Organisation: {self.change_request.title}"
        if self.change_request.is_new_service:
            name = self.document.get("name")
            return f"New service: {name}" if name else "New service"
        return self.change_request.title


def _section_status(section: Section, base: dict[str, Any], proposed: dict[str, Any]) -> bool:
    return section.summary(base) != section.summary(proposed)


class TaskListView(OwnProposalMixin, TemplateView):
    template_name = "workflow/editing/task_list.html"

    def get_title(self) -> str:
        if self.change_request.is_organization_change:
            return "Change the organisation's details"
        if self.change_request.is_new_service:
            return "Propose a new service"
        return f"Change {self.change_request.title}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        base = self.base()
        tasks = [
            {
                "slug": section.slug,
                "title": section.title,
                "href": reverse(
                    "workflow:edit-section", args=[self.change_request.pk, section.slug]
                ),
                "changed": _section_status(section, base, self.document),
            }
            for section in self.sections
        ]
        return super().get_context_data(
            tasks=tasks,
            check_href=reverse("workflow:check", args=[self.change_request.pk]),
            quality=proposal_score_panel(self.change_request),
            **kwargs,
        )


def _errors_from(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


class SectionView(OwnProposalMixin, TemplateView):
    """One section: its own fields as a form, and its repeating items as summary lists with
    "Change" links (`?item=phone-0`), "Remove" buttons and "Add" links (`?item=phone-new`)."""

    template_name = "workflow/editing/section.html"
    item_template_name = "workflow/editing/item.html"

    @cached_property
    def section(self) -> Section:
        # Read once the proposal is loaded: which sections there are depends on its subject.
        section = section_for(self.change_request.subject, self.kwargs["section"])
        if section is None:
            raise Http404("No such section")
        return section

    def get_title(self) -> str:
        return self.section.title

    @property
    def section_url(self) -> str:
        return reverse("workflow:edit-section", args=[self.change_request.pk, self.section.slug])

    @property
    def task_list_url(self) -> str:
        return reverse("workflow:edit", args=[self.change_request.pk])

    def _item(self, value: str) -> tuple[Collection, int | None]:
        found = parse_item(self.section, value, self.document)
        if found is None:
            raise Http404("No such item")
        return found

    # -- GET -----------------------------------------------------------------------------------

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "item" in request.GET:
            collection, number = self._item(request.GET["item"])
            initial = {}
            if number is not None:
                initial = collection.form.initial_for(collection.items(self.document)[number])
            return self.render_item(collection, number, collection.form(initial=initial))
        form = None
        if self.section.form is not None:
            form = self.section.form(initial=self.section.form.initial_for(self.document))
        return self.render_section(form)

    def render_section(self, form: GDSForm | None, errors: list[str] | None = None) -> HttpResponse:
        summary = form.error_summary if form is not None else []
        summary += [{"href": "#main-content", "text": text} for text in errors or []]
        if self.section.template:
            self.template_name = self.section.template
        return self.render_to_response(
            self.get_context_data(
                form=form,
                errors=summary,
                lead=self.section.lead,
                collections=[self.collection_context(c) for c in self.section.collections],
                location_times=self.location_times(),
                back_link=self.task_list_url,
                **self.section_context(form),
            )
        )

    def section_context(self, form: GDSForm | None) -> dict[str, Any]:
        """What a section with a page of its own shows besides its form (the tagging screen)."""
        if self.section.context is None:
            return {}
        links = {
            section.slug: reverse(
                "workflow:edit-section", args=[self.change_request.pk, section.slug]
            )
            for section in self.sections
        }
        return self.section.context(
            document=self.document,
            query=self.request.GET.get("q", ""),
            form=form,
            links=links,
        )

    def collection_context(self, collection: Collection) -> dict[str, Any]:
        token = get_token(self.request)
        rows = []
        for number, item in enumerate(collection.items(self.document)):
            text = collection.describe(item)
            value = item_value(collection, number)
            rows.append(
                {
                    "key": f"{collection.noun.capitalize()} {number + 1}",
                    "value": text,
                    "change": f"{self.section_url}?item={value}",
                    "hidden": f"{collection.noun} {number + 1}",
                    "remove": button_form(
                        self.section_url,
                        "Remove",
                        csrf_token=token,
                        name="remove",
                        value=value,
                        classes="govuk-button--warning govuk-!-margin-bottom-0",
                        form_classes="",
                        hidden=f"{collection.noun} {number + 1}",
                    ),
                }
            )
        return {
            "heading": collection.heading,
            "rows": rows,
            "add_href": f"{self.section_url}?item={item_value(collection, None)}",
            "add_text": f"Add {'an' if collection.noun[0] in 'aeiou' else 'a'} {collection.noun}",
            "empty": f"No {collection.heading.lower()} yet.",
        }

    def location_times(self) -> list[dict[str, Any]]:
        """Times kept at a location (a service at several places): shown, not edited here."""
        if self.section.slug != "times":
            return []
        rows = []
        for pairing in self.document.get("service_at_locations") or []:
            for schedule in pairing.get("schedules") or []:
                name = (pairing.get("location") or {}).get("name") or "A location"
                rows.append({"key": name, "value": describe_schedule(schedule)})
        return summary_rows(rows)

    def render_item(
        self, collection: Collection, number: int | None, form: GDSForm
    ) -> HttpResponse:
        if number is None:
            title = f"Add {'an' if collection.noun[0] in 'aeiou' else 'a'} {collection.noun}"
        else:
            title = f"Change {collection.noun} {number + 1}"
        self.template_name = self.item_template_name
        return self.render_to_response(
            self.get_context_data(
                form=form, errors=form.error_summary, title=title, back_link=self.section_url
            )
        )

    # -- POST ----------------------------------------------------------------------------------

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "remove" in request.POST:
            return self.remove(request.POST["remove"])
        if "item" in request.GET:
            return self.save_item(request.GET["item"])
        if self.section.form is None:
            return redirect(self.task_list_url)
        form = self.section.form(request.POST)
        if not form.is_valid():
            return self.render_section(form)
        document = copy.deepcopy(self.document)
        form.apply(document)
        error = self.save(document, self.section.fields)
        if error is not None:
            for message in _errors_from(error):
                form.add_error(None, message)
            return self.render_section(form)
        messages.success(request, f"{self.section.title}: your changes are saved as a draft")
        return redirect(self.task_list_url)

    def remove(self, value: str) -> HttpResponse:
        collection, number = self._item(value)
        if number is None:
            raise Http404("No such item")
        document = copy.deepcopy(self.document)
        collection.remove(document, number)
        error = self.save(document, (collection.field,))
        if error is not None:
            form = None
            if self.section.form is not None:
                form = self.section.form(initial=self.section.form.initial_for(self.document))
            return self.render_section(form, errors=_errors_from(error))
        messages.success(self.request, f"The {collection.noun} has been removed")
        return redirect(self.section_url)

    def save_item(self, value: str) -> HttpResponse:
        collection, number = self._item(value)
        form = collection.form(self.request.POST)
        if not form.is_valid():
            return self.render_item(collection, number, form)
        document = copy.deepcopy(self.document)
        old = collection.items(document)[number] if number is not None else None
        collection.put(document, number, form.apply(old))
        error = self.save(document, (collection.field,))
        if error is not None:
            for message in _errors_from(error):
                form.add_error(None, message)
            return self.render_item(collection, number, form)
        verb = "added" if number is None else "changed"
        messages.success(self.request, f"The {collection.noun} has been {verb}")
        return redirect(self.section_url)


class SubmitForm(GDSForm):
    submit_label = "Send"
    note = forms.CharField(
        label="Anything the assurer should know? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, where the new details come from",
    )


class CheckAnswersView(OwnProposalMixin, TemplateView):
    """What the proposer changed, with links back to each section; POST sends it."""

    template_name = "workflow/editing/check.html"
    title = "Check your changes before sending them"

    def fields(self) -> list[str]:
        return proposal_fields(self.change_request)

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for field in self.fields():
            slug = field_section(self.change_request.subject, field)
            actions = []
            if slug:
                href = reverse("workflow:edit-section", args=[self.change_request.pk, slug])
                actions = [action(href, "Change", field_label(field).lower())]
            rows.append(
                {
                    "key": field_label(field),
                    "value": field_value(field, self.document.get(field)),
                    "actions": actions,
                }
            )
        return summary_rows(rows)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.pop("form", None) or SubmitForm(initial={"note": self.change_request.note})
        sends_itself = self.change_request.source in ("provider", "assurer") and user_can(
            self.request.user, Action.ASSURE, policy_subject(self.change_request)
        )
        return super().get_context_data(
            form=form,
            errors=form.error_summary,
            rows=self.rows(),
            sends_itself=sends_itself,
            noun=_noun(self.change_request),
            tag_warnings=[]
            if self.change_request.is_organization_change
            else document_warnings(self.document),
            back_link=reverse("workflow:edit", args=[self.change_request.pk]),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SubmitForm(request.POST)
        if form.is_valid() and not self.fields():
            form.add_error(None, "You have not changed anything yet: change a section first")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        change_request = self.change_request
        try:
            note = form.cleaned_data["note"].strip()
            if note and note != change_request.note:
                change_request = change_request_save(
                    actor=request.user,
                    proposed=change_request.proposed,
                    service=change_request.service,
                    organization=None if change_request.service else change_request.organization,
                    note=note,
                    subject=change_request.subject,
                )
            change_request = change_request_submit(
                actor=request.user, change_request=change_request
            )
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        except ValidationError as error:
            for message in _errors_from(error):
                form.add_error(None, message)
            return self.render_to_response(self.get_context_data(form=form))
        if change_request.state in DECIDED_STATES:
            messages.success(
                request,
                "Your change is approved and published: you may assure this "
                f"{_noun(change_request)} yourself, so it did not wait for an assurer",
            )
        else:
            messages.success(
                request,
                "Your change has been sent for assurance. We will email you when an assurer "
                "has decided",
            )
        return redirect("workflow:change-request", change_request.pk)


# --- one's own change requests ------------------------------------------------------------------


def _noun(change_request: ChangeRequest) -> str:
    return "organisation" if change_request.is_organization_change else "service"


def change_table(change_requests: list[ChangeRequest]) -> dict[str, Any]:
    return {
        "head": [column("Change to"), column("Status"), column("Source"), column("Last changed")],
        "rows": [
            [
                cell(
                    link(
                        reverse("workflow:change-request", args=[change_request.pk]),
                        change_title(change_request),
                    ),
                    header=True,
                ),
                cell(state_tag(change_request)),
                cell(change_request.get_source_display()),
                cell(when(change_request.updated_at)),
            ]
            for change_request in change_requests
        ],
    }


class ChangeListView(SignedInMixin, PageTitleMixin, TemplateView):
    template_name = "workflow/editing/change_list.html"
    title = "Your changes"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        change_requests = (
            ChangeRequest.objects.filter(proposer=self.request.user)
            .select_related("service", "organization")
            .order_by("-created_at", "-pk")
        )
        page = Paginator(change_requests, settings.PORTAL_STAFF_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            table=change_table(list(page.object_list)),
            count=page.paginator.count,
            pagination=pagination(page, self.request),
            **kwargs,
        )


def _may_see(user: Any, change_request: ChangeRequest) -> bool:
    if change_request.proposer_id is not None and change_request.proposer_id == user.pk:
        return True
    subject = policy_subject(change_request)
    return user_can(user, Action.VIEW_DRAFT, subject) or user_can(user, Action.ASSURE, subject)


def change_summary(change_request: ChangeRequest) -> list[dict[str, Any]]:
    """Where a change request stands, for the people who may see it."""
    rows: list[dict[str, Any]] = [
        {"key": "Status", "value": state_tag(change_request)},
        {"key": "Source", "value": change_request.get_source_display()},
        {"key": "Started", "value": when(change_request.created_at)},
    ]
    if change_request.submitted_at:
        rows.append({"key": "Sent for assurance", "value": when(change_request.submitted_at)})
    if change_request.decided_at:
        label = "Withdrawn" if change_request.state == State.WITHDRAWN else "Decided"
        rows.append({"key": label, "value": when(change_request.decided_at)})
    if change_request.decided_by is not None and change_request.state != State.WITHDRAWN:
        rows.append({"key": "Decided by", "value": change_request.decided_by.email})
    if change_request.decision_reason:
        key = {
            State.MORE_INFORMATION: "The assurer asks",
            State.REJECTED: "Why it was rejected",
        }.get(change_request.state, "The assurer's note")
        rows.append({"key": key, "value": change_request.decision_reason})
    if change_request.accepted_fields:
        rows.append(
            {
                "key": "Changes accepted",
                "value": field_value(
                    "accepted", [field_label(f) for f in change_request.accepted_fields]
                ),
            }
        )
    if change_request.note:
        rows.append({"key": "Note from the proposer", "value": change_request.note})
    return summary_rows(rows)


class ChangeRequestView(SignedInMixin, PageTitleMixin, TemplateView):
    template_name = "workflow/editing/change_request.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.change_request = get_object_or_404(_change_requests(), pk=kwargs["pk"])
        if not _may_see(request.user, self.change_request):
            raise Http404("No such change request")
        return super().dispatch(request, *args, **kwargs)

    def get_title(self) -> str:
        if self.change_request.is_organization_change:
            return f"Change to the details of {self.change_request.title}"
        if self.change_request.is_new_service:
            return (
                f"Proposed new service: {self.change_request.proposed.get('name') or 'no name yet'}"
            )
        return f"Change to {self.change_request.title}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        change_request = self.change_request
        is_proposer = change_request.proposer_id == self.request.user.pk
        changes = summary_rows(
            [
                {
                    "key": field_label(field),
                    "value": field_value(field, change_request.proposed.get(field)),
                }
                for field in proposal_fields(change_request)
            ]
        )
        return super().get_context_data(
            change_request=change_request,
            summary=change_summary(change_request),
            changes=changes,
            can_edit=is_proposer and change_request.state in EDITABLE_STATES,
            withdraw=(
                button_form(
                    reverse("workflow:change-withdraw", args=[change_request.pk]),
                    "Withdraw this change",
                    csrf_token=get_token(self.request),
                    classes="govuk-button--warning",
                    form_classes="",
                )
                if is_proposer and change_request.is_open
                else ""
            ),
            **kwargs,
        )


class ChangeWithdrawView(SignedInMixin, View):
    """POST: the proposer withdraws their open change request."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        change_request = get_object_or_404(
            ChangeRequest.objects.select_related("service"), pk=pk, proposer=request.user
        )
        try:
            change_request_withdraw(actor=request.user, change_request=change_request)
        except ValidationError as error:
            messages.info(request, " ".join(_errors_from(error)))
        else:
            messages.success(request, "You have withdrawn this change")
        return redirect("workflow:change-request", change_request.pk)

"""What the staff record pages read and show: who may browse the directory, the lists they
browse (filtered at a constant number of queries), review dates, and the rows of the service,
history and home pages.

Lists start from `accounts.policy.objects_user_can`; each row's links and buttons follow the
same policy. Nothing here writes: the pages hand every change to `workflow.services`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.models import Partner
from accounts.policy import Action, is_directory_admin, objects_user_can, user_can
from accounts.presenters import when
from core.components import button_form, cell, column, lines, link, summary_rows, tag
from core.forms import GDSForm
from directory.models import Organization, Service, ServiceAtLocation, ServiceStatus
from directory.oruk import postcode_district
from publish.models import HiddenService, PublishedService
from publish.services import PUBLISHED_STATUSES

from . import reviews
from .confidential import confidential_rights
from .documents import FIELD_LABELS, field_changes
from .models import ChangeRequest, ServiceVersion, Source, State
from .presenters import field_label, field_value, state_tag
from .services import proposal_fields

# What a staff page may show of a record: the parts a proposal may change.
RECORD_FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)
BROWSE_ACTIONS = (Action.VIEW_DRAFT, Action.SUGGEST, Action.ASSURE)
# How many rows the home page shows of a list before "see all".
HOME_ROWS = 10


# --- who may see what -----------------------------------------------------------------------


def may_browse_services(user: Any) -> bool:
    """May `user` open the staff list of services (some record to see, suggest on or assure)?"""
    return is_directory_admin(user) or any(user_can(user, a) for a in BROWSE_ACTIONS)


def may_open_service(user: Any, service: Service) -> bool:
    """May `user` open the staff page of `service`?"""
    return any(user_can(user, a, service) for a in BROWSE_ACTIONS)


def services_visible_to(user: Any) -> models.QuerySet[Service]:
    """The services whose staff page `user` may open: every service for directory admins and
    frontline workers, otherwise those they may see drafts of or assure."""
    services = Service.objects.all()
    if user_can(user, Action.SUGGEST):
        return services
    drafts = objects_user_can(user, Action.VIEW_DRAFT, services).values("pk")
    assured = objects_user_can(user, Action.ASSURE, services).values("pk")
    return services.filter(models.Q(pk__in=drafts) | models.Q(pk__in=assured))


def organizations_visible_to(user: Any) -> models.QuerySet[Organization]:
    """Every organisation for directory admins and frontline workers; providers' own otherwise."""
    if user_can(user, Action.SUGGEST):
        return Organization.objects.all()
    return objects_user_can(user, Action.EDIT, Organization.objects.all())


def may_browse_organizations(user: Any) -> bool:
    return user_can(user, Action.SUGGEST) or user_can(user, Action.SUBMIT)


def assurable_change_requests(user: Any) -> models.QuerySet[ChangeRequest]:
    """The change requests `user` may decide: on services they may assure, and new services
    proposed for (or changes to the details of) organisations they may assure (directory admins:
    all, unallocated included).
    Filtered in the database (subqueries), however many services there are. The queue page and
    the home page's count both read it, so the two always agree."""
    change_requests = ChangeRequest.objects.all()
    if is_directory_admin(user):
        return change_requests
    services = objects_user_can(user, Action.ASSURE, Service.objects.all())
    organizations = objects_user_can(user, Action.ASSURE, Organization.objects.all())
    return change_requests.filter(
        models.Q(service__in=services.values("pk"))
        | models.Q(service__isnull=True, organization__in=organizations.values("pk"))
    )


def with_list_columns(services: models.QuerySet[Service]) -> models.QuerySet[Service]:
    """What a row of a service list shows, read with the page itself (one query per page)."""
    open_changes = (
        ChangeRequest.objects.open()
        .filter(service=models.OuterRef("pk"))
        .order_by()
        .values("service")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return services.select_related(
        "organization", "allocation__partner", "hidden", "review"
    ).annotate(
        open_changes=Coalesce(models.Subquery(open_changes), 0),
        is_published=models.Exists(PublishedService.objects.filter(pk=models.OuterRef("pk"))),
    )


# --- review dates ---------------------------------------------------------------------------
# Stored per service and kept up to date by `workflow.reviews`; these read what lists show.


def day(value: dt.date | None) -> str:
    return reviews.day(value)


def review_text(service: Service, *, today: dt.date | None = None) -> str:
    """ "Due in 12 days (3 May 2026)", "Overdue by 3 weeks (...)", or why there is no date."""
    return reviews.review_text(service, today=today)


# --- the service list's filters -------------------------------------------------------------

ASSURANCE_CHOICES = [
    ("", "Any"),
    ("assured", "Assured"),
    ("never", "Never assured"),
    ("overdue", "Review overdue"),
    ("due_soon", "Review due in the next 14 days"),
]
NOT_ALLOCATED = "none"
# "Due soon" is the window in which providers are reminded.
DUE_SOON_DAYS = 14


class ServiceFilterForm(GDSForm):
    """The service list's search and filters (a GET form; every field optional). The choices
    offered follow the person's roles."""

    submit_label = "Search"
    submit_name = ""

    q = forms.CharField(
        label="Service or organisation name", required=False, max_length=200, strip=True
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *ServiceStatus.choices],
        error_messages={"invalid_choice": "Select a status from the list"},
    )
    assurance = forms.ChoiceField(
        label="Assurance",
        required=False,
        choices=ASSURANCE_CHOICES,
        error_messages={"invalid_choice": "Select an assurance from the list"},
    )
    scope = forms.ChoiceField(
        label="Whose services",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Select whose services from the list"},
    )
    partner = forms.ChoiceField(
        label="Allocated to",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Select a partner from the list"},
    )
    open_changes = forms.BooleanField(label="Only services with open changes", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        scopes = [("", "All the services you can see")]
        if user_can(user, Action.ASSURE):
            scopes.append(("assure", "Allocated to my partner for assurance"))
        if user_can(user, Action.EDIT):
            scopes.append(("edit", "Mine to edit"))
        if is_directory_admin(user):
            del self.fields["scope"]
            self.fields["partner"].choices = [
                ("", "Any partner, or none"),
                (NOT_ALLOCATED, "No partner (unallocated)"),
                *((str(pk), name) for pk, name in Partner.objects.values_list("pk", "name")),
            ]
        else:
            del self.fields["partner"]
            if len(scopes) > 1:
                self.fields["scope"].choices = scopes
            else:
                del self.fields["scope"]
        self.helper = self.build_helper()  # the layout follows the fields left
        self.helper.form_method = "get"
        self.helper.form_action = reverse("workflow:service-list")

    def get_layout(self) -> Layout:
        return Layout(
            *(Field.text(name) if name == "q" else self.layout_field(name) for name in self.fields)
        )

    def filter(self, services: models.QuerySet[Service]) -> models.QuerySet[Service]:
        """`services` narrowed by the valid filters (a wrong value is shown as an error and
        otherwise ignored)."""
        self.is_valid()
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        text = data.get("q") or ""
        if text:
            services = services.filter(
                models.Q(name__icontains=text) | models.Q(organization__name__icontains=text)
            )
        if data.get("status"):
            services = services.filter(status=data["status"])
        assurance = data.get("assurance")
        if assurance == "assured":
            services = services.filter(assured_date__isnull=False)
        elif assurance == "never":
            services = services.filter(assured_date__isnull=True)
        elif assurance == "overdue":
            services = services.filter(reviews.overdue_filter())
        elif assurance == "due_soon":
            services = services.filter(reviews.due_within_filter(DUE_SOON_DAYS))
        scope = data.get("scope")
        if scope == "assure":
            services = objects_user_can(self.user, Action.ASSURE, services)
        elif scope == "edit":
            services = objects_user_can(self.user, Action.EDIT, services)
        partner = data.get("partner")
        if partner == NOT_ALLOCATED:
            services = services.filter(allocation__isnull=True)
        elif partner:
            services = services.filter(allocation__partner_id=partner)
        if data.get("open_changes"):
            services = services.filter(
                models.Exists(ChangeRequest.objects.open().filter(service=models.OuterRef("pk")))
            )
        return services


class OrganizationSearchForm(GDSForm):
    submit_label = "Search"
    submit_name = ""

    q = forms.CharField(label="Organisation name", required=False, max_length=200, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"

    def filter(self, organizations: models.QuerySet[Organization]) -> models.QuerySet:
        text = self.cleaned_data.get("q") if self.is_valid() else ""
        return organizations.search_name(text) if text else organizations


class HideForm(GDSForm):
    submit_label = "Hide from the open feed"

    reason = forms.CharField(
        label="Why are you hiding this service?",
        help_text="Other directory admins read this. Do not include personal details.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter why the service is hidden"},
    )


# --- rows and summaries ---------------------------------------------------------------------


def service_link(service: Service) -> SafeString:
    return link(reverse("workflow:service-detail", args=[service.pk]), service.name)


def feed_tag(service: Service) -> SafeString:
    """In the open feed or not, for a service read by `with_list_columns`."""
    if getattr(service, "hidden", None) is not None:
        return tag("Hidden", "red")
    if service.is_published:
        return tag("Published", "green")
    return tag("Not published", "grey")


def service_table(services: Iterable[Service], *, with_partner: bool = True) -> dict[str, Any]:
    """Rows of services read by `with_list_columns`; every name links to its staff page."""
    today = timezone.localdate()
    rows = []
    for service in services:
        allocation = getattr(service, "allocation", None)
        row = [
            cell(service_link(service), header=True),
            cell(service.organization.name if service.organization_id else ""),
            cell(lines([service.get_status_display(), feed_tag(service)])),
            cell(day(service.assured_date) or "Never"),
            cell(reviews.review_words(service, today=today)),
        ]
        if with_partner:
            row.append(cell(allocation.partner.name if allocation else "Not allocated"))
        row.append(cell(service.open_changes, numeric=True))
        rows.append(row)
    head = [
        column("Service"),
        column("Organisation"),
        column("Status"),
        column("Last assured"),
        column("Next review"),
    ]
    if with_partner:
        head.append(column("Allocated to"))
    head.append(column("Open changes", numeric=True))
    return {"head": head, "rows": rows}


def organization_table(organizations: Iterable[Organization]) -> dict[str, Any]:
    """Organisations annotated with `service_count`."""
    rows = [
        [
            cell(link(reverse("workflow:organization-detail", args=[o.pk]), o.name), header=True),
            cell(o.service_count, numeric=True),
        ]
        for o in organizations
    ]
    return {"head": [column("Organisation"), column("Services", numeric=True)], "rows": rows}


def with_service_count(
    organizations: models.QuerySet[Organization],
) -> models.QuerySet[Organization]:
    counts = (
        Service.objects.filter(organization=models.OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return organizations.annotate(service_count=Coalesce(models.Subquery(counts), 0))


def record_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A service document as summary list rows, in the order pages show fields."""
    return summary_rows(
        [
            {"key": FIELD_LABELS[field], "value": field_value(field, document.get(field))}
            for field in RECORD_FIELDS
        ]
    )


def published_document(service: Service) -> dict[str, Any] | None:
    """The service as the open feed serves it now (None: not in the feed)."""
    text = PublishedService.objects.filter(pk=service.pk).values_list("document", flat=True)
    document = text.first()
    return json.loads(document) if document is not None else None


def not_in_feed_reasons(service: Service, hidden: HiddenService | None) -> list[str]:
    """Why a service is not in the open feed, in words."""
    reasons = []
    if hidden is not None:
        by = f" by {hidden.hidden_by.email}" if hidden.hidden_by else ""
        reasons.append(f"It was hidden{by} on {when(hidden.created_at)}: {hidden.reason}")
    if service.status not in PUBLISHED_STATUSES:
        reasons.append(
            f"Its status is {service.get_status_display().lower()}: only active and temporarily "
            "closed services are published"
        )
    if service.assured_date is None:
        reasons.append("It has never been assured")
    if not reasons:
        reasons.append("It is waiting to be published: the background work has not run yet")
    return reasons


def service_summary(service: Service, *, in_feed: bool) -> list[dict[str, Any]]:
    allocation = getattr(service, "allocation", None)
    organization = service.organization
    rows = [
        {
            "key": "Organisation",
            "value": link(
                reverse("workflow:organization-detail", args=[organization.pk]),
                organization.name,
            )
            if organization
            else "None",
        },
        {"key": "Status", "value": service.get_status_display()},
        {
            "key": "Open feed",
            "value": tag("Published", "green") if in_feed else tag("Not published", "grey"),
        },
        {"key": "Last assured", "value": day(service.assured_date) or "Never"},
        {"key": "Next review", "value": review_text(service)},
        {
            "key": "Allocated to",
            "value": allocation.partner.name
            if allocation
            else "No partner: only directory admins can assure it",
        },
    ]
    return summary_rows(rows)


def proposer_text(change_request: ChangeRequest) -> str:
    if change_request.proposer_id and change_request.proposer:
        return change_request.proposer.email
    if change_request.source == Source.PUBLIC:
        return change_request.proposer_name or "A member of the public"
    return change_request.proposer_name or "Not known"


def change_request_cards(
    change_requests: Iterable[ChangeRequest], *, current: dict[str, Any], user: Any, service: Any
) -> list[dict[str, Any]]:
    """Open change requests of one service as the service page shows them: who proposed what,
    field by field against the record as it is now, and where to act on each."""
    may_assure = user_can(user, Action.ASSURE, service)
    cards = []
    for change_request in change_requests:
        changes = field_changes(current, change_request.proposed, proposal_fields(change_request))
        href, text = "", ""
        if may_assure and change_request.state == State.SUBMITTED:
            href = reverse("workflow:review", args=[change_request.pk])
            text = "Review this change"
        elif change_request.proposer_id == getattr(user, "pk", None):
            href = reverse("workflow:change-request", args=[change_request.pk])
            text = "See your change"
        cards.append(
            {
                "id": change_request.pk,
                "label": f"What change {change_request.pk} proposes",
                "tag": state_tag(change_request),
                "summary": summary_rows(
                    [
                        {"key": "Proposed by", "value": proposer_text(change_request)},
                        {"key": "Source", "value": change_request.get_source_display()},
                        {"key": "Started", "value": when(change_request.created_at)},
                        *(
                            [{"key": "Note", "value": change_request.note}]
                            if change_request.note
                            else []
                        ),
                    ]
                ),
                "changes": {
                    "head": [column("Part"), column("Now"), column("Proposed")],
                    "rows": [
                        [
                            cell(change.label, header=True),
                            cell(field_value(change.field, change.before)),
                            cell(field_value(change.field, change.after)),
                        ]
                        for change in changes
                    ],
                },
                "href": href,
                "link_text": text,
            }
        )
    return cards


def version_who(version: ServiceVersion) -> str:
    return version.actor_email or "The portal"


def version_table(versions: Iterable[ServiceVersion], service: Service) -> dict[str, Any]:
    rows = [
        [
            cell(
                link(
                    reverse("workflow:version-detail", args=[service.pk, version.number]),
                    f"Version {version.number}",
                ),
                header=True,
            ),
            cell(when(version.created_at)),
            cell(version_who(version)),
            cell(version.get_source_display()),
            cell(lines([field_label(f) for f in version.changes]) or "Nothing"),
        ]
        for version in versions
    ]
    return {
        "head": [
            column("Version"),
            column("When"),
            column("Who"),
            column("Why"),
            column("What changed"),
        ],
        "rows": rows,
    }


def version_changes(version: ServiceVersion) -> dict[str, Any]:
    rows = [
        [
            cell(field_label(field), header=True),
            cell(field_value(field, pair[0] if pair else None)),
            cell(field_value(field, pair[1] if len(pair) > 1 else None)),
        ]
        for field, pair in version.changes.items()
    ]
    return {"head": [column("Part"), column("Before"), column("After")], "rows": rows}


def service_actions(service: Service, user: Any, *, csrf_token: str) -> list[SafeString]:
    """The buttons of a service page, as the policy allows them."""
    buttons = []
    if user_can(user, Action.EDIT, service):
        buttons.append(
            button_form(
                reverse("workflow:propose", args=[service.pk]),
                "Edit this service",
                csrf_token=csrf_token,
                classes="govuk-!-margin-bottom-1",
            )
        )
    elif user_can(user, Action.SUGGEST, service):
        buttons.append(
            button_form(
                reverse("workflow:propose", args=[service.pk]),
                "Suggest a change",
                csrf_token=csrf_token,
                classes="govuk-!-margin-bottom-1",
            )
        )
    return buttons


def assurance_links(service: Service, user: Any, *, hidden: bool, csrf_token: str) -> list:
    """Re-assure, hide and show: links (to a page that asks) or a one-button form."""
    items: list = []
    if user_can(user, Action.ASSURE, service):
        items.append(
            link(reverse("workflow:service-reassure", args=[service.pk]), "Mark as checked")
        )
    if user_can(user, Action.PUBLISH, service):
        if hidden:
            items.append(
                button_form(
                    reverse("workflow:service-show", args=[service.pk]),
                    "Show in the open feed",
                    csrf_token=csrf_token,
                )
            )
        else:
            items.append(
                link(reverse("workflow:service-hide", args=[service.pk]), "Hide from the open feed")
            )
    return items


# --- confidential locations -----------------------------------------------------------------


def may_see_locations(service: Service, user: Any) -> bool:
    """The full addresses and their confidential setting are for the service's own people."""
    return user_can(user, Action.VIEW_DRAFT, service) or user_can(user, Action.ASSURE, service)


def _full_address(location: Any) -> str:
    parts = [
        ", ".join(p for p in (a.address_1, a.address_2, a.city, a.postal_code) if p)
        for a in location.addresses.all()
    ]
    return "; ".join(p for p in parts if p) or "No address"


def _district(location: Any) -> str:
    districts = [postcode_district(a.postal_code) for a in location.addresses.all()]
    return ", ".join(dict.fromkeys(d for d in districts if d)) or "no postcode district"


def location_cards(service: Service, user: Any, *, csrf_token: str) -> list[dict[str, Any]]:
    """Each location of the service with what the open data shows of its address, and the
    button that changes it for those who may (four queries, however many locations)."""
    pairings = list(
        ServiceAtLocation.objects.filter(service=service)
        .select_related("location")
        .prefetch_related("location__addresses")
        .order_by("location__name", "location_id")
    )
    locations = list({p.location_id: p.location for p in pairings}.values())
    rights = confidential_rights(user, [location.pk for location in locations])
    cards = []
    for location in locations:
        may = rights[location.pk]
        url = (
            reverse("workflow:location-confidential", args=[location.pk]) + f"?service={service.pk}"
        )
        if location.is_confidential:
            shows = (
                f"Only the postcode district ({_district(location)}), with the coordinates "
                "rounded to about a kilometre"
            )
            button = (
                button_form(
                    url,
                    "Publish the full address",
                    csrf_token=csrf_token,
                    name="confidential",
                    value="no",
                    classes="govuk-button--warning govuk-!-margin-bottom-1",
                    hidden=f"of {location}",
                )
                if may.may_publish
                else ""
            )
            note = (
                "Publish the full address only if nobody can be put in danger by people "
                "finding this place."
                if may.may_publish
                else "Only a directory admin, or someone who assures every service at this "
                "location, can publish its full address again."
            )
        else:
            shows = "The full address and exact coordinates"
            button = (
                button_form(
                    url,
                    "Publish only the postcode district",
                    csrf_token=csrf_token,
                    name="confidential",
                    value="yes",
                    classes="govuk-button--secondary govuk-!-margin-bottom-1",
                    hidden=f"of {location}",
                )
                if may.may_withhold
                else ""
            )
            note = (
                ""
                if may.may_withhold
                else "If this is a refuge or another place that must not be found, ask the "
                "service's assurer to publish only its postcode district."
            )
        cards.append(
            {
                "id": location.pk,
                "name": str(location),
                "confidential": location.is_confidential,
                "summary": summary_rows(
                    [
                        {"key": "Address", "value": _full_address(location)},
                        {"key": "The open data shows", "value": shows},
                    ]
                ),
                "button": button,
                "note": note,
            }
        )
    return cards

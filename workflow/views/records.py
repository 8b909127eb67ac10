"""Staff home and the record pages: the directory's services and organisations as staff see
them, a service's history and versions, and re-assuring, hiding and showing a service.

Every page asks `accounts.policy`; every change goes through `workflow.services`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.models import Partner
from accounts.policy import Action, is_directory_admin, objects_user_can, user_can
from accounts.presenters import when
from accounts.services import unallocated_services
from core.components import button_form, pagination, summary_rows
from core.paging import IdsFirstPaginator
from core.views import PageTitleMixin, bad_request
from directory.models import Location, Organization, Service, ServiceAtLocation
from publish.models import HiddenService, PublishedService
from workflow import records, reviews
from workflow.confidential import confidential_rights
from workflow.documents import changed_fields, current_document, current_organization_document
from workflow.models import ChangeRequest, ServiceVersion
from workflow.presenters import change_title, field_label, field_value, state_tag
from workflow.quality.presenters import service_score_panel
from workflow.services import (
    location_set_confidential,
    service_hide,
    service_reassure,
    service_show,
    version_restore,
)

RECENT_VERSIONS = 5


class AnyActionRequiredMixin(AccessMixin):
    """Signed-in people only, who may do one of `permission_actions` to the page's record (a
    403 otherwise; an unknown record is a 404 first)."""

    permission_actions: tuple[Action, ...] = ()
    request: HttpRequest

    def get_permission_object(self) -> models.Model | None:
        return None

    def has_permission(self) -> bool:
        obj = self.get_permission_object()
        return any(user_can(self.request.user, a, obj) for a in self.permission_actions)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_permission():
            raise PermissionDenied("You do not have permission to see this page")
        return super().dispatch(request, *args, **kwargs)


class ServiceMixin(AnyActionRequiredMixin, PageTitleMixin):
    """A page about one service (URL `pk`), which the policy is asked about."""

    permission_actions = records.BROWSE_ACTIONS
    kwargs: dict[str, Any]

    @cached_property
    def service(self) -> Service:
        services = Service.objects.select_related(
            "organization", "allocation__partner", "hidden__hidden_by", "review"
        )
        return get_object_or_404(services, pk=self.kwargs["pk"])

    def get_permission_object(self) -> Service:
        return self.service

    @cached_property
    def hidden(self) -> HiddenService | None:
        return getattr(self.service, "hidden", None)

    def service_url(self) -> str:
        return reverse("workflow:service-detail", args=[self.service.pk])


# --- home -----------------------------------------------------------------------------------


class HomeView(LoginRequiredMixin, PageTitleMixin, TemplateView):
    """Where everyone lands after signing in: a section for each of their roles."""

    title = "Your work"
    template_name = "workflow/records/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        admin = is_directory_admin(user)
        sections: dict[str, Any] = {}
        if admin:
            sections["admin"] = self.admin_section()
        else:
            if user_can(user, Action.SUBMIT):
                sections["provider"] = self.provider_section(user)
            if user_can(user, Action.ASSURE):
                sections["assurer"] = self.assurer_section(user)
            if user_can(user, Action.SUGGEST):
                sections["frontline"] = True
            if user_can(user, Action.MANAGE_MEMBERS):
                sections["partners"] = [
                    {"href": reverse("accounts:partner-detail", args=[p.pk]), "text": p.name}
                    for p in objects_user_can(
                        user, Action.MANAGE_MEMBERS, Partner.objects.order_by("name")
                    )
                ]
        mine = list(
            ChangeRequest.objects.open()
            .filter(proposer=user)
            .select_related("service", "organization")
            .order_by("-updated_at", "-pk")[: records.HOME_ROWS]
        )
        return super().get_context_data(
            sections=sections,
            my_changes=[
                {
                    "href": reverse("workflow:change-request", args=[c.pk]),
                    "text": change_title(c),
                    "tag": state_tag(c),
                }
                for c in mine
            ],
            search="frontline" in sections or admin,
            **kwargs,
        )

    def provider_section(self, user: Any) -> dict[str, Any]:
        organizations = objects_user_can(user, Action.EDIT, Organization.objects.order_by("name"))
        services = records.with_list_columns(
            objects_user_can(
                user,
                Action.EDIT,
                Service.objects.filter(organization__in=organizations.values("pk")),
            ).order_by("name", "pk")
        )
        shown = list(services[: records.HOME_ROWS + 1])
        own = list(organizations[: records.HOME_ROWS + 1])
        return {
            "organizations": [
                {"href": reverse("workflow:organization-detail", args=[o.pk]), "text": o.name}
                for o in own[: records.HOME_ROWS]
            ],
            "more_organizations": len(own) > records.HOME_ROWS,
            "services": records.service_table(shown[: records.HOME_ROWS], with_partner=False),
            "more_services": len(shown) > records.HOME_ROWS,
            "services_url": reverse("workflow:service-list") + "?scope=edit",
        }

    def assurer_section(self, user: Any) -> dict[str, Any]:
        # Never assured first, then the longest unchecked: what needs a look soonest.
        services = records.with_list_columns(
            objects_user_can(user, Action.ASSURE, Service.objects.all()).order_by(
                models.F("assured_date").asc(nulls_first=True), "name", "pk"
            )
        )
        page = Paginator(services, records.HOME_ROWS).get_page(1)
        overdue = objects_user_can(user, Action.ASSURE, Service.objects.all())
        return {
            "overdue": overdue.filter(reviews.overdue_filter()).count(),
            "waiting": records.assurable_change_requests(user).waiting().count(),
            "services": records.service_table(page.object_list, with_partner=False),
            "count": page.paginator.count,
            "services_url": reverse("workflow:service-list") + "?scope=assure",
        }

    def admin_section(self) -> dict[str, Any]:
        return {
            "services": Service.objects.count(),
            "published": PublishedService.objects.count(),
            "waiting": ChangeRequest.objects.waiting().count(),
            "unallocated": unallocated_services().count(),
            "hidden": HiddenService.objects.count(),
            "overdue": Service.objects.filter(reviews.overdue_filter()).count(),
        }


# --- services -------------------------------------------------------------------------------


class ServiceListView(AnyActionRequiredMixin, PageTitleMixin, TemplateView):
    """The directory's services as staff browse them: search, filters, counts, pages."""

    title = "Services"
    template_name = "workflow/records/service_list.html"

    def has_permission(self) -> bool:
        return records.may_browse_services(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user, params = self.request.user, self.request.GET
        filtering = any(key != "page" for key in params)
        form = records.ServiceFilterForm(params if filtering else None, user=user)
        services = records.services_visible_to(user)
        if filtering:
            services = form.filter(services)
        page = IdsFirstPaginator(
            services.order_by("name", "pk"),
            settings.PORTAL_STAFF_PER_PAGE,
            lambda ids: records.with_list_columns(Service.objects.filter(pk__in=ids)),
        ).get_page(params.get("page"))
        return super().get_context_data(
            form=form,
            filtering=filtering,
            table=records.service_table(page.object_list),
            count=page.paginator.count,
            first=page.start_index(),
            last=page.end_index(),
            pagination=pagination(page, self.request),
            **kwargs,
        )


class ServiceDetailView(ServiceMixin, TemplateView):
    """A service as published and as drafted, its assurance, open changes and history."""

    template_name = "workflow/records/service_detail.html"

    def get_title(self) -> str:
        return self.service.name

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        service, user = self.service, self.request.user
        csrf_token = get_token(self.request)
        published = records.published_document(service)
        current = current_document(service)
        changes = (
            ChangeRequest.objects.open()
            .filter(service=service)
            .select_related("proposer")
            .order_by("created_at", "pk")
        )
        if not (
            user_can(user, Action.VIEW_DRAFT, service) or user_can(user, Action.ASSURE, service)
        ):
            # A frontline worker sees their own suggestions, not other people's drafts.
            changes = changes.filter(proposer=user)
        versions = list(service.versions.order_by("-number")[: RECENT_VERSIONS + 1])
        return super().get_context_data(
            service=service,
            summary=records.service_summary(service, in_feed=published is not None),
            published=records.record_rows(published) if published is not None else None,
            not_in_feed=records.not_in_feed_reasons(service, self.hidden)
            if published is None
            else [],
            record=records.record_rows(current) if published is None else None,
            changes=records.change_request_cards(
                changes, current=current, user=user, service=service
            ),
            versions=records.version_table(versions[:RECENT_VERSIONS], service),
            more_versions=len(versions) > RECENT_VERSIONS,
            quality=service_score_panel(current),
            actions=records.service_actions(service, user, csrf_token=csrf_token),
            assurance_actions=records.assurance_links(
                service, user, hidden=self.hidden is not None, csrf_token=csrf_token
            ),
            locations=records.location_cards(service, user, csrf_token=csrf_token)
            if records.may_see_locations(service, user)
            else None,
            **kwargs,
        )


class ServiceHistoryView(ServiceMixin, TemplateView):
    template_name = "workflow/records/service_history.html"

    def get_title(self) -> str:
        return f"History of {self.service.name}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = Paginator(
            self.service.versions.order_by("-number"), settings.PORTAL_STAFF_PER_PAGE
        ).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            service=self.service,
            table=records.version_table(page.object_list, self.service),
            count=page.paginator.count,
            pagination=pagination(page, self.request),
            back_link=self.service_url(),
            **kwargs,
        )


class VersionMixin(ServiceMixin):
    @cached_property
    def version(self) -> ServiceVersion:
        return get_object_or_404(
            ServiceVersion.objects.filter(service=self.service), number=self.kwargs["number"]
        )

    def may_restore(self) -> bool:
        user = self.request.user
        return user_can(user, Action.EDIT, self.service) or user_can(
            user, Action.ASSURE, self.service
        )


class VersionDetailView(VersionMixin, TemplateView):
    """One version: what changed, and the record as it was then."""

    template_name = "workflow/records/version_detail.html"

    def get_title(self) -> str:
        return f"Version {self.version.number} of {self.service.name}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        version, user = self.version, self.request.user
        differs = bool(changed_fields(current_document(self.service), version.document))
        restore = ""
        if self.may_restore() and differs:
            restore = button_form(
                reverse("workflow:version-restore", args=[self.service.pk, version.number]),
                "Restore this version",
                csrf_token=get_token(self.request),
                classes="",
            )
        own_open = ChangeRequest.objects.open().filter(service=self.service, proposer=user)
        return super().get_context_data(
            service=self.service,
            version=version,
            summary=summary_rows(
                [
                    {"key": "When", "value": when(version.created_at)},
                    {"key": "Who", "value": records.version_who(version)},
                    {"key": "Why", "value": version.get_source_display()},
                ]
            ),
            changes=records.version_changes(version),
            record=records.record_rows(version.document),
            restore=restore,
            differs=differs,
            replaces_own_change=bool(restore) and own_open.exists(),
            back_link=reverse("workflow:service-history", args=[self.service.pk]),
            **kwargs,
        )


class VersionRestoreView(VersionMixin, View):
    """Propose the record as it was at a version; it goes for assurance like any change."""

    permission_actions = (Action.EDIT, Action.ASSURE)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        version = self.version
        back = reverse("workflow:version-detail", args=[self.service.pk, version.number])
        if not changed_fields(current_document(self.service), version.document):
            messages.info(request, "Nothing to restore: this version is the record as it is now")
            return redirect(back)
        try:
            change_request = version_restore(actor=request.user, version=version)
        except ValidationError as error:
            messages.error(
                request, f"The version could not be restored: {' '.join(error.messages)}"
            )
            return redirect(back)
        messages.success(
            request,
            f"Version {version.number} has been proposed as a change: "
            f"{change_request.get_state_display().lower()}.",
        )
        return redirect("workflow:change-request", pk=change_request.pk)


class ServiceReassureView(ServiceMixin, TemplateView):
    """Confirm (GET), then mark the service as checked today (POST)."""

    permission_actions = (Action.ASSURE,)
    template_name = "workflow/records/service_reassure.html"

    def get_title(self) -> str:
        return f"Mark {self.service.name} as checked?"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        service = self.service
        return super().get_context_data(
            service=service,
            summary=summary_rows(
                [
                    {"key": "Last assured", "value": records.day(service.assured_date) or "Never"},
                    {"key": "Next review", "value": records.review_text(service)},
                ]
            ),
            back_link=self.service_url(),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        version = service_reassure(actor=request.user, service=self.service)
        assured = version.service.assured_date
        due = reviews.due_date(Service.objects.select_related("review").get(pk=self.service.pk))
        messages.success(
            request,
            f"{self.service.name} is marked as checked on {records.day(assured)}. "
            f"Its next review is due on {records.day(due)}.",
        )
        return redirect(self.service_url())


class ServiceHideView(ServiceMixin, FormView):
    """Ask why (GET), then withhold the service from every feed at once (POST)."""

    permission_actions = (Action.PUBLISH,)
    form_class = records.HideForm
    template_name = "workflow/records/service_hide.html"

    def get_title(self) -> str:
        return f"Hide {self.service.name} from the open feed"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            service=self.service,
            hidden=self.hidden,
            back_link=self.service_url(),
            **kwargs,
        )

    def form_valid(self, form: records.HideForm) -> HttpResponse:
        try:
            service_hide(
                actor=self.request.user, service=self.service, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("reason", message)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.service.name} is hidden: it has left the open feed.")
        return redirect(self.service_url())


class ServiceShowView(ServiceMixin, View):
    """Lift a hide (POST)."""

    permission_actions = (Action.PUBLISH,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        published = service_show(actor=request.user, service=self.service)
        if published:
            text = f"{self.service.name} is shown again: it is back in the open feed."
        else:
            text = (
                f"{self.service.name} is no longer hidden. It is not in the open feed until it "
                "is assured and its status is active or temporarily closed."
            )
        messages.success(request, text)
        return redirect(self.service_url())


class LocationConfidentialView(AnyActionRequiredMixin, View):
    """Withhold a location's address from the open data, or publish it in full again (POST
    `confidential`: yes or no), then go back to the service page named by `?service=`."""

    http_method_names = ["post"]
    kwargs: dict[str, Any]

    @cached_property
    def location(self) -> Location:
        return get_object_or_404(Location, pk=self.kwargs["pk"])

    def has_permission(self) -> bool:
        rights = confidential_rights(self.request.user, [self.location.pk])[self.location.pk]
        return rights.may_withhold or rights.may_publish

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        answer = request.POST.get("confidential")
        if answer not in ("yes", "no"):
            return bad_request(request)
        confidential = answer == "yes"
        changed = location_set_confidential(
            actor=request.user, location=self.location, confidential=confidential
        )
        if not changed:
            text = "Nothing changed: the open data already shows the address this way."
        elif confidential:
            text = (
                f"The open data will show only the postcode district of {self.location}, with "
                "its coordinates rounded. The services there are being republished."
            )
        else:
            text = (
                f"The open data will show the full address of {self.location}. The services "
                "there are being republished."
            )
        messages.success(request, text)
        return redirect(self.back_url())

    def back_url(self) -> str:
        """The service page the form was on, if that service is at this location."""
        service_id = self.request.GET.get("service", "")
        try:
            at_location = ServiceAtLocation.objects.filter(
                location=self.location, service_id=service_id
            ).exists()
        except ValidationError:  # not a UUID
            at_location = False
        if at_location:
            return reverse("workflow:service-detail", args=[service_id]) + "#locations"
        return reverse("workflow:home")


# --- organisations --------------------------------------------------------------------------


class OrganizationListView(AnyActionRequiredMixin, PageTitleMixin, TemplateView):
    title = "Organisations"
    template_name = "workflow/records/organization_list.html"

    def has_permission(self) -> bool:
        return records.may_browse_organizations(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET
        filtering = bool(params.get("q"))
        form = records.OrganizationSearchForm(params if "q" in params else None)
        organizations = records.organizations_visible_to(self.request.user)
        if filtering:
            organizations = form.filter(organizations)
        organizations = records.with_service_count(organizations.order_by("name", "pk"))
        page = Paginator(organizations, settings.PORTAL_STAFF_PER_PAGE).get_page(params.get("page"))
        return super().get_context_data(
            form=form,
            filtering=filtering,
            table=records.organization_table(page.object_list),
            count=page.paginator.count,
            pagination=pagination(page, self.request),
            **kwargs,
        )


class OrganizationDetailView(AnyActionRequiredMixin, PageTitleMixin, TemplateView):
    """An organisation and its services, with "Propose a new service" and "Edit organisation
    details" (or, for a frontline worker, "Suggest a change") for those who may."""

    permission_actions = (Action.EDIT, Action.SUGGEST)
    template_name = "workflow/records/organization_detail.html"
    kwargs: dict[str, Any]

    @cached_property
    def organization(self) -> Organization:
        return get_object_or_404(Organization, pk=self.kwargs["pk"])

    def get_permission_object(self) -> Organization:
        return self.organization

    def get_title(self) -> str:
        return self.organization.name

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        organization, user = self.organization, self.request.user
        services = records.with_list_columns(
            Service.objects.filter(organization=organization).order_by("name", "pk")
        )
        page = Paginator(services, settings.PORTAL_STAFF_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        propose = button_form(
            reverse("workflow:propose-service", args=[organization.pk]),
            "Propose a new service",
            csrf_token=get_token(self.request),
            classes="",
        )
        change_details = button_form(
            reverse("workflow:propose-organization", args=[organization.pk]),
            "Edit organisation details"
            if user_can(user, Action.EDIT, organization)
            else "Suggest a change",
            csrf_token=get_token(self.request),
            classes="govuk-button--secondary",
        )
        document = current_organization_document(organization)
        return super().get_context_data(
            organization=organization,
            summary=summary_rows(
                [
                    {"key": "Description", "value": organization.description or "Not given"},
                    {"key": "Website", "value": organization.website or "Not given"},
                    {"key": "Email address", "value": organization.email or "Not given"},
                    *(
                        {"key": field_label(field), "value": field_value(field, document[field])}
                        for field in ("phones", "additional_urls")
                        if document.get(field)
                    ),
                ]
            ),
            change_details=change_details,
            table=records.service_table(page.object_list),
            count=page.paginator.count,
            pagination=pagination(page, self.request),
            propose=propose,
            back_link=reverse("workflow:organization-list")
            if records.may_browse_organizations(user)
            else "",
            **kwargs,
        )

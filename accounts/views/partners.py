"""Partners (directory admins) and their members (partner admins of the partner, too)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import presenters
from accounts.forms import (
    MemberRolesForm,
    PartnerForm,
    PartnerUpdateForm,
    add_service_errors,
    organisations_text,
)
from accounts.models import Invitation, Membership, Partner, Role, ServiceAllocation
from accounts.policy import Action, objects_user_can, user_can
from accounts.services import (
    member_roles_state,
    membership_set_roles,
    partner_create,
    partner_state,
    partner_update,
)
from core.components import pagination
from core.concurrency import StaleEdit, StaleEditViewMixin
from directory.models import Service

from .mixins import PartnerMixin, StaffPageMixin


def _count(queryset: models.QuerySet) -> models.Subquery:
    """A correlated COUNT(*) subquery (one per annotated column, so counts never multiply)."""
    return Coalesce(
        models.Subquery(
            queryset.order_by().values("partner").annotate(n=models.Count("*")).values("n")
        ),
        0,
    )


class PartnerListView(StaffPageMixin, TemplateView):
    """Every partner for directory admins; a partner admin sees the partners they manage."""

    permission_action = Action.MANAGE_MEMBERS
    template_name = "accounts/partner_list.html"

    def get_title(self) -> str:
        return (
            "Partners" if user_can(self.request.user, Action.MANAGE_PARTNERS) else "Your partners"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        people = Membership.objects.filter(partner=models.OuterRef("pk"))
        partners = objects_user_can(user, Action.MANAGE_MEMBERS, Partner.objects.all()).annotate(
            member_count=Coalesce(
                models.Subquery(
                    people.order_by()
                    .values("partner")
                    .annotate(n=models.Count("user", distinct=True))
                    .values("n")
                ),
                0,
            ),
            service_count=_count(ServiceAllocation.objects.filter(partner=models.OuterRef("pk"))),
        )
        return super().get_context_data(
            table=presenters.partner_table(partners.order_by("name")),
            can_create=user_can(user, Action.MANAGE_PARTNERS),
            **kwargs,
        )


class PartnerFormMixin:
    form_class = PartnerForm
    template_name = "accounts/form_page.html"
    request: HttpRequest

    def form_invalid_from_service(self, form: PartnerForm, error: ValidationError):
        add_service_errors(form, error)
        return self.form_invalid(form)


class PartnerCreateView(PartnerFormMixin, StaffPageMixin, FormView):
    permission_action = Action.MANAGE_PARTNERS
    title = "Add a partner"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(back_link=reverse("accounts:partner-list"), **kwargs)

    def form_valid(self, form: PartnerForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            partner = partner_create(
                actor=self.request.user,
                name=data["name"],
                slug=data["slug"],
                kind=data["kind"],
                organizations=data["organizations"],
                can_self_assure=data["can_self_assure"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            return self.form_invalid_from_service(form, error)
        text = f"{partner.name} has been added."
        if data["organizations"]:
            # partner_create queued the recompute: the organisations' services change hands.
            messages.success(self.request, presenters.queued_message(text))
        else:
            messages.success(self.request, text)
        return redirect("accounts:partner-detail", pk=partner.pk)


class PartnerUpdateView(
    StaleEditViewMixin, PartnerFormMixin, PartnerMixin, StaffPageMixin, FormView
):
    permission_action = Action.MANAGE_PARTNERS
    form_class = PartnerUpdateForm

    def get_permission_object(self) -> None:
        return None  # a site-wide action; the partner itself is looked up (or 404) afterwards

    def get_title(self) -> str:
        return f"Change {self.partner.name}"

    def current_state(self) -> dict[str, Any]:
        return partner_state(self.partner)

    def fresh_initial(self) -> dict[str, Any]:
        return self.initial_for(Partner.objects.get(pk=self.partner.pk))

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), **self.initial_for(self.partner)}

    @staticmethod
    def initial_for(partner: Partner) -> dict[str, Any]:
        return {
            "name": partner.name,
            "slug": partner.slug,
            "kind": partner.kind,
            "organizations": organisations_text(list(partner.organizations.order_by("name"))),
            "can_self_assure": partner.can_self_assure,
            "is_active": partner.is_active,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            back_link=reverse("accounts:partner-detail", args=[self.partner.pk]), **kwargs
        )

    @staticmethod
    def _permission_facts(partner: Partner) -> tuple:
        """What partner_update recomputes permissions for when it changes."""
        organizations = set(partner.organizations.values_list("pk", flat=True))
        return partner.can_self_assure, partner.is_active, organizations

    def form_valid(self, form: PartnerForm) -> HttpResponse:
        data = form.cleaned_data
        before = self._permission_facts(self.partner)
        try:
            partner = partner_update(
                partner=self.partner,
                actor=self.request.user,
                data={
                    "name": data["name"],
                    "slug": data["slug"] or self.partner.slug,
                    "kind": data["kind"],
                    "can_self_assure": data["can_self_assure"],
                    "is_active": data["is_active"],
                },
                organizations=data["organizations"],
                expected_version=form.loaded_version,
            )
        except StaleEdit:
            return self.stale_response(form)
        except ValidationError as error:
            return self.form_invalid_from_service(form, error)
        text = f"{partner.name} has been saved."
        if self._permission_facts(partner) != before:
            messages.success(self.request, presenters.queued_message(text))
        else:
            messages.success(self.request, text)
        return redirect("accounts:partner-detail", pk=partner.pk)


class PartnerDetailView(PartnerMixin, StaffPageMixin, TemplateView):
    """A partner: its details, members, open invitations, and the services allocated to it."""

    permission_action = Action.MANAGE_MEMBERS
    template_name = "accounts/partner_detail.html"

    def get_title(self) -> str:
        return self.partner.name

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        partner, user = self.partner, self.request.user
        devices = TOTPDevice.objects.filter(user=models.OuterRef("user_id"), confirmed=True)
        memberships = (
            Membership.objects.filter(partner=partner)
            .select_related("user")
            .annotate(has_2fa=models.Exists(devices))
            .order_by("user__email", "role")
        )
        invitations = Invitation.objects.open().filter(partner=partner).order_by("email")
        services = (
            Service.objects.filter(allocation__partner=partner)
            .select_related("organization")
            .order_by("name", "id")
        )
        page = Paginator(services, settings.PORTAL_STAFF_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            partner=partner,
            summary=presenters.partner_summary(
                partner,
                list(partner.organizations.order_by("name")),
                can_edit=user_can(user, Action.MANAGE_PARTNERS),
            ),
            members=presenters.member_table(
                partner, memberships, can_reset_two_factor=user_can(user, Action.MANAGE_USERS)
            ),
            invitations=presenters.invitation_table(
                partner, invitations, csrf_token=get_token(self.request)
            ),
            services=presenters.service_table(page.object_list),
            service_count=page.paginator.count,
            pagination=pagination(page, self.request),
            can_manage_partners=user_can(user, Action.MANAGE_PARTNERS),
            **kwargs,
        )


class MemberMixin(PartnerMixin):
    """A page about one member of a partner (URL `user_pk`)."""

    @cached_property
    def member(self) -> Any:
        users = get_user_model().objects.filter(memberships__partner=self.partner).distinct()
        return get_object_or_404(users, pk=self.kwargs["user_pk"])

    def current_roles(self) -> list[str]:
        return list(
            Membership.objects.filter(partner=self.partner, user=self.member)
            .order_by("role")
            .values_list("role", flat=True)
        )


class MemberUpdateView(StaleEditViewMixin, MemberMixin, StaffPageMixin, FormView):
    permission_action = Action.MANAGE_MEMBERS
    form_class = MemberRolesForm
    template_name = "accounts/form_page.html"

    def get_title(self) -> str:
        return f"Change the roles of {self.member.display_name}"

    def current_state(self) -> dict[str, Any]:
        return member_roles_state(partner=self.partner, user=self.member)

    def fresh_initial(self) -> dict[str, Any]:
        return {"roles": self.current_roles()}

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "roles": self.current_roles()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            caption=self.partner.name,
            back_link=reverse("accounts:partner-detail", args=[self.partner.pk]),
            **kwargs,
        )

    def form_valid(self, form: MemberRolesForm) -> HttpResponse:
        try:
            membership_set_roles(
                partner=self.partner,
                user=self.member,
                roles=form.cleaned_data["roles"],
                actor=self.request.user,
                expected_version=form.loaded_version,
            )
        except StaleEdit:
            return self.stale_response(form)
        messages.success(self.request, f"The roles of {self.member.email} have been saved")
        return redirect("accounts:partner-detail", pk=self.partner.pk)


class MemberRemoveView(MemberMixin, StaffPageMixin, TemplateView):
    """Asks to confirm (GET), then takes every role at the partner away (POST)."""

    permission_action = Action.MANAGE_MEMBERS
    template_name = "accounts/member_confirm_remove.html"

    def get_title(self) -> str:
        return f"Remove {self.member.display_name} from {self.partner.name}?"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            partner=self.partner,
            member=self.member,
            roles=[Role(role).label for role in self.current_roles()],
            back_link=reverse("accounts:partner-detail", args=[self.partner.pk]),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership_set_roles(partner=self.partner, user=self.member, roles=[], actor=request.user)
        messages.success(request, f"{self.member.email} has been removed from {self.partner.name}")
        return redirect("accounts:partner-detail", pk=self.partner.pk)

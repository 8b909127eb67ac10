"""Inviting people to a partner, withdrawing invitations, and the link an invitee opens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from accounts import conf, two_factor
from accounts.exceptions import (
    AccountsError,
    InvitationExpired,
    InvitationForAnotherAccount,
    InvitationInvalid,
    InvitationRevoked,
    InvitationUsed,
)
from accounts.forms import InvitationAcceptForm, InvitationForm, add_service_errors
from accounts.models import Invitation, User
from accounts.policy import Action
from accounts.services import (
    invitation_accept,
    invitation_create,
    invitation_get,
    invitation_revoke,
)
from accounts.services.audit import client_ip
from accounts.throttle import allow_email

from .mixins import PartnerMixin, StaffPageMixin

# The backend that checks passwords; named when signing someone in without `authenticate`.
PASSWORD_BACKEND = "accounts.backends.PortalModelBackend"

UNUSABLE = {
    InvitationInvalid: ("This invitation link is not valid", 404),
    InvitationExpired: ("This invitation has expired", 410),
    InvitationUsed: ("This invitation has already been used", 410),
    InvitationRevoked: ("This invitation has been withdrawn", 410),
    InvitationForAnotherAccount: ("This invitation is for another account", 403),
}


def _valid_days() -> str:
    days = conf.get("PORTAL_INVITATION_VALID_DAYS")
    return f"{days} day{'' if days == 1 else 's'}"


class InvitationCreateView(PartnerMixin, StaffPageMixin, FormView):
    permission_action = Action.MANAGE_MEMBERS
    form_class = InvitationForm
    template_name = "accounts/form_page.html"

    def get_title(self) -> str:
        return f"Invite someone to {self.partner.name}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            back_link=reverse("accounts:partner-detail", args=[self.partner.pk]),
            lead=(
                "We will email them a link to set a password. The link works once, for "
                f"{_valid_days()}."
            ),
            **kwargs,
        )

    def form_valid(self, form: InvitationForm) -> HttpResponse:
        if not allow_email(
            "invitation",
            address=form.cleaned_data["email"],
            client=client_ip(self.request),
            limits=settings.PORTAL_INVITATIONS_PER_HOUR,
        ):
            form.add_error(
                "email",
                "Too many invitations have been sent to this address, or from here, in the last "
                "hour. Try again later",
            )
            return self.form_invalid(form)
        try:
            invitation = invitation_create(
                partner=self.partner,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                actor=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"We have sent an invitation to {invitation.email}")
        return redirect("accounts:partner-detail", pk=self.partner.pk)


class InvitationRevokeView(PartnerMixin, StaffPageMixin, View):
    """Withdraw an invitation (POST only); its link stops working."""

    permission_action = Action.MANAGE_MEMBERS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Looked up within the partner the policy was asked about, never by id alone.
        invitation = get_object_or_404(
            Invitation, pk=self.kwargs["invitation_pk"], partner=self.partner
        )
        try:
            invitation_revoke(invitation=invitation, actor=request.user)
        except InvitationUsed as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The invitation to {invitation.email} has been withdrawn")
        return redirect("accounts:partner-detail", pk=self.partner.pk)


@method_decorator(never_cache, name="dispatch")
class InvitationAcceptView(View):
    """The link in an invitation email (`PORTAL_INVITATION_PATH`).

    A new address sets a name and password and is signed in; an address that has an account
    accepts by signing in as that account first. A link that cannot be used (unknown, expired,
    used, withdrawn) gets a page saying so and what to do.
    """

    form_template = "accounts/invitation_accept.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.token = kwargs["token"]
        try:
            self.invitation = invitation_get(token=self.token)
        except AccountsError as error:
            return self.unusable(error)
        return super().dispatch(request, *args, **kwargs)

    def unusable(self, error: AccountsError) -> HttpResponse:
        title, status = UNUSABLE.get(type(error), ("This invitation cannot be used", 410))
        return render(
            self.request,
            "accounts/invitation_unusable.html",
            {"title": title, "message": error.message, "valid_for": _valid_days()},
            status=status,
        )

    def situation(self) -> str:
        """'signed-in' (accept as yourself), 'wrong-account', 'sign-in-first' or 'new'."""
        user = self.request.user
        if user.is_authenticated:
            return "signed-in" if user.email == self.invitation.email else "wrong-account"
        if User.objects.with_email(self.invitation.email).exists():
            return "sign-in-first"
        return "new"

    def render_page(self, form: InvitationAcceptForm | None = None) -> HttpResponse:
        situation = self.situation()
        if situation == "wrong-account":
            return self.unusable(
                InvitationForAnotherAccount(
                    f"This invitation was sent to {self.invitation.email}. Sign out and open the "
                    "link again"
                )
            )
        invitation = self.invitation
        context = {
            "title": f"Join {invitation.partner.name}",
            "invitation": invitation,
            "roles": " and ".join(label.lower() for label in invitation.role_labels),
            "situation": situation,
            "form": form,
            "sign_in_url": reverse("accounts:sign-in")
            + "?"
            + urlencode({"next": self.request.path}),
        }
        if situation == "new" and form is None:
            context["form"] = InvitationAcceptForm(email=invitation.email)
        return render(self.request, self.form_template, context)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        situation = self.situation()
        if situation == "signed-in":
            return self.accept(user=request.user)
        if situation != "new":
            return self.render_page()
        form = InvitationAcceptForm(request.POST, email=self.invitation.email)
        if not form.is_valid():
            return self.render_page(form)
        return self.accept(form=form)

    def accept(self, *, user: Any = None, form: InvitationAcceptForm | None = None) -> HttpResponse:
        try:
            if form is not None:
                account = invitation_accept(
                    token=self.token,
                    password=form.cleaned_data["password"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                )
            else:
                account = invitation_accept(token=self.token, user=user)
        except ValidationError as error:
            if form is None:
                raise
            add_service_errors(form, error)
            return self.render_page(form)
        except AccountsError as error:
            return self.unusable(error)
        partner = self.invitation.partner.name
        if form is not None:
            login(self.request, account, backend=PASSWORD_BACKEND)
        # The emailed link proved the mailbox: this session may set up two-factor authentication.
        two_factor.grant_setup_proof(self.request, account, "invitation")
        if form is not None:
            messages.success(self.request, f"Your account is ready. You have joined {partner}")
        else:
            messages.success(self.request, f"You have joined {partner}")
        return redirect("accounts:account")

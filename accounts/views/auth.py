"""Signing in and out, passwords, the lock-out page, two-factor authentication, your account."""

from __future__ import annotations

import logging
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import FormView, TemplateView
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout, presenters, two_factor
from accounts.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    SecurityCodeForm,
    SignInForm,
)
from accounts.models import AuditAction
from accounts.services import audit_record, recovery_codes_make
from accounts.services.audit import client_ip
from accounts.throttle import allow_email
from core.views import PageTitleMixin

logger = logging.getLogger(__name__)


class SignInView(PageTitleMixin, auth_views.LoginView):
    title = "Sign in"
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class SignOutView(PageTitleMixin, auth_views.LogoutView):
    """GET asks a signed-in person to confirm (a link in the header can only GET); POST signs
    them out and says so on the sign-in page. Someone already signed out goes to sign in, told
    nothing untrue ("You have signed out" only follows a real sign-out)."""

    title = "Sign out"
    http_method_names = ["get", "post", "options"]
    template_name = "registration/sign_out.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("accounts:sign-in")
        return render(request, self.template_name, self.get_context_data())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("accounts:sign-in")
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out")
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # Django's LogoutView titles its page "Logged out", even on this page, before signing out.
        return {**super().get_context_data(**kwargs), "title": self.get_title()}


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None):
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE), with status 429."""
    duration = lockout.describe_duration(lockout.cool_off(request))
    return render(
        request,
        "registration/locked_out.html",
        {
            "title": "You have been locked out",
            "duration": duration,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --- passwords ------------------------------------------------------------------------------


class PasswordResetView(PageTitleMixin, auth_views.PasswordResetView):
    title = "Reset your password"
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def get_extra_email_context(self) -> dict[str, str]:
        # Links are built from the configured address, never the request's Host header.
        return {
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
            "portal_name": settings.PORTAL_NAME,
        }

    def form_valid(self, form):
        allowed = allow_email(
            "password-reset",
            address=form.cleaned_data["email"],
            client=client_ip(self.request),
            limits=settings.PORTAL_RESET_EMAILS_PER_HOUR,
        )
        if not allowed:
            # The same page as a sent link: it must not tell anyone which addresses have accounts.
            logger.warning("Password-reset email not sent: over the hourly limit")
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class PasswordResetSentView(PageTitleMixin, auth_views.PasswordResetDoneView):
    title = "Check your email"
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(PageTitleMixin, auth_views.PasswordResetConfirmView):
    title = "Choose a new password"
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        audit_record(
            action=AuditAction.PASSWORD_CHANGED,
            actor=user,
            target=user,
            detail={"how": "reset link"},
        )
        # Whoever holds the mailbox may sign in again at once, from wherever they were locked.
        axes_reset(username=user.email)
        # A session signed in with the old password ends here, as every other one does; the
        # person signs in again with the new one.
        if self.request.user.is_authenticated:
            logout(self.request)
        # The link proved the mailbox: this browser may set up two-factor authentication.
        two_factor.grant_setup_proof(self.request, user, "password reset")
        return response


class PasswordResetCompleteView(PageTitleMixin, auth_views.PasswordResetCompleteView):
    title = "Your password has been changed"
    template_name = "registration/password_reset_complete.html"


class PasswordChangeView(PageTitleMixin, auth_views.PasswordChangeView):
    title = "Change your password"
    form_class = ChangePasswordForm
    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            action=AuditAction.PASSWORD_CHANGED,
            actor=self.request.user,
            target=self.request.user,
            detail={"how": "changed when signed in"},
        )
        messages.success(self.request, "Your password has been changed")
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(back_link=reverse("accounts:account"), **kwargs)


# --- two-factor authentication --------------------------------------------------------------


def _next_url(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _throttled_message(device: Any) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds())) if until else 60
    wait = f"{seconds} second{'' if seconds == 1 else 's'}"
    return f"You have entered too many wrong codes. Wait {wait} and try again"


WRONG_CODE = "The security code is not correct. Enter the code your app shows now"

RECOVERY_CODES_SESSION_KEY = "accounts_recovery_codes_to_show"


def show_recovery_codes(request: HttpRequest, codes: list[str], *, next_url: str) -> None:
    """Keep new recovery codes in the (server-side) session until the codes page shows them,
    once: a reload of that page does not show them again."""
    request.session[RECOVERY_CODES_SESSION_KEY] = {"codes": codes, "next": next_url}


class TwoFactorSetupView(LoginRequiredMixin, PageTitleMixin, FormView):
    """Scan a QR code (or type the secret) into an authenticator app, then confirm a code.

    Replacing a device needs a verified session, so that a stolen password cannot swap it; a
    first device for someone who owes two-factor authentication needs a session that proved
    the mailbox too (`two_factor.may_set_up`): otherwise the page says how to get a link, and
    shows no secret. A confirmed device comes with new recovery codes, shown next.
    """

    title = "Set up two-factor authentication"
    form_class = SecurityCodeForm
    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and two_factor.has_device(user)
            and not two_factor.is_verified(user)
        ):
            return redirect("accounts:two-factor-verify")
        if user.is_authenticated and not two_factor.may_set_up(request):
            return render(
                request,
                "accounts/two_factor_setup_needs_link.html",
                {"title": "You need a link to set up two-factor authentication"},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        device = two_factor.pending_device(self.request.user)
        return super().get_context_data(
            qr_code=two_factor.qr_code_svg(device),
            secret=two_factor.secret_text(device),
            replacing=two_factor.has_device(self.request.user),
            required=two_factor.two_factor_required(self.request.user),
            next=_next_url(self.request, ""),
            **kwargs,
        )

    def form_valid(self, form: SecurityCodeForm) -> HttpResponse:
        user = self.request.user
        device = two_factor.pending_device(user)
        problem = _throttled_message(device)
        if problem is None and not device.verify_token(form.cleaned_data["code"]):
            problem = WRONG_CODE
        if problem:
            form.add_error("code", problem)
            return self.form_invalid(form)
        proof = two_factor.setup_proof(self.request, user)
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            detail = {"change": "set up", "device": "authenticator app"}
            if proof and not two_factor.is_verified(user):
                detail["proof"] = proof
            audit_record(
                action=AuditAction.TWO_FACTOR_CHANGED, actor=user, target=user, detail=detail
            )
            codes = recovery_codes_make(user=user)
        two_factor.spend_setup_proof(self.request)
        otp_login(self.request, device)
        messages.success(self.request, "Two-factor authentication is set up")
        # Then the recovery codes, once; then the account page, which now shows it (a `next`
        # from signing in still wins).
        show_recovery_codes(
            self.request, codes, next_url=_next_url(self.request, reverse("accounts:account"))
        )
        return redirect("accounts:two-factor-recovery-codes")


class SecondStepMixin(LoginRequiredMixin, PageTitleMixin):
    """The second step of signing in, one way or the other (`other_way`, a URL name, is offered
    as `other_way_url`, carrying the page to go to next)."""

    other_way: str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            if two_factor.is_verified(request.user):
                return HttpResponseRedirect(
                    _next_url(request, resolve_url(settings.LOGIN_REDIRECT_URL))
                )
            if not two_factor.has_device(request.user):
                return redirect("accounts:two-factor-setup")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        next_url = _next_url(self.request, "")
        other_way_url = reverse(self.other_way)
        if next_url:
            other_way_url += "?" + urlencode({"next": next_url})
        return super().get_context_data(next=next_url, other_way_url=other_way_url, **kwargs)

    def refused(self, form: Any, problem: str, step: str) -> HttpResponse:
        """A wrong or throttled code: audited as a failed sign-in (`step`), shown on the form."""
        user = self.request.user
        audit_record(
            action=AuditAction.SIGN_IN_FAILED,
            actor_email=user.email,
            target=user,
            detail={"step": step},
        )
        form.add_error("code", problem)
        return self.form_invalid(form)

    def passed(self, device: Any) -> HttpResponse:
        otp_login(self.request, device)
        return HttpResponseRedirect(
            _next_url(self.request, resolve_url(settings.LOGIN_REDIRECT_URL))
        )


class TwoFactorVerifyView(SecondStepMixin, FormView):
    """The second step of signing in: a code from the app set up earlier."""

    title = "Enter your security code"
    form_class = SecurityCodeForm
    template_name = "accounts/two_factor_verify.html"
    other_way = "accounts:two-factor-recovery"

    def form_valid(self, form: SecurityCodeForm) -> HttpResponse:
        user = self.request.user
        device = two_factor.confirmed_device(user)
        problem = _throttled_message(device)
        if problem is None and not device.verify_token(form.cleaned_data["code"]):
            problem = WRONG_CODE
        if problem:
            return self.refused(form, problem, "security code")
        return self.passed(device)


class TwoFactorRemoveView(LoginRequiredMixin, PageTitleMixin, FormView):
    """Turn two-factor authentication off: only for people who chose it, with their password."""

    title = "Turn off two-factor authentication"
    form_class = ConfirmPasswordForm
    template_name = "accounts/form_page.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            if two_factor.two_factor_required(request.user):
                raise PermissionDenied("Your roles need two-factor authentication")
            if not two_factor.has_device(request.user):
                return redirect("accounts:account")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            back_link=reverse("accounts:account"),
            lead="You will sign in with your password only.",
            **kwargs,
        )

    def form_valid(self, form: ConfirmPasswordForm) -> HttpResponse:
        user = self.request.user
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            audit_record(
                action=AuditAction.TWO_FACTOR_CHANGED,
                actor=user,
                target=user,
                detail={"change": "turned off"},
            )
        self.request.session.pop(DEVICE_ID_SESSION_KEY, None)
        messages.success(self.request, "Two-factor authentication is off")
        return redirect("accounts:account")


# --- your account ---------------------------------------------------------------------------


class AccountView(LoginRequiredMixin, PageTitleMixin, TemplateView):
    """Who you are, your roles, your sign-in settings, and the staff pages you may use."""

    title = "Your account"
    template_name = "accounts/account.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**presenters.account(self.request.user), **kwargs)

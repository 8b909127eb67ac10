"""Two-factor authentication beyond the app: recovery codes, the emailed set-up link, and a
directory admin's reset of someone's second factor (set-up and verify are in `auth`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts import two_factor
from accounts.exceptions import (
    NotAllowed,
    SetupLinkForAnotherAccount,
    SetupLinkInvalid,
    SetupLinkUnusable,
)
from accounts.forms import RecoveryCodeForm
from accounts.policy import Action
from accounts.services import (
    recovery_code_use,
    recovery_codes_make,
    two_factor_link_get,
    two_factor_link_use,
    two_factor_reset,
)
from core.views import PageTitleMixin

from .auth import (
    RECOVERY_CODES_SESSION_KEY,
    SecondStepMixin,
    _next_url,
    _throttled_message,
    show_recovery_codes,
)
from .mixins import StaffPageMixin

WRONG_RECOVERY_CODE = "The recovery code is not correct, or has already been used"


@method_decorator(never_cache, name="dispatch")
class TwoFactorRecoveryView(SecondStepMixin, FormView):
    """The second step of signing in with a recovery code instead of the app (each works once)."""

    title = "Enter a recovery code"
    form_class = RecoveryCodeForm
    template_name = "accounts/two_factor_recovery.html"
    other_way = "accounts:two-factor-verify"

    def form_valid(self, form: RecoveryCodeForm) -> HttpResponse:
        user = self.request.user
        device = two_factor.recovery_device(user)
        problem = _throttled_message(device) if device is not None else None
        if problem is None:
            device = recovery_code_use(user=user, code=form.cleaned_data["code"])
            problem = WRONG_RECOVERY_CODE if device is None else None
        if problem:
            return self.refused(form, problem, "recovery code")
        left = device.token_set.count()
        text = f"You have {left} recovery code{'' if left == 1 else 's'} left"
        if left <= 3:
            text += ". Make new ones from your account page"
        messages.success(self.request, text)
        return self.passed(device)


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(LoginRequiredMixin, PageTitleMixin, TemplateView):
    """New recovery codes, shown once (GET straight after they are made), or how many are left
    and a button to make new ones (POST), which needs a session verified with the second factor.
    """

    template_name = "accounts/two_factor_recovery_codes.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not (
            two_factor.has_device(user) and two_factor.is_verified(user)
        ):
            return redirect("accounts:account")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fresh = request.session.pop(RECOVERY_CODES_SESSION_KEY, None) or {}
        codes = fresh.get("codes") or []
        context = self.get_context_data(
            title="Save your recovery codes" if codes else "Recovery codes",
            codes=codes,
            next_url=fresh.get("next") or reverse("accounts:account"),
            codes_left=two_factor.recovery_codes_left(request.user),
            back_link=reverse("accounts:account"),
        )
        return self.render_to_response(context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        codes = recovery_codes_make(user=request.user)
        show_recovery_codes(request, codes, next_url=reverse("accounts:account"))
        return redirect("accounts:two-factor-recovery-codes")


@method_decorator(never_cache, name="dispatch")
class TwoFactorLinkView(View):
    """The set-up link a directory admin's reset emails (single use, expiring).

    The person signs in (password) and presses Continue: the link is spent, and this session
    may set up an authenticator app. The link is exempt from the two-factor middleware, since
    whoever opens it owes a second factor they do not have yet. GET changes nothing, so that a
    mail scanner opening the link does not spend it.
    """

    template_name = "accounts/two_factor_link.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.token = kwargs["token"]
        try:
            self.link = two_factor_link_get(token=self.token)
        except SetupLinkUnusable as error:
            return self.unusable(error)
        user = request.user
        if user.is_authenticated and user.pk != self.link.user_id:
            return self.unusable(SetupLinkForAnotherAccount())
        return super().dispatch(request, *args, **kwargs)

    def unusable(self, error: SetupLinkUnusable) -> HttpResponse:
        status = 410
        if isinstance(error, SetupLinkForAnotherAccount):
            status = 403
        elif isinstance(error, SetupLinkInvalid):
            status = 404
        return render(
            self.request,
            "accounts/two_factor_link_unusable.html",
            {"title": error.title, "message": error.message},
            status=status,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signed_in = request.user.is_authenticated
        context = {
            "title": "Set up two-factor authentication again",
            "signed_in": signed_in,
            "email": self.link.user.email,
            "sign_in_url": reverse("accounts:sign-in") + "?" + urlencode({"next": request.path}),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get(request, *args, **kwargs)
        try:
            two_factor_link_use(token=self.token, user=request.user)
        except SetupLinkUnusable as error:
            return self.unusable(error)
        two_factor.grant_setup_proof(request, request.user, "set-up link")
        return redirect("accounts:two-factor-setup")


class UserTwoFactorResetView(StaffPageMixin, TemplateView):
    """A directory admin resets someone's second factor: confirm (GET), then reset (POST),
    which removes their apps and recovery codes and emails them a set-up link."""

    permission_action = Action.MANAGE_USERS
    template_name = "accounts/two_factor_reset.html"

    @cached_property
    def person(self) -> Any:
        return get_object_or_404(get_user_model(), pk=self.kwargs["pk"])

    def get_title(self) -> str:
        return f"Reset two-factor authentication for {self.person.display_name}?"

    def _back(self) -> str:
        url = _next_url(self.request, "")
        return url or reverse("accounts:account")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.person.pk == request.user.pk:
            raise NotAllowed("You cannot reset your own two-factor authentication here")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            person=self.person,
            has_app=two_factor.has_device(self.person),
            codes_left=two_factor.recovery_codes_left(self.person),
            valid_hours=settings.PORTAL_TWO_FACTOR_LINK_HOURS,
            back_link=self._back(),
            next=_next_url(self.request, ""),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        two_factor_reset(user=self.person, actor=request.user)
        messages.success(
            request,
            f"Two-factor authentication for {self.person.email} has been reset. We have "
            "emailed them a link to set it up again",
        )
        return HttpResponseRedirect(self._back())

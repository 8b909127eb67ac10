"""Two-factor authentication (django-otp TOTP): who needs it, and the middleware that insists.

A password sign-in is only half a sign-in for someone who needs a second factor: until the session
is verified with a code from their authenticator app, every page sends them to set it up (no
device yet) or to enter a code (device set up). Who needs it:

- anyone who may assure, manage a partner's members, or is a directory admin (the policy says
  who: `accounts.policy`), when PORTAL_REQUIRE_2FA is on (the default);
- anyone who chose to set it up, whatever their role;
- except the demo accounts (@demo.example) while DEBUG is on, so a demo can be shown quickly.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.backends import is_demo_account
from accounts.policy import Action, is_directory_admin, user_can

# Pages a half-signed-in person may still reach: the two-factor pages themselves, signing out,
# and resetting a forgotten password.
EXEMPT_VIEWS = frozenset(
    {
        "accounts:two-factor-setup",
        "accounts:two-factor-verify",
        "accounts:sign-in",
        "accounts:sign-out",
        "accounts:password-reset",
        "accounts:password-reset-sent",
        "accounts:password-reset-confirm",
        "accounts:password-reset-complete",
    }
)


def two_factor_required(user: Any) -> bool:
    """Must this person use two-factor authentication, because of what they may do?"""
    if not getattr(user, "is_authenticated", False) or not settings.PORTAL_REQUIRE_2FA:
        return False
    if settings.DEBUG and is_demo_account(user):
        return False
    return (
        is_directory_admin(user)
        or user_can(user, Action.ASSURE)
        or user_can(user, Action.MANAGE_MEMBERS)
    )


def has_device(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_device(user, confirmed=True)


def is_verified(user: Any) -> bool:
    """Has this session passed the second factor (OTPMiddleware sets `is_verified`)?"""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending_step(user: Any) -> str | None:
    """What the signed-in person must do before any other page: 'verify', 'setup' or None."""
    if not getattr(user, "is_authenticated", False) or is_verified(user):
        return None
    if has_device(user):
        return "verify"
    if two_factor_required(user):
        return "setup"
    return None


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def pending_device(user: Any) -> TOTPDevice:
    """The device being set up: made unconfirmed on first use, so a reload keeps its secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


pending_device.alters_data = True


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # Drop the XML declaration; the markup goes inside the page.
    return svg[svg.index("<svg") :]


class TwoFactorMiddleware:
    """Sends a signed-in person who still owes a second factor to set-up or verify.

    Placed after OTPMiddleware (which knows whether the session is verified). Works on the
    resolved view, so that the exempt pages are named, not matched by path.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        step = pending_step(request.user)
        if step is None:
            return None
        url = reverse(
            "accounts:two-factor-verify" if step == "verify" else "accounts:two-factor-setup"
        )
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)

"""Two-factor authentication (django-otp TOTP): who needs it, and the middleware that insists.

A password sign-in is only half a sign-in for someone who needs a second factor: until the session
is verified with a code from their authenticator app, every page sends them to set it up (no
device yet) or to enter a code (device set up). Who needs it:

- anyone who may assure, manage a partner's members, or is a directory admin (the policy says
  who: `accounts.policy`), when PORTAL_REQUIRE_2FA is on (the default);
- anyone who chose to set it up, whatever their role;
- except the demo accounts (@demo.example) while DEBUG is on, so a demo can be shown quickly.

Setting up the first device of someone who owes it needs more than the password: whoever stole a
password could otherwise enrol their own phone. The session must carry a proof that the person
also holds the mailbox (`grant_setup_proof`), left by accepting an emailed invitation, using a
password-reset link, or using a set-up link a directory admin had emailed. People who do not owe
it may turn it on from a full sign-in, and replacing a device needs a verified session.

Recovery codes are django-otp static tokens. Each is kept as a keyed hash (`recovery_code_hash`),
so a copy of the database does not give anyone a way in; the codes themselves are shown once.
"""

from __future__ import annotations

import base64
import io
import secrets
import time
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.backends import is_demo_account
from accounts.policy import Action, is_directory_admin, user_can

# Pages a half-signed-in person may still reach: the two-factor pages themselves, signing out,
# and resetting a forgotten password.
EXEMPT_VIEWS = frozenset(
    {
        "accounts:two-factor-setup",
        "accounts:two-factor-verify",
        "accounts:two-factor-recovery",
        "accounts:two-factor-link",
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
    """Has this person an authenticator app set up? (Recovery codes alone do not count.)"""
    return bool(getattr(user, "is_authenticated", False)) and (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )


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


# --- the proof, beyond the password, that lets someone set up their first device ------------

SETUP_PROOF_SESSION_KEY = "accounts_two_factor_setup_proof"


def grant_setup_proof(request: HttpRequest, user: Any, how: str) -> None:
    """Note in the session that `user` has just proved they hold their mailbox (`how`: an
    invitation, a password-reset link, a set-up link). Signing in keeps it (Django's login only
    renews the session key); signing out drops it."""
    minutes = settings.PORTAL_TWO_FACTOR_PROOF_MINUTES
    request.session[SETUP_PROOF_SESSION_KEY] = {
        "user": str(user.pk),
        "how": how,
        "until": time.time() + minutes * 60,
    }


def setup_proof(request: HttpRequest, user: Any) -> str | None:
    """How `user` proved their mailbox in this session, if they did and it is still fresh."""
    proof = request.session.get(SETUP_PROOF_SESSION_KEY)
    if not isinstance(proof, dict) or proof.get("user") != str(getattr(user, "pk", "")):
        return None
    if not isinstance(proof.get("until"), int | float) or proof["until"] <= time.time():
        return None
    return str(proof.get("how") or "")


def spend_setup_proof(request: HttpRequest) -> None:
    request.session.pop(SETUP_PROOF_SESSION_KEY, None)


def may_set_up(request: HttpRequest) -> bool:
    """May the signed-in person see a new device's secret in this session?

    Replacing a device needs a verified session; a first device needs a proof beyond the
    password when the person owes two-factor authentication (see the module docstring).
    """
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return False
    if has_device(user):
        return is_verified(user)
    if is_verified(user) or not two_factor_required(user):
        return True
    return setup_proof(request, user) is not None


# --- recovery codes ---------------------------------------------------------------------------

RECOVERY_DEVICE_NAME = "Recovery codes"
# Lower case letters and digits, without the look-alikes (0/o, 1/l/i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
_RECOVERY_SALT = "accounts.two_factor.recovery_code"


def new_recovery_code() -> str:
    """A code to show once, like "k7fq2-m9xta" (about 50 random bits)."""
    code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def normalise_recovery_code(text: str) -> str:
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


def recovery_code_hash(code: str, *, secret: str | None = None) -> str:
    """What is stored for a code: a keyed hash (HMAC-SHA256 under SECRET_KEY), 16 hex digits to
    fit django-otp's token column. Without the key a stolen table cannot be tried offline; with
    64 bits the chance of guessing a stored value online is nil under the throttle."""
    key = secret if secret is not None else settings.SECRET_KEY
    digest = salted_hmac(
        _RECOVERY_SALT, normalise_recovery_code(code), secret=key, algorithm="sha256"
    )
    return digest.hexdigest()[:16]


def recovery_code_candidates(code: str) -> list[str]:
    """The stored values `code` may have: under the current key and any fallback key (so that
    rotating SECRET_KEY with SECRET_KEY_FALLBACKS does not void everyone's codes)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [recovery_code_hash(code, secret=key) for key in keys]


def recovery_device(user: Any) -> StaticDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()


def recovery_codes_left(user: Any) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device is not None else 0


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

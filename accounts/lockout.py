"""Login throttling with lock-out (django-axes), tied to the accounts audit log.

The policy (settings AXES_*, README "Accounts, roles and permissions"): after AXES_FAILURE_LIMIT
wrong passwords for one email address from one client address, that pair is locked out for
AXES_COOLOFF_TIME. Every failed sign-in is already audited (accounts.signals, on Django's
`user_login_failed`, which Django also sends for attempts refused during a lock-out); this module
adds one LOCKED_OUT entry when a lock-out starts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from accounts.models import AuditAction, normalise_email
from accounts.services import audit_record


def username_tried(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The email address a sign-in tried, as accounts store it (AXES_USERNAME_CALLABLE).

    Lower-cased, so that "Sam@Example.org" and "sam@example.org" count as one account's failures.
    """
    credentials = credentials or {}
    email = credentials.get("username") or credentials.get("email")
    if email is None and request is not None:
        email = request.POST.get("username") or request.POST.get("email")
    return normalise_email(email or "")


def cool_off(request: HttpRequest | None = None) -> timedelta | None:
    """How long a lock-out lasts (None: until an admin lifts it)."""
    return get_cool_off(request)


def describe_duration(delta: timedelta | None) -> str:
    """'15 minutes', '1 hour', '1 hour and 30 minutes' (None: 'until an administrator unlocks')."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'' if minutes == 1 else 's'}")
    return " and ".join(parts)


def _locked_out(sender, request: HttpRequest, username: str, ip_address: str, **kwargs) -> None:
    # axes signals on every refused attempt while the lock lasts; record the lock once, when the
    # failure that reached the limit is counted. (Later attempts are audited as failed sign-ins.)
    credentials = getattr(request, "axes_credentials", None)
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != get_failure_limit(request, credentials):
        return
    email = normalise_email(username or "")
    account = get_user_model().objects.filter(email=email).first() if email else None
    audit_record(
        action=AuditAction.LOCKED_OUT,
        actor_email=email,
        target=account,
        ip=ip_address,
        request=request,
        detail={
            "failures": failures,
            "locked_for": describe_duration(cool_off(request)) or "until unlocked",
        },
    )


def connect() -> None:
    user_locked_out.connect(_locked_out, dispatch_uid="accounts-audit-locked-out")

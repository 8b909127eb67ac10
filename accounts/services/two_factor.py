"""Two-factor authentication: set-up links, recovery codes, and an admin's reset of someone's
second factor (see accounts.two_factor for who owes it and how a session proves itself)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.exceptions import (
    NotAllowed,
    SetupLinkExpired,
    SetupLinkForAnotherAccount,
    SetupLinkInvalid,
    SetupLinkRevoked,
    SetupLinkUsed,
)
from accounts.models import AuditAction, TwoFactorSetupLink, hash_token
from accounts.policy import Action

from ._base import require
from .audit import audit_record


def two_factor_reset(*, user: Any, actor: Any) -> TwoFactorSetupLink:
    """A directory admin resets `user`'s second factor: their authenticator apps and recovery
    codes are deleted, and a single-use set-up link is emailed to them (after the commit).

    The admin never sees the link, so a reset cannot hand anyone else the account. Nobody may
    reset their own here: an admin who lost their phone asks another admin (or uses a code).
    Returns the link, carrying its token as `link.token` on this object only.
    """
    require(actor, Action.MANAGE_USERS)
    if actor.pk == user.pk:
        raise NotAllowed("You cannot reset your own two-factor authentication here")
    with transaction.atomic():
        apps = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        codes = StaticToken.objects.filter(device__user=user).count()
        StaticDevice.objects.filter(user=user).delete()
        link, token = _issue_link(user=user, actor=actor)
        audit_record(
            action=AuditAction.TWO_FACTOR_RESET,
            actor=actor,
            target=user,
            target_label=user.email,
            detail={
                "apps_removed": apps,
                "recovery_codes_removed": codes,
                "link_expires": link.expires_at,
            },
        )
        transaction.on_commit(lambda: _send(link.pk, token))
    link.token = token
    return link


def _issue_link(*, user: Any, actor: Any) -> tuple[TwoFactorSetupLink, str]:
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    # A new link supersedes the open one, so only the latest email works.
    TwoFactorSetupLink.objects.open().select_for_update().filter(user=user).update(
        revoked_at=now, updated_at=now
    )
    link = TwoFactorSetupLink(
        user=user,
        token_hash=hash_token(token),
        expires_at=now + timedelta(hours=settings.PORTAL_TWO_FACTOR_LINK_HOURS),
        issued_by=actor,
    )
    link.full_clean()
    link.save()
    return link, token


def _send(link_id: int, token: str) -> None:
    from accounts.emails import send_two_factor_link

    link = TwoFactorSetupLink.objects.select_related("user", "issued_by").get(pk=link_id)
    send_two_factor_link(link, token)


def two_factor_link_get(*, token: str) -> TwoFactorSetupLink:
    """The set-up link a token names, if it can still be used. Raises a SetupLink* error."""
    link = (
        TwoFactorSetupLink.objects.select_related("user")
        .filter(token_hash=hash_token(token))
        .first()
    )
    _check_usable(link)
    return link


def _check_usable(link: TwoFactorSetupLink | None) -> None:
    if link is None:
        raise SetupLinkInvalid()
    if link.is_used:
        raise SetupLinkUsed()
    if link.is_revoked:
        raise SetupLinkRevoked()
    if link.is_expired():
        raise SetupLinkExpired()


def two_factor_link_use(*, token: str, user: Any) -> TwoFactorSetupLink:
    """Spend a set-up link, signed in as the person it was sent to (once, before it expires).

    The caller then lets this session set up a device (`two_factor.grant_setup_proof`).
    """
    with transaction.atomic():
        link = (
            TwoFactorSetupLink.objects.select_for_update()
            .filter(token_hash=hash_token(token))
            .first()
        )
        _check_usable(link)
        if link.user_id != user.pk:
            raise SetupLinkForAnotherAccount()
        link.used_at = timezone.now()
        link.save(update_fields=["used_at", "updated_at"])
        audit_record(
            action=AuditAction.TWO_FACTOR_LINK_USED,
            actor=user,
            target=user,
            target_label=user.email,
            detail={"issued_by": link.issued_by_id},
        )
    return link


def recovery_codes_make(*, user: Any) -> list[str]:
    """New recovery codes for `user` (the old ones stop working); returns them, to show once.

    Only a keyed hash of each is stored. The device row is kept, so that a session verified
    with a recovery code stays verified.
    """
    codes = [two_factor.new_recovery_code() for _ in range(settings.PORTAL_RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.select_for_update().get_or_create(
            user=user, name=two_factor.RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=two_factor.recovery_code_hash(code)) for code in codes
        )
        audit_record(
            action=AuditAction.RECOVERY_CODES_MADE,
            actor=user,
            target=user,
            target_label=user.email,
            detail={"count": len(codes)},
        )
    return codes


def recovery_code_use(*, user: Any, code: str) -> StaticDevice | None:
    """Spend one of `user`'s recovery codes; the device to sign the session in with, or None.

    Wrong codes count towards django-otp's growing pause (the caller checks
    `device.verify_is_allowed()` first and says how long to wait).
    """
    with transaction.atomic():
        device = (
            StaticDevice.objects.select_for_update()
            .filter(user=user, name=two_factor.RECOVERY_DEVICE_NAME)
            .first()
        )
        if device is None or not device.verify_is_allowed()[0]:
            return None
        match = device.token_set.filter(token__in=two_factor.recovery_code_candidates(code)).first()
        if match is None:
            device.throttle_increment()
            return None
        match.delete()
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
        audit_record(
            action=AuditAction.RECOVERY_CODE_USED,
            actor=user,
            target=user,
            target_label=user.email,
            detail={"codes_left": device.token_set.count()},
        )
    return device

"""Invitations: a partner admin asks someone to join their partner with some roles."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import conf
from accounts.exceptions import (
    InvitationExpired,
    InvitationForAnotherAccount,
    InvitationInvalid,
    InvitationRevoked,
    InvitationUsed,
)
from accounts.models import (
    AuditAction,
    Invitation,
    Membership,
    Partner,
    Role,
    hash_token,
    normalise_email,
)
from accounts.policy import Action

from ._base import require
from .audit import audit_record
from .memberships import _forget, _join


def invitation_create(
    *, partner: Partner, email: str, roles: Iterable[str], actor: Any
) -> Invitation:
    """Invite `email` to `partner` with `roles`, emailing a single-use link that expires.

    An open invitation to the same address for the same partner is revoked (superseded). The
    returned invitation carries the token as `invitation.token`, on this object only: the
    database keeps a hash.
    """
    require(actor, Action.MANAGE_MEMBERS, partner)
    roles = sorted(set(roles))
    email = normalise_email(email)
    if not roles:
        raise ValidationError({"roles": "Select at least one role"})
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValidationError({"roles": f"Select a role from the list, not {', '.join(unknown)}"})
    held = set(
        Membership.objects.filter(partner=partner, user__email=email).values_list("role", flat=True)
    )
    if held and set(roles) <= held:
        raise ValidationError({"email": "This person already has these roles at this partner"})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        partner=partner,
        email=email,
        roles=roles,
        token_hash=hash_token(token),
        expires_at=timezone.now() + conf.invitation_valid_for(),
        invited_by=actor,
    )
    with transaction.atomic():
        superseded = list(
            Invitation.objects.open()
            .select_for_update()
            .filter(partner=partner, email=email)
            .values_list("pk", flat=True)
        )
        Invitation.objects.filter(pk__in=superseded).update(
            revoked_at=timezone.now(), updated_at=timezone.now()
        )
        invitation.full_clean()
        invitation.save()
        audit_record(
            action=AuditAction.INVITATION_SENT,
            actor=actor,
            target=invitation,
            target_label=email,
            partner=partner,
            detail={"email": email, "roles": roles, "superseded": superseded},
        )
        transaction.on_commit(lambda: _send(invitation.pk, token))
    invitation.token = token
    return invitation


def _send(invitation_id: int, token: str) -> None:
    from accounts.emails import send_invitation

    invitation = Invitation.objects.select_related("partner", "invited_by").get(pk=invitation_id)
    send_invitation(invitation, token)


def invitation_get(*, token: str) -> Invitation:
    """The invitation a link points to, if it can still be accepted (for the accept page).

    Raises InvitationInvalid, InvitationRevoked, InvitationUsed or InvitationExpired.
    """
    invitation = (
        Invitation.objects.select_related("partner").filter(token_hash=hash_token(token)).first()
    )
    _check_usable(invitation)
    return invitation


def _check_usable(invitation: Invitation | None) -> None:
    if invitation is None:
        raise InvitationInvalid()
    if invitation.is_used:
        raise InvitationUsed()
    if invitation.is_revoked:
        raise InvitationRevoked()
    if invitation.is_expired():
        raise InvitationExpired()


def invitation_accept(
    *,
    token: str,
    password: str | None = None,
    user: Any = None,
    first_name: str = "",
    last_name: str = "",
) -> Any:
    """Accept an invitation once: make the account if needed, add the roles, spend the token.

    A new address gets an account with `password` (checked by the password validators). An
    address that already has an account must be accepted by that account signed in (`user`),
    so nobody can take over an account with an invitation. Returns the user.
    Raises the Invitation* exceptions, or ValidationError for a weak password.
    """
    user_model = get_user_model()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("partner")
            .filter(token_hash=hash_token(token))
            .first()
        )
        _check_usable(invitation)
        existing = user_model.objects.filter(email=invitation.email).first()
        if user is not None and getattr(user, "is_authenticated", False):
            if user.email != invitation.email:
                raise InvitationForAnotherAccount(
                    "This invitation was sent to another email address. Sign out and open the "
                    "link again"
                )
            account = user
        elif existing is not None:
            raise InvitationForAnotherAccount()
        else:
            account = user_model(
                email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip()
            )
            if not password:
                raise ValidationError({"password": "Enter a password"})
            try:
                validate_password(password, user=account)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
            account.set_password(password)
            account.full_clean(exclude=["password"])
            account.save()
        for role in invitation.roles:
            membership, created = Membership.objects.get_or_create(
                partner=invitation.partner, user=account, role=role
            )
            if created:
                _join(membership)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = account
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit_record(
            action=AuditAction.INVITATION_ACCEPTED,
            actor=account,
            target=invitation,
            target_label=invitation.email,
            partner=invitation.partner,
            detail={"roles": invitation.roles, "new_account": existing is None},
        )
    _forget(account)
    return account


def invitation_revoke(*, invitation: Invitation, actor: Any) -> Invitation:
    """Withdraw an invitation that has not been accepted; its link stops working."""
    require(actor, Action.MANAGE_MEMBERS, invitation.partner)
    if invitation.is_used:
        raise InvitationUsed("This invitation has already been accepted")
    if invitation.is_revoked:
        return invitation
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            action=AuditAction.INVITATION_REVOKED,
            actor=actor,
            target=invitation,
            target_label=invitation.email,
            partner=invitation.partner,
        )
    return invitation

"""Who holds which role at which partner; group membership follows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accounts.models import AuditAction, Membership, Partner, Role
from accounts.policy import Action, clear_cache
from core.concurrency import check_version

from ._base import require
from .audit import audit_record
from .partners import partner_role_group


def _forget(user: Any) -> None:
    clear_cache(user)


def _join(membership: Membership) -> None:
    group = partner_role_group(partner=membership.partner, role=membership.role)
    membership.user.groups.add(group)


def _leave(membership: Membership) -> None:
    group = partner_role_group(partner=membership.partner, role=membership.role)
    membership.user.groups.remove(group)


def membership_add(*, partner: Partner, user: Any, role: str, actor: Any) -> Membership:
    """Give `user` a role at `partner`. Partner admins of that partner and directory admins may."""
    require(actor, Action.MANAGE_MEMBERS, partner)
    membership = Membership(partner=partner, user=user, role=role)
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        _join(membership)
        audit_record(
            action=AuditAction.MEMBERSHIP_ADDED,
            actor=actor,
            target=user,
            partner=partner,
            detail={"role": role},
        )
    _forget(user)
    return membership


def membership_change_role(*, membership: Membership, role: str, actor: Any) -> Membership:
    """Change the role a membership gives; the person moves from one role group to the other."""
    require(actor, Action.MANAGE_MEMBERS, membership.partner)
    before = membership.role
    if role == before:
        return membership
    membership.role = role
    membership.full_clean()
    with transaction.atomic():
        membership.save(update_fields=["role", "updated_at"])
        user, partner = membership.user, membership.partner
        user.groups.remove(partner_role_group(partner=partner, role=before))
        user.groups.add(partner_role_group(partner=partner, role=role))
        audit_record(
            action=AuditAction.MEMBERSHIP_ROLE_CHANGED,
            actor=actor,
            target=membership.user,
            partner=membership.partner,
            detail={"from": before, "to": role},
        )
    _forget(membership.user)
    return membership


def membership_remove(*, membership: Membership, actor: Any) -> None:
    """Take a role away from a person; their other roles stay."""
    require(actor, Action.MANAGE_MEMBERS, membership.partner)
    with transaction.atomic():
        _leave(membership)
        audit_record(
            action=AuditAction.MEMBERSHIP_REMOVED,
            actor=actor,
            target=membership.user,
            partner=membership.partner,
            detail={"role": membership.role},
        )
        membership.delete()
    _forget(membership.user)


def member_roles_state(*, partner: Partner, user: Any) -> dict[str, Any]:
    """What the roles form shows of a member, for its version (core.concurrency)."""
    roles = Membership.objects.filter(partner=partner, user=user).values_list("role", flat=True)
    return {"roles": sorted(roles)}


def membership_set_roles(
    *, partner: Partner, user: Any, roles: Iterable[str], actor: Any, expected_version: str = ""
) -> list[Membership]:
    """Make `user`'s roles at `partner` exactly `roles` (a checkbox form); an empty set removes
    them from the partner. Returns the memberships left, one per role.

    The person's row is locked first, so two admins changing their roles at once take turns;
    with `expected_version`, roles someone else changed since raise StaleEdit."""
    require(actor, Action.MANAGE_MEMBERS, partner)
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        type(user).objects.select_for_update().filter(pk=user.pk).first()
        check_version(expected_version, member_roles_state(partner=partner, user=user))
        current = {m.role: m for m in Membership.objects.filter(partner=partner, user=user)}
        for role in sorted(current.keys() - wanted):
            membership_remove(membership=current.pop(role), actor=actor)
        for role in sorted(wanted - current.keys()):
            current[role] = membership_add(partner=partner, user=user, role=role, actor=actor)
    return [current[role] for role in sorted(current)]


def user_set_directory_admin(*, user: Any, is_directory_admin: bool, actor: Any) -> Any:
    """Give or take the site-wide directory admin role; only directory admins may."""
    require(actor, Action.MANAGE_PARTNERS)
    if user.is_directory_admin == is_directory_admin:
        return user
    with transaction.atomic():
        user.is_directory_admin = is_directory_admin
        user.save(update_fields=["is_directory_admin", "updated_at"])
        audit_record(
            action=AuditAction.DIRECTORY_ADMIN_CHANGED,
            actor=actor,
            target=user,
            detail={"is_directory_admin": is_directory_admin},
        )
    _forget(user)
    return user

"""Partners and their role groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.text import slugify

from accounts.models import AuditAction, Partner, PartnerGroup, Role
from accounts.models import permissions as perms
from accounts.policy import Action
from core.concurrency import check_version
from directory.models import Organization

from ._base import apply_changes, require
from .allocation import queue_allocation_recompute
from .audit import audit_record

# Which fields partner_update may change; the ones marked change who edits or assures what.
PARTNER_FIELDS = ("name", "slug", "kind", "can_self_assure", "is_active")
PERMISSION_FIELDS = {"can_self_assure", "is_active"}


def partner_role_group(*, partner: Partner, role: str) -> Group:
    """The auth group of one role of a partner, made if missing."""
    link = PartnerGroup.objects.filter(partner=partner, role=role).select_related("group").first()
    if link is not None:
        return link.group
    group, _ = Group.objects.get_or_create(name=PartnerGroup.group_name(partner, role))
    PartnerGroup.objects.create(partner=partner, role=role, group=group)
    if role == Role.FRONTLINE_WORKER:
        # Frontline workers may suggest changes to any service: a model-wide permission, so that
        # Django's own checks (the admin, DRF model permissions) agree with accounts.policy.
        group.permissions.add(
            Permission.objects.get(content_type__app_label="directory", codename=perms.SUGGEST)
        )
    return group


partner_role_group.alters_data = True


def partner_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    slug: str = "",
    organizations: Iterable[Organization] = (),
    can_self_assure: bool = False,
    is_active: bool = True,
) -> Partner:
    """Create a partner with a group for each role; only directory admins may."""
    require(actor, Action.MANAGE_PARTNERS)
    partner = Partner(
        name=name.strip(),
        slug=slug or slugify(name)[:100],
        kind=kind,
        can_self_assure=can_self_assure,
        is_active=is_active,
    )
    partner.full_clean()
    organizations = list(organizations)
    with transaction.atomic():
        partner.save()
        for role in Role.values:
            partner_role_group(partner=partner, role=role)
        if organizations:
            partner.organizations.set(organizations)
            queue_allocation_recompute(everything=True, actor=actor)
        audit_record(
            action=AuditAction.PARTNER_CREATED,
            actor=actor,
            target=partner,
            partner=partner,
            detail={
                "kind": partner.kind,
                "can_self_assure": partner.can_self_assure,
                "organizations": [str(o.pk) for o in organizations],
            },
        )
    return partner


def partner_state(partner: Partner) -> dict[str, Any]:
    """What a partner form shows of a partner, for its version (core.concurrency)."""
    return {
        **{name: getattr(partner, name) for name in PARTNER_FIELDS},
        "organizations": sorted(map(str, partner.organizations.values_list("pk", flat=True))),
    }


def partner_update(
    *,
    partner: Partner,
    actor: Any,
    data: dict[str, Any],
    organizations: Iterable[Organization] | None = None,
    expected_version: str = "",
) -> Partner:
    """Change a partner's fields (`data`, any of PARTNER_FIELDS) and/or the organisations it runs.

    The partner is read again under a row lock, so the audit entry's "from" values are what was
    really replaced; with `expected_version` (the version the form was loaded from) a partner
    someone else saved since raises StaleEdit and nothing is written.

    Changing the organisations, self-assurance or whether the partner is active recomputes every
    service's permissions in the background task.
    """
    require(actor, Action.MANAGE_PARTNERS)
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        check_version(expected_version, partner_state(partner))
        changes = apply_changes(partner, data, PARTNER_FIELDS)
        partner.full_clean()
        partner.save()
        if organizations is not None:
            before = set(partner.organizations.values_list("pk", flat=True))
            after = {o.pk for o in organizations}
            if before != after:
                partner.organizations.set(list(organizations))
                changes["organizations"] = (
                    sorted(str(pk) for pk in before),
                    sorted(str(pk) for pk in after),
                )
        if changes.keys() & (PERMISSION_FIELDS | {"organizations"}):
            queue_allocation_recompute(everything=True, actor=actor)
        if changes:
            audit_record(
                action=AuditAction.PARTNER_UPDATED,
                actor=actor,
                target=partner,
                partner=partner,
                detail={"changes": {k: {"from": b, "to": a} for k, (b, a) in changes.items()}},
            )
    return partner

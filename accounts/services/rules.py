"""Allocation rules: which partner assures which services."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from accounts.models import AllocationRule, AuditAction, Partner, ServiceAllocation
from accounts.policy import Action
from directory.models import Service, TaxonomyTerm

from ._base import apply_changes, require
from .allocation import queue_allocation_recompute
from .audit import audit_record

RULE_FIELDS = (
    "partner",
    "kind",
    "taxonomy_term",
    "local_authority_code",
    "postcode_districts",
    "service_area_name",
    "service",
    "position",
    "is_active",
)
POSITION_STEP = 10


def _rule_detail(rule: AllocationRule) -> dict[str, Any]:
    return {
        "partner": rule.partner.name,
        "kind": rule.kind,
        "covers": rule.describe(),
        "position": rule.position,
        "is_active": rule.is_active,
    }


def rule_create(
    *,
    actor: Any,
    partner: Partner,
    kind: str,
    taxonomy_term: TaxonomyTerm | None = None,
    local_authority_code: str = "",
    postcode_districts: str = "",
    service_area_name: str = "",
    service: Service | None = None,
    position: int | None = None,
    is_active: bool = True,
) -> AllocationRule:
    """Add a rule (last, unless `position` says otherwise); permissions follow in the background."""
    require(actor, Action.MANAGE_RULES)
    if position is None:
        last = AllocationRule.objects.aggregate(last=models.Max("position"))["last"]
        position = (last or 0) + POSITION_STEP
    rule = AllocationRule(
        partner=partner,
        kind=kind,
        taxonomy_term=taxonomy_term,
        local_authority_code=local_authority_code,
        postcode_districts=postcode_districts,
        service_area_name=service_area_name,
        service=service,
        position=position,
        is_active=is_active,
    )
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        audit_record(
            action=AuditAction.RULE_CREATED,
            actor=actor,
            target=rule,
            target_label=str(rule),
            partner=partner,
            detail=_rule_detail(rule),
        )
        queue_allocation_recompute(everything=True, actor=actor)
    return rule


def rule_update(*, rule: AllocationRule, actor: Any, data: dict[str, Any]) -> AllocationRule:
    """Change a rule's fields (`data`, any of RULE_FIELDS); permissions follow in the background."""
    require(actor, Action.MANAGE_RULES)
    changes = apply_changes(rule, data, RULE_FIELDS)
    if not changes:
        return rule
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        audit_record(
            action=AuditAction.RULE_UPDATED,
            actor=actor,
            target=rule,
            target_label=str(rule),
            partner=rule.partner,
            detail={
                **_rule_detail(rule),
                "changes": {k: {"from": b, "to": a} for k, (b, a) in changes.items()},
            },
        )
        queue_allocation_recompute(everything=True, actor=actor)
    return rule


def rule_delete(*, rule: AllocationRule, actor: Any) -> None:
    """Delete a rule. Its services stay with the partner until the background recompute moves
    them to the next matching rule, or leaves them unallocated."""
    require(actor, Action.MANAGE_RULES)
    with transaction.atomic():
        audit_record(
            action=AuditAction.RULE_DELETED,
            actor=actor,
            target=rule,
            target_label=str(rule),
            partner=rule.partner,
            detail=_rule_detail(rule),
        )
        rule.delete()
        queue_allocation_recompute(everything=True, actor=actor)


def rule_reorder(*, rules: Sequence[AllocationRule], actor: Any) -> list[AllocationRule]:
    """Put rules in this order (first wins). Rules left out keep their order, after these."""
    require(actor, Action.MANAGE_RULES)
    listed = [rule.pk for rule in rules]
    if len(set(listed)) != len(listed):
        raise ValueError("A rule is listed twice")
    with transaction.atomic():
        everything = list(AllocationRule.objects.select_for_update().in_order())
        by_pk = {rule.pk: rule for rule in everything}
        missing = [pk for pk in listed if pk not in by_pk]
        if missing:
            raise ValueError(f"No rules with ids {missing}")
        ordered = [by_pk[pk] for pk in listed] + [r for r in everything if r.pk not in set(listed)]
        before = [rule.pk for rule in everything]
        for index, rule in enumerate(ordered, start=1):
            rule.position = index * POSITION_STEP
        AllocationRule.objects.bulk_update(ordered, ["position"])
        if before != [rule.pk for rule in ordered]:
            audit_record(
                action=AuditAction.RULES_REORDERED,
                actor=actor,
                target_label="Allocation rules",
                detail={"from": before, "to": [rule.pk for rule in ordered]},
            )
            queue_allocation_recompute(everything=True, actor=actor)
    return ordered


@dataclass
class RulePreview:
    """What a rule would do if saved as it stands, against today's allocation."""

    rule: AllocationRule
    matched: int = 0  # services the rule matches at all
    services: int = 0  # of those, services it would allocate (no earlier rule claims them)
    taken_from_other: int = 0  # of those, now allocated to another partner
    taken_from: dict[str, int] = field(default_factory=dict)  # partner name -> services
    newly_allocated: int = 0  # of those, now unallocated
    shadowed: int = 0  # matched but claimed by an earlier rule
    released: int = 0  # services the saved rule allocates today that it would no longer

    @property
    def summary(self) -> str:
        services = f"{self.services} service{'' if self.services == 1 else 's'}"
        text = f"This rule gives {self.rule.partner.name} {services}"
        if self.taken_from_other:
            text += f", {self.taken_from_other} of them taken from another partner"
        return text + "."


def rule_preview(*, rule: AllocationRule) -> RulePreview:
    """Preview a rule, saved or not, as if it were active: "this rule gives Hull CVS 42 services,
    3 of them taken from another partner". A handful of queries, whatever the number of services.
    """
    earlier = [
        other
        for other in AllocationRule.objects.in_force().exclude(pk=rule.pk)
        if (other.position, other.pk) < (rule.position, rule.pk or float("inf"))
    ]
    matched = rule.matching_services().order_by()
    gains = matched
    if earlier:
        gains = matched.exclude(
            functools.reduce(operator.or_, (other.service_condition() for other in earlier))
        )
    preview = RulePreview(rule=rule)
    preview.matched = matched.count()
    preview.services = gains.count()
    preview.shadowed = preview.matched - preview.services
    preview.newly_allocated = gains.filter(allocation__isnull=True).count()
    taken = (
        ServiceAllocation.objects.filter(service__in=gains)
        .exclude(partner=rule.partner_id)
        .values_list("partner__name")
        .annotate(n=models.Count("pk"))
        .order_by("partner__name")
    )
    preview.taken_from = dict(taken)
    preview.taken_from_other = sum(preview.taken_from.values())
    if rule.pk:
        preview.released = (
            ServiceAllocation.objects.filter(rule=rule).exclude(service__in=gains).count()
        )
    return preview

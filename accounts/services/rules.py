"""Allocation rules: which partner assures which services."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from accounts.models import (
    AllocationRule,
    AuditAction,
    Partner,
    RuleKind,
    ServiceAllocation,
    ServiceFacts,
)
from accounts.policy import Action
from core.concurrency import check_version
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


def rule_placement(*, kind: str, service: Service | None) -> AllocationRule | None:
    """The rule a new rule goes before (None: it goes last).

    A rule for one service goes before the first rule, active or not, that covers that service,
    so that it decides the service now and still does if a broader rule is switched back on.
    Raises ValidationError if the service has a rule of its own already (change that instead).
    """
    if kind != RuleKind.SERVICE or service is None:
        return None
    rules = list(AllocationRule.objects.select_related("partner", "taxonomy_term").in_order())
    for number, rule in enumerate(rules, start=1):
        if rule.kind == RuleKind.SERVICE and rule.service_id == service.pk:
            state = "" if rule.is_active and rule.partner.is_active else ", not in force"
            raise ValidationError(
                {
                    "service": f"{service.name} already has a rule of its own (rule {number}, "
                    f"for {rule.partner.name}{state}). Change that rule instead"
                }
            )
    facts = ServiceFacts.load(service.pk)
    return next((rule for rule in rules if rule.matches(facts)), None)


def _renumber(rules: list[AllocationRule]) -> None:
    for index, rule in enumerate(rules, start=1):
        rule.position = index * POSITION_STEP
    AllocationRule.objects.bulk_update(rules, ["position"])


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
    """Add a rule; permissions follow in the background.

    The rule goes last unless `position` says otherwise, except that a rule for one service goes
    before every rule that covers that service (`rule_placement`), so that it takes effect.
    """
    require(actor, Action.MANAGE_RULES)
    rule = AllocationRule(
        partner=partner,
        kind=kind,
        taxonomy_term=taxonomy_term,
        local_authority_code=local_authority_code,
        postcode_districts=postcode_districts,
        service_area_name=service_area_name,
        service=service,
        position=position or 0,
        is_active=is_active,
    )
    rule.full_clean()
    with transaction.atomic():
        before = None
        if position is None:
            # Locks the rules, so that two rules added at once cannot take the same place.
            everything = list(AllocationRule.objects.select_for_update().in_order())
            before = rule_placement(kind=kind, service=service)
            if before is None:
                last = everything[-1].position if everything else 0
                rule.position = last + POSITION_STEP
        rule.save()
        if before is not None:
            everything.insert([r.pk for r in everything].index(before.pk), rule)
            _renumber(everything)
        detail = _rule_detail(rule)
        if before is not None:
            detail["placed_before"] = str(before)
        audit_record(
            action=AuditAction.RULE_CREATED,
            actor=actor,
            target=rule,
            target_label=str(rule),
            partner=partner,
            detail=detail,
        )
        queue_allocation_recompute(everything=True, actor=actor)
    return rule


def rule_state(rule: AllocationRule) -> dict[str, Any]:
    """What a rule form shows of a rule, for its version (core.concurrency)."""
    return {name: getattr(rule, rule._meta.get_field(name).attname) for name in RULE_FIELDS}


def rule_update(
    *, rule: AllocationRule, actor: Any, data: dict[str, Any], expected_version: str = ""
) -> AllocationRule:
    """Change a rule's fields (`data`, any of RULE_FIELDS); permissions follow in the background.

    The rule is read again under a row lock (the audit entry's "from" values are what was really
    replaced); with `expected_version`, a rule someone else saved since raises StaleEdit."""
    require(actor, Action.MANAGE_RULES)
    with transaction.atomic():
        rule = AllocationRule.objects.select_for_update().get(pk=rule.pk)
        check_version(expected_version, rule_state(rule))
        changes = apply_changes(rule, data, RULE_FIELDS)
        if not changes:
            return rule
        rule.full_clean()
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
    placed_before: AllocationRule | None = None  # where a new rule goes (None: its position)

    @property
    def summary(self) -> str:
        services = f"{self.services} service{'' if self.services == 1 else 's'}"
        text = f"This rule gives {self.rule.partner.name} {services}"
        if self.taken_from_other:
            text += f", {self.taken_from_other} of them taken from another partner"
        return text + "."


def rule_preview(*, rule: AllocationRule, before: AllocationRule | None = None) -> RulePreview:
    """Preview a rule, saved or not, as if it were active: "this rule gives Hull CVS 42 services,
    3 of them taken from another partner". A handful of queries, whatever the number of services.

    `before` is the rule a new rule would be placed before (see `rule_placement`); without it
    the rule's own position counts.
    """
    place = (before.position, before.pk) if before else (rule.position, rule.pk or float("inf"))
    earlier = [
        other
        for other in AllocationRule.objects.in_force().exclude(pk=rule.pk)
        if (other.position, other.pk) < place
    ]
    matched = rule.matching_services().order_by()
    gains = matched
    if earlier:
        gains = matched.exclude(
            functools.reduce(operator.or_, (other.service_condition() for other in earlier))
        )
    preview = RulePreview(rule=rule, placed_before=before)
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

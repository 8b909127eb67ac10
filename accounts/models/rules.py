from __future__ import annotations

import functools
import operator
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Left, Length, Replace, Upper

from core.models import TimestampedModel
from directory.models import (
    Address,
    Attribute,
    LinkEntity,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

from .partners import Partner

GSS_CODE = re.compile(r"^[EWSN]\d{8}$")
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


def parse_postcode_districts(text: str) -> list[str]:
    """'hu5, HU6 hu7' -> ['HU5', 'HU6', 'HU7'] (order kept, duplicates dropped)."""
    seen: dict[str, None] = {}
    for part in re.split(r"[\s,;]+", (text or "").upper()):
        if part:
            seen.setdefault(part, None)
    return list(seen)


def postcode_district(postcode: str) -> str:
    """The outward code of a UK postcode: 'HU5 3AB' -> 'HU5'."""
    compact = (postcode or "").replace(" ", "").upper()
    return compact[:-3] if len(compact) > 3 else ""


def _address_district():
    """`postcode_district` in SQL, so that rules match addresses set-wise on both databases."""
    compact = Upper(Replace("postal_code", models.Value(" "), models.Value("")))
    return Left(compact, Length(compact) - 3)


@dataclass(frozen=True)
class ServiceFacts:
    """What the rules look at in one service, loaded in four queries (see `AllocationRule.matches`).

    The bulk recompute matches rules in SQL (`service_id_querysets`); one service is matched in
    Python against these facts, which is much cheaper than compiling every rule's query. The two
    must agree; tests compare them.
    """

    service_id: Any
    term_paths: frozenset[str] = frozenset()
    local_authority_codes: frozenset[str] = frozenset()
    postcode_districts: frozenset[str] = frozenset()
    area_names: frozenset[str] = frozenset()  # upper-cased, as SQL's iexact compares

    @classmethod
    def load(cls, service_id: Any, using: str = "default") -> ServiceFacts:
        located = ServiceAtLocation.objects.using(using).filter(service_id=service_id)
        areas = list(
            ServiceArea.objects.using(using)
            .filter(service_id=service_id)
            .values_list("name", "local_authority_code")
        )
        return cls(
            service_id=service_id,
            term_paths=frozenset(
                Attribute.objects.using(using)
                .filter(link_entity=LinkEntity.SERVICE, link_id=service_id)
                .values_list("taxonomy_term__path", flat=True)
            ),
            local_authority_codes=frozenset(
                code
                for code in located.values_list("location__local_authority_code", flat=True)
                if code
            )
            | frozenset(code for _, code in areas if code),
            postcode_districts=frozenset(
                district
                for district in map(
                    postcode_district,
                    Address.objects.using(using)
                    .filter(location_id__in=located.values("location_id"))
                    .values_list("postal_code", flat=True),
                )
                if district
            ),
            area_names=frozenset(name.upper() for name, _ in areas if name),
        )


class RuleKind(models.TextChoices):
    SERVICE_TYPE = "service_type", "By service type"
    LOCAL_AUTHORITY = "local_authority", "By local authority"
    POSTCODE_DISTRICTS = "postcode_districts", "By postcode districts"
    SERVICE_AREA = "service_area", "By named service area"
    SERVICE = "service", "One service"


# Which target field each kind uses; the others stay empty.
KIND_FIELDS = {
    RuleKind.SERVICE_TYPE: "taxonomy_term",
    RuleKind.LOCAL_AUTHORITY: "local_authority_code",
    RuleKind.POSTCODE_DISTRICTS: "postcode_districts",
    RuleKind.SERVICE_AREA: "service_area_name",
    RuleKind.SERVICE: "service",
}


def _target_matches_kind() -> models.Q:
    """Each kind fills its own target field and leaves the others empty."""
    empty = {
        "taxonomy_term": models.Q(taxonomy_term__isnull=True),
        "local_authority_code": models.Q(local_authority_code=""),
        "postcode_districts": models.Q(postcode_districts=""),
        "service_area_name": models.Q(service_area_name=""),
        "service": models.Q(service__isnull=True),
    }
    clauses = []
    for kind, target in KIND_FIELDS.items():
        clause = models.Q(kind=kind) & ~empty[target]
        for field, is_empty in empty.items():
            if field != target:
                clause &= is_empty
        clauses.append(clause)
    return functools.reduce(operator.or_, clauses)


class AllocationRuleQuerySet(models.QuerySet["AllocationRule"]):
    def in_order(self) -> AllocationRuleQuerySet:
        """Resolution order: lower position first; the older rule wins a tie."""
        return self.order_by("position", "id")

    def in_force(self) -> AllocationRuleQuerySet:
        """Active rules of active partners, in resolution order, ready to match services."""
        return (
            self.filter(is_active=True, partner__is_active=True)
            .select_related("partner", "taxonomy_term")
            .in_order()
        )

    def for_partner(self, partner: Partner) -> AllocationRuleQuerySet:
        return self.filter(partner=partner)


class AllocationRule(TimestampedModel):
    """Gives a partner the duty to assure the services it matches.

    For each service, the first active rule (by `position`) that matches decides its assuring
    partner; a service no rule matches is unallocated (only directory admins may assure it).
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=30, choices=RuleKind.choices)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocation_rules",
        verbose_name="service type",
        help_text="The rule covers this term and every term under it.",
    )
    local_authority_code = models.CharField(
        max_length=9, blank=True, help_text="ONS GSS code, e.g. E06000010"
    )
    postcode_districts = models.CharField(
        max_length=500, blank=True, help_text="Comma-separated outward codes, e.g. HU5,HU6"
    )
    service_area_name = models.CharField(max_length=500, blank=True)
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="allocation_rules",
    )
    position = models.PositiveIntegerField(default=0, db_index=True)
    is_active = models.BooleanField("active", default=True)

    objects = AllocationRuleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=RuleKind.values), name="allocation_rule_kind_valid"
            ),
            models.CheckConstraint(
                condition=_target_matches_kind(), name="allocation_rule_target_matches_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.describe()}"

    def describe(self) -> str:
        """What the rule covers, in a phrase for lists and audit entries."""
        if self.kind == RuleKind.SERVICE_TYPE:
            name = self.taxonomy_term.name if self.taxonomy_term_id else "?"
            return f"service type {name} and the types under it"
        if self.kind == RuleKind.LOCAL_AUTHORITY:
            return f"local authority {self.local_authority_code}"
        if self.kind == RuleKind.POSTCODE_DISTRICTS:
            return f"postcode districts {', '.join(self.district_list)}"
        if self.kind == RuleKind.SERVICE_AREA:
            return f"service area {self.service_area_name}"
        return f"the service {self.service.name if self.service_id else '?'}"

    @property
    def district_list(self) -> list[str]:
        return parse_postcode_districts(self.postcode_districts)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        target = KIND_FIELDS.get(self.kind)
        for kind, field in KIND_FIELDS.items():
            if field == target:
                continue
            value = getattr(self, f"{field}_id" if field in ("taxonomy_term", "service") else field)
            if value:
                errors[field] = f"Leave this empty for a rule {RuleKind(kind).label.lower()}"
        if self.kind == RuleKind.SERVICE_TYPE and not self.taxonomy_term_id:
            errors["taxonomy_term"] = "Select a service type"
        elif self.kind == RuleKind.LOCAL_AUTHORITY:
            self.local_authority_code = self.local_authority_code.strip().upper()
            if not GSS_CODE.match(self.local_authority_code):
                errors["local_authority_code"] = (
                    "Enter a local authority code like E06000010 (a letter and 8 digits)"
                )
        elif self.kind == RuleKind.POSTCODE_DISTRICTS:
            districts = parse_postcode_districts(self.postcode_districts)
            bad = [d for d in districts if not POSTCODE_DISTRICT.match(d)]
            if not districts:
                errors["postcode_districts"] = "Enter at least one postcode district, like HU5"
            elif bad:
                errors["postcode_districts"] = (
                    f"Enter postcode districts like HU5 or HU10, not {', '.join(bad)}"
                )
            else:
                self.postcode_districts = ",".join(districts)
        elif self.kind == RuleKind.SERVICE_AREA:
            self.service_area_name = self.service_area_name.strip()
            if not self.service_area_name:
                errors["service_area_name"] = "Enter the name of the service area"
        elif self.kind == RuleKind.SERVICE and not self.service_id:
            errors["service"] = "Select a service"
        if errors:
            raise ValidationError(errors)

    def service_id_querysets(self, within: Collection | None = None) -> list[models.QuerySet]:
        """Querysets of service ids (one column; an id may repeat) that together are the services
        this rule covers, whether or not an earlier rule claims them first.

        `within` (service ids) is pushed into each query, so asking about one service costs a few
        index lookups; without it each query matches a whole table in one pass. The bulk
        recompute, the one-service recompute and the preview all use these queries, so they
        cannot disagree. Attribute ids are not constrained to existing services: callers
        intersect with real services.
        """
        if self.kind == RuleKind.SERVICE_TYPE:
            sources = [
                (
                    Attribute.objects.filter(
                        link_entity=LinkEntity.SERVICE,
                        taxonomy_term__path__startswith=self.taxonomy_term.path,
                    ),
                    "link_id",
                )
            ]
        elif self.kind == RuleKind.LOCAL_AUTHORITY:
            code = self.local_authority_code
            sources = [
                (
                    ServiceAtLocation.objects.filter(location__local_authority_code=code),
                    "service_id",
                ),
                (ServiceArea.objects.filter(local_authority_code=code), "service_id"),
            ]
        elif self.kind == RuleKind.POSTCODE_DISTRICTS:
            addresses = Address.objects.annotate(district=_address_district()).filter(
                district__in=self.district_list
            )
            sources = [
                (
                    ServiceAtLocation.objects.filter(
                        location_id__in=addresses.values("location_id")
                    ),
                    "service_id",
                )
            ]
        elif self.kind == RuleKind.SERVICE_AREA:
            sources = [
                (ServiceArea.objects.filter(name__iexact=self.service_area_name), "service_id")
            ]
        elif self.kind == RuleKind.SERVICE:
            sources = [(Service.objects.filter(pk=self.service_id), "pk")]
        else:
            raise ValueError(f"Unknown rule kind {self.kind!r}")
        querysets = []
        for queryset, column in sources:
            if within is not None:
                queryset = queryset.filter(**{f"{column}__in": list(within)})
            querysets.append(queryset.order_by().values_list(column, flat=True))
        return querysets

    def matches(self, facts: ServiceFacts) -> bool:
        """Does this rule cover the service these facts describe? (`service_id_querysets` in
        Python, for one service.)"""
        if self.kind == RuleKind.SERVICE_TYPE:
            prefix = self.taxonomy_term.path
            return any(path.startswith(prefix) for path in facts.term_paths)
        if self.kind == RuleKind.LOCAL_AUTHORITY:
            return self.local_authority_code in facts.local_authority_codes
        if self.kind == RuleKind.POSTCODE_DISTRICTS:
            return not facts.postcode_districts.isdisjoint(self.district_list)
        if self.kind == RuleKind.SERVICE_AREA:
            return self.service_area_name.upper() in facts.area_names
        if self.kind == RuleKind.SERVICE:
            return self.service_id == facts.service_id
        raise ValueError(f"Unknown rule kind {self.kind!r}")

    def service_condition(self) -> models.Q:
        """A condition on `Service` (or on anything whose pk is a service id) for this rule."""
        return functools.reduce(
            operator.or_, (models.Q(pk__in=qs) for qs in self.service_id_querysets())
        )

    def matching_services(self):
        """Every service the rule matches, whether or not an earlier rule claims it first."""
        return Service.objects.filter(self.service_condition())


class ServiceAllocationQuerySet(models.QuerySet["ServiceAllocation"]):
    def for_partner(self, partner: Partner) -> ServiceAllocationQuerySet:
        return self.filter(partner=partner)


class ServiceAllocation(TimestampedModel):
    """The partner that assures a service, as the rules resolve today (derived; never edited).

    Kept up to date by `accounts.services.allocation_recompute_service` and
    `allocation_recompute_all`; a service no rule matches has no row.
    """

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, primary_key=True, related_name="allocation"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="allocations")
    # Kept when the rule is deleted, so the service stays allocated until the recompute runs.
    rule = models.ForeignKey(
        AllocationRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocations",
    )

    objects = ServiceAllocationQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "service"]

    def __str__(self) -> str:
        return f"{self.service_id} assured by {self.partner}"

"""Allocation: which partner assures each service, and the object permissions that follow.

The rules (`AllocationRule`) and ownership (`Partner.organizations`) are the truth; the
`ServiceAllocation` rows and the partner role groups' `ServiceGroupObjectPermission` rows for
the derived codenames are computed from them and never edited by hand:

- the allocated partner's assurer group: assure, change, view draft;
- the provider editor group of each active partner running the service's organisation: change,
  view draft, submit, and assure when the partner may self-assure.

One service is recomputed as soon as a change to it commits (signals in `accounts.signals`);
everything is recomputed by the `accounts.tasks.recompute_all_allocations` task when a rule or a
partner changes, set-wise: a few queries per rule, and a fixed number for the permission rows,
however many services there are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models import Value
from django.db.models.constants import OnConflict
from django.dispatch import Signal
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts import conf
from accounts.exceptions import NotAllowed
from accounts.models import (
    AllocationRule,
    AuditAction,
    PartnerGroup,
    Role,
    ServiceAllocation,
    ServiceFacts,
    ServiceGroupObjectPermission,
)
from accounts.models import permissions as perms
from accounts.policy import Action, user_can
from core.models import BackgroundTask
from core.services import enqueue
from directory.models import Service, ServiceAtLocation

from .audit import audit_record

logger = logging.getLogger(__name__)

# The role groups whose per-service rows the allocation owns (and may delete and rewrite).
MANAGED_ROLES = (Role.ASSURER, Role.PROVIDER_EDITOR)
ASSURER_CODENAMES = (perms.ASSURE, perms.CHANGE, perms.VIEW_DRAFT)
PROVIDER_CODENAMES = (perms.CHANGE, perms.VIEW_DRAFT, perms.SUBMIT)


@dataclass
class RecomputeReport:
    """What a full recompute did; the task returns it as a dict."""

    services: int = 0
    rules: int = 0
    allocated: int = 0
    unallocated: int = 0
    newly_allocated: int = 0
    reallocated: int = 0
    released: int = 0
    permission_rows_deleted: int = 0
    permission_rows_written: int = 0
    rows_by_codename: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# --- the derivation, shared by the single-service and the bulk paths -----------------------------


def _resolve_all(rules: list[AllocationRule], using: str) -> dict[Any, AllocationRule]:
    """Each service's winning rule: a few queries per rule, none per service.

    Rules come in resolution order, so the first rule to claim a service keeps it.
    """
    services = set(Service.objects.using(using).values_list("pk", flat=True))
    winner: dict[Any, AllocationRule] = {}
    for rule in rules:
        for queryset in rule.service_id_querysets():
            for service_id in queryset.using(using):
                if service_id not in winner and service_id in services:
                    winner[service_id] = rule
    return winner


def _resolve_one(rules: list[AllocationRule], service_id: Any, using: str) -> AllocationRule | None:
    """One service's winning rule: its facts in four queries, then the rules in Python."""
    facts = ServiceFacts.load(service_id, using)
    return next((rule for rule in rules if rule.matches(facts)), None)


def _chunks(items: list, using: str) -> Iterable[list]:
    # SQLite refuses more than 999 parameters in a statement; PostgreSQL takes big lists.
    size = 900 if connections[using].vendor == "sqlite" else 10_000
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _GrantSource:
    """Where the rows of one derived permission come from: `model` rows matching `filters` give
    (group at `group_path`, service at `service_path`)."""

    codename: str
    model: type[models.Model]
    filters: dict[str, Any]
    group_path: str
    service_path: str

    def rows(self, permission_id: int, service_ids: Iterable | None = None) -> models.QuerySet:
        """(group_id, permission_id, service_id) rows that should exist."""
        filters = dict(self.filters)
        if service_ids is not None:
            filters[f"{self.service_path}__in"] = list(service_ids)
        # One filter() call, so the group path reuses the joins the filters made.
        return (
            self.model.objects.filter(**filters)
            .order_by()
            .values_list(self.group_path, Value(permission_id), self.service_path)
        )

    def covers(self) -> models.Exists:
        """Whether a ServiceGroupObjectPermission row (the outer query) should exist."""
        return models.Exists(
            self.model.objects.filter(
                **self.filters,
                **{
                    self.group_path: models.OuterRef("group_id"),
                    self.service_path: models.OuterRef("content_object_id"),
                },
            )
        )


_ALLOCATED = {"partner__is_active": True, "partner__role_groups__role": Role.ASSURER}
_OWNED = {
    "organization__partners__is_active": True,
    "organization__partners__role_groups__role": Role.PROVIDER_EDITOR,
}
_PARTNER_GROUP = "organization__partners__role_groups__group_id"
GRANT_SOURCES = (
    *(
        _GrantSource(
            codename, ServiceAllocation, _ALLOCATED, "partner__role_groups__group_id", "service_id"
        )
        for codename in ASSURER_CODENAMES
    ),
    *(
        _GrantSource(codename, Service, _OWNED, _PARTNER_GROUP, "pk")
        for codename in PROVIDER_CODENAMES
    ),
    _GrantSource(
        perms.ASSURE,
        Service,
        {**_OWNED, "organization__partners__can_self_assure": True},
        _PARTNER_GROUP,
        "pk",
    ),
)


def _managed_groups() -> models.QuerySet:
    return PartnerGroup.objects.filter(role__in=MANAGED_ROLES).values("group_id")


def _lock_permissions(using: str) -> dict[str, int]:
    """Ids of the derived permissions, locked until the transaction ends.

    Locking these four rows serialises recomputes (a bulk one and single ones) on PostgreSQL
    without a table of our own; SQLite serialises writers anyway.
    """
    content_type = ContentType.objects.db_manager(using).get_for_model(Service)
    rows = (
        Permission.objects.using(using)
        .select_for_update()
        .filter(content_type=content_type, codename__in=perms.DERIVED_CODENAMES)
        .order_by("pk")
        .values_list("codename", "pk")
    )
    return dict(rows)


def _insert_from_select(model: type[models.Model], columns: list[str], qs: models.QuerySet) -> int:
    """INSERT INTO model (columns) SELECT ...: the rows never travel to Python."""
    connection = connections[qs.db]
    quote = connection.ops.quote_name
    select_sql, params = qs.query.sql_with_params()
    meta = model._meta
    names = ", ".join(quote(meta.get_field(name).column) for name in columns)
    # Rows that exist already are kept (and not counted): the statement only adds what is
    # missing. SQLite says so with INSERT OR IGNORE, PostgreSQL with ON CONFLICT DO NOTHING.
    fields = [meta.get_field(name) for name in columns]
    insert = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
    ignore = connection.ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    with connection.cursor() as cursor:
        sql = f"{insert} {quote(meta.db_table)} ({names}) {select_sql} {ignore}"
        cursor.execute(sql, params)
        return cursor.rowcount


# --- everything ---------------------------------------------------------------------------------


# Sent after every allocation was recomputed in bulk (no per-row signals): higher apps that
# derive something from allocations (workflow's review dates) bring it into step.
allocations_recomputed = Signal()


def allocation_recompute_all(*, actor: Any = None, requested_by: Any = None) -> RecomputeReport:
    """Re-resolve every service's allocation and rewrite the derived permission rows, set-wise.

    Runs in one transaction: one or two queries per rule to match services; allocation writes
    in batches; then, per derived permission, one DELETE of the rows nothing covers any more
    and one INSERT ... SELECT per source of the missing ones, inside the database. Rows that
    stay are not touched, so a run that changes nothing writes nothing.

    `actor` is a person asking for it now, who must be allowed to manage rules; None means the
    system (the task, a schedule). `requested_by` is only recorded: the person whose change
    (already allowed) queued the task.
    """
    if actor is not None and not user_can(actor, Action.MANAGE_RULES):
        raise NotAllowed(action=Action.MANAGE_RULES)
    started = time.perf_counter()
    report = RecomputeReport()
    using = router.db_for_write(ServiceAllocation)
    with transaction.atomic(using=using):
        permission_ids = _lock_permissions(using)
        rules = list(AllocationRule.objects.using(using).in_force())
        report.rules = len(rules)
        winner = _resolve_all(rules, using)
        allocations = ServiceAllocation.objects.using(using)
        current = {
            service_id: (partner_id, rule_id)
            for service_id, partner_id, rule_id in allocations.values_list(
                "service_id", "partner_id", "rule_id"
            )
        }
        released = [service_id for service_id in current if service_id not in winner]
        for chunk in _chunks(released, using):
            allocations.filter(service_id__in=chunk).delete()
        report.released = len(released)
        moved: dict[AllocationRule, list] = {}
        for service_id, rule in winner.items():
            held = current.get(service_id)
            if held is not None and held != (rule.partner_id, rule.pk):
                moved.setdefault(rule, []).append(service_id)
                report.reallocated += held[0] != rule.partner_id
        now = timezone.now()
        for rule, service_ids in moved.items():
            for chunk in _chunks(service_ids, using):
                allocations.filter(service_id__in=chunk).update(
                    partner_id=rule.partner_id, rule_id=rule.pk, updated_at=now
                )
        new = [
            ServiceAllocation(service_id=service_id, partner_id=rule.partner_id, rule_id=rule.pk)
            for service_id, rule in winner.items()
            if service_id not in current
        ]
        allocations.bulk_create(new, batch_size=2_000)
        report.newly_allocated = len(new)

        # Permission rows: delete those no source covers any more, add the missing ones. Both
        # run inside the database; rows that stay are not touched.
        grants = ServiceGroupObjectPermission.objects.using(using).filter(
            group_id__in=_managed_groups()
        )
        for codename, permission_id in permission_ids.items():
            sources = [source for source in GRANT_SOURCES if source.codename == codename]
            stale = grants.filter(permission_id=permission_id)
            for source in sources:
                stale = stale.exclude(source.covers())
            report.permission_rows_deleted += stale.delete()[0]
            report.rows_by_codename[codename] = sum(
                _insert_from_select(
                    ServiceGroupObjectPermission,
                    ["group", "permission", "content_object"],
                    source.rows(permission_id).using(using),
                )
                for source in sources
            )
        report.permission_rows_written = sum(report.rows_by_codename.values())
        report.services = Service.objects.using(using).count()
        report.allocated = len(winner)
        report.unallocated = report.services - report.allocated
    # Timed after the commit, which checks the deferred foreign keys of every row written.
    report.seconds = round(time.perf_counter() - started, 3)
    audit_record(
        action=AuditAction.PERMISSIONS_RECOMPUTED,
        actor=actor or requested_by,
        target_label=f"{report.services} services, {report.rules} rules",
        detail=dict(vars(report)),
    )
    allocations_recomputed.send(sender=ServiceAllocation, report=report)
    return report


# --- one service --------------------------------------------------------------------------------


def allocation_recompute_service(*, service: Service | Any) -> ServiceAllocation | None:
    """Re-resolve one service's allocation and bring its permission rows into step.

    Takes a Service or its id; returns its allocation (None when no rule matches, or when the
    service no longer exists). Changes are made through guardian one grant at a time and leave
    an audit entry naming what was granted and revoked.
    """
    service_id = getattr(service, "pk", service)
    using = router.db_for_write(ServiceAllocation)
    with transaction.atomic(using=using):
        permission_ids = _lock_permissions(using)
        service = Service.objects.using(using).filter(pk=service_id).first()
        if service is None:
            return None
        rules = list(AllocationRule.objects.using(using).in_force())
        rule = _resolve_one(rules, service.pk, using)
        rule_id, partner_id = (rule.pk, rule.partner_id) if rule else (None, None)
        allocation = ServiceAllocation.objects.using(using).filter(service=service).first()
        before = (allocation.partner_id, allocation.rule_id) if allocation else (None, None)
        if rule_id is None:
            if allocation is not None:
                allocation.delete()
            allocation = None
        elif allocation is None:
            allocation = ServiceAllocation.objects.using(using).create(
                service=service, partner_id=partner_id, rule_id=rule_id
            )
        elif before != (partner_id, rule_id):
            allocation.partner_id, allocation.rule_id = partner_id, rule_id
            allocation.save(update_fields=["partner", "rule", "updated_at"])

        granted, revoked = _sync_service_permissions(service, permission_ids, using)
        if granted or revoked or before[0] != partner_id:
            _audit_service_change(service, allocation, before[0], granted, revoked)
    return allocation


def _sync_service_permissions(
    service: Service, permission_ids: dict[str, int], using: str
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    querysets = [
        source.rows(permission_ids[source.codename], [service.pk]).using(using)
        for source in GRANT_SOURCES
    ]
    union = querysets[0].union(*querysets[1:], all=True)
    wanted = {(group_id, permission_id) for group_id, permission_id, _ in union}
    held = set(
        ServiceGroupObjectPermission.objects.using(using)
        .filter(
            content_object=service,
            permission_id__in=permission_ids.values(),
            group_id__in=_managed_groups(),
        )
        .values_list("group_id", "permission_id")
    )
    granted, revoked = sorted(wanted - held), sorted(held - wanted)
    if granted or revoked:
        groups = Group.objects.using(using).in_bulk({g for g, _ in granted + revoked})
        permissions = Permission.objects.using(using).in_bulk(permission_ids.values())
        for group_id, permission_id in granted:
            assign_perm(permissions[permission_id], groups[group_id], service)
        for group_id, permission_id in revoked:
            remove_perm(permissions[permission_id], groups[group_id], service)
    return granted, revoked


def _audit_service_change(
    service: Service,
    allocation: ServiceAllocation | None,
    previous_partner_id: int | None,
    granted: list[tuple[int, int]],
    revoked: list[tuple[int, int]],
) -> None:
    group_ids = {g for g, _ in granted + revoked}
    groups = {
        group_id: (partner, role)
        for group_id, partner, role in PartnerGroup.objects.filter(
            group_id__in=group_ids
        ).values_list("group_id", "partner__name", "role")
    }
    codenames = dict(
        Permission.objects.filter(pk__in={p for _, p in granted + revoked}).values_list(
            "pk", "codename"
        )
    )

    def describe(rows: list[tuple[int, int]]) -> list[dict[str, str]]:
        return [
            {
                "partner": groups.get(g, (str(g), ""))[0],
                "role": groups.get(g, ("", ""))[1],
                "permission": codenames[p],
            }
            for g, p in rows
        ]

    audit_record(
        action=AuditAction.PERMISSIONS_CHANGED,
        target=service,
        partner=allocation.partner if allocation else None,
        detail={
            "allocated_to": allocation.partner.name if allocation else None,
            "previous_partner_id": previous_partner_id,
            "rule_id": allocation.rule_id if allocation else None,
            "granted": describe(granted),
            "revoked": describe(revoked),
        },
    )


# --- keeping in step: queued after commit --------------------------------------------------------

_PENDING = "_accounts_pending_allocation"


class _Pending:
    """Services (and locations) changed in the current transaction, recomputed once it commits.

    One object per transaction: Django gives each transaction (and each savepoint rollback) a
    new `run_on_commit` list, so a pending set left by a rolled-back transaction is never
    reused. It is registered with on_commit at every call (cheap; the first call that runs does
    the work, the others return at once), so that a callback registered before a test's
    captureOnCommitCallbacks block does not hide the changes made inside it.
    """

    def __init__(self, using: str) -> None:
        self.using = using
        self.hooks = connections[using].run_on_commit
        self.service_ids: set = set()
        self.location_ids: set = set()
        self.everything = False
        self.actor_id: int | None = None
        self.done = False

    def current(self) -> bool:
        return not self.done and self.hooks is connections[self.using].run_on_commit

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        if self.location_ids:
            self.service_ids |= set(
                ServiceAtLocation.objects.using(self.using)
                .filter(location_id__in=self.location_ids)
                .values_list("service_id", flat=True)
            )
        if self.everything or len(self.service_ids) > conf.get("PORTAL_ALLOCATION_BULK_THRESHOLD"):
            enqueue_recompute_all(requested_by_id=self.actor_id)
            return
        for service_id in self.service_ids:
            try:
                allocation_recompute_service(service=service_id)
            except Exception:
                # The nightly full recompute repairs whatever this leaves behind.
                logger.exception("Could not recompute the allocation of service %s", service_id)


def queue_allocation_recompute(
    *,
    service_ids: Iterable = (),
    location_ids: Iterable = (),
    everything: bool = False,
    actor: Any = None,
    using: str | None = None,
) -> None:
    """Recompute these services (or everything) once the current transaction commits.

    Many calls in one transaction make one recompute; outside a transaction it runs at once.
    More than PORTAL_ALLOCATION_BULK_THRESHOLD services, or `everything`, go to the bulk task.
    """
    using = using or router.db_for_write(ServiceAllocation)
    connection = connections[using]
    pending = getattr(connection, _PENDING, None)
    if pending is None or not pending.current():
        pending = _Pending(using)
        setattr(connection, _PENDING, pending)
    pending.service_ids.update(service_ids)
    pending.location_ids.update(location_ids)
    pending.everything |= everything
    if actor is not None and getattr(actor, "pk", None):
        pending.actor_id = actor.pk
    if connection.in_atomic_block:
        transaction.on_commit(pending, using=using, robust=True)
    else:
        pending()


RECOMPUTE_ALL_TASK = "accounts.tasks.recompute_all_allocations"


def enqueue_recompute_all(*, requested_by_id: int | None = None) -> BackgroundTask:
    """Queue the bulk recompute task (call after commit; see queue_allocation_recompute).

    Recorded as a `BackgroundTask`, so that the rule pages can say whether it has finished.
    """
    return enqueue(
        func=RECOMPUTE_ALL_TASK,
        args=[requested_by_id],
        label="Work out which partner assures each service, and their permissions",
        requested_by=requested_by_id,
        group="accounts",
    )


def latest_recompute_all() -> BackgroundTask | None:
    """The most recently queued bulk recompute (one query), for the rule pages' status panel."""
    return (
        BackgroundTask.objects.of_func(RECOMPUTE_ALL_TASK)
        .select_related("requested_by")
        .newest_first()
        .first()
    )


def unallocated_services() -> models.QuerySet:
    """Services no active rule covers: only directory admins may assure them."""
    return Service.objects.filter(allocation__isnull=True)

"""Recomputing every service's allocation and object permissions, at national scale.

Builds (or reuses) 100k demo services on PostgreSQL (`bench/_setup.py`), adds benchmark partners
and allocation rules (service types, local authorities, postcode districts, named service areas,
and provider partners running a third of the organisations, half of them self-assuring), then
times `accounts.tasks.recompute_all_allocations` run as a django-q2 task (synchronously, in this
process) three times: from nothing, again with nothing changed, and after a rule moved to
another partner. Also times the one-service recompute that follows an edit. Target: under two
minutes for the bulk recompute on a 2-core machine.

    .venv/bin/python bench/permissions_recompute.py
"""

from __future__ import annotations

import statistics
import time

from _setup import ensure_database, ensure_national_data, setup_django

SERVICES = 100_000
PREFIX = "bench-"


def build_partners_and_rules() -> None:
    """Idempotent: benchmark partners are recognised by their slug prefix."""
    from django.db import transaction
    from django.db.models import Count

    from accounts.models import AllocationRule, Partner, PartnerKind, RuleKind
    from accounts.services import partner_role_group
    from directory.demo.places import NATIONAL
    from directory.models import Attribute, Organization, ServiceArea, TaxonomyTerm

    if Partner.objects.filter(slug__startswith=PREFIX).exists():
        return
    started = time.perf_counter()
    with transaction.atomic():

        def partner(slug: str, name: str, kind: str, **fields) -> Partner:
            made = Partner.objects.create(slug=PREFIX + slug, name=name, kind=kind, **fields)
            for role in ("provider_editor", "frontline_worker", "assurer", "partner_admin"):
                partner_role_group(partner=made, role=role)
            return made

        position = 0

        def rule(owner: Partner, kind: str, **target) -> None:
            nonlocal position
            position += 10
            AllocationRule.objects.create(partner=owner, kind=kind, position=position, **target)

        common_types = (
            Attribute.objects.filter(link_entity="service")
            .values("taxonomy_term")
            .annotate(n=Count("id"))
            .order_by("-n")[:8]
        )
        for index, row in enumerate(common_types):
            term = TaxonomyTerm.objects.get(pk=row["taxonomy_term"])
            cvs = partner(f"cvs-{index}", f"Bench CVS {index}", PartnerKind.CVS)
            rule(cvs, RuleKind.SERVICE_TYPE, taxonomy_term=term)
        hull = partner("hull-east", "Bench Hull East team", PartnerKind.COUNCIL_DEPARTMENT)
        rule(hull, RuleKind.POSTCODE_DISTRICTS, postcode_districts="HU8,HU9,HU7")
        areas = ServiceArea.objects.values("name").annotate(n=Count("id")).order_by("-n")[5:10]
        for index, row in enumerate(areas):
            team = partner(f"area-{index}", f"Bench {row['name']} team", PartnerKind.OTHER)
            rule(team, RuleKind.SERVICE_AREA, service_area_name=row["name"])
        for place in NATIONAL:
            council = partner(
                f"la-{place.code.lower()}", f"Bench {place.council}", PartnerKind.COUNCIL_DEPARTMENT
            )
            rule(council, RuleKind.LOCAL_AUTHORITY, local_authority_code=place.code)
        organisations = list(Organization.objects.order_by("id").values_list("id", flat=True))
        third = organisations[: len(organisations) // 3]
        providers = 50
        for index in range(providers):
            provider = partner(
                f"provider-{index}",
                f"Bench provider {index}",
                PartnerKind.PROVIDER,
                can_self_assure=index % 2 == 0,
            )
            provider.organizations.set(third[index::providers])
    print(
        f"made {Partner.objects.filter(slug__startswith=PREFIX).count()} partners and "
        f"{AllocationRule.objects.count()} rules in {time.perf_counter() - started:.1f} s"
    )


def run_task(label: str) -> dict:
    from django_q.tasks import async_task, fetch

    started = time.perf_counter()
    task_id = async_task("accounts.tasks.recompute_all_allocations", sync=True)
    elapsed = time.perf_counter() - started
    task = fetch(task_id)
    assert task is not None and task.success, getattr(task, "result", "task not found")
    f = task.result
    print(
        f"{label:<28} {elapsed:6.1f} s  services {f['services']:,}, rules {f['rules']}, "
        f"allocated {f['allocated']:,} (new {f['newly_allocated']:,}, moved "
        f"{f['reallocated']:,}, released {f['released']:,}), permission rows written "
        f"{f['permission_rows_written']:,} (deleted {f['permission_rows_deleted']:,})"
    )
    figures = f
    return figures


def main() -> None:
    ensure_database()
    setup_django()
    ensure_national_data(SERVICES)
    build_partners_and_rules()

    from django.db import connection

    from accounts.models import (
        AllocationRule,
        Partner,
        ServiceAllocation,
        ServiceGroupObjectPermission,
    )
    from accounts.services import allocation_recompute_service
    from directory.models import Service

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # From nothing: what a fresh portal, or a restore, does once.
    ServiceAllocation.objects.all().delete()
    ServiceGroupObjectPermission.objects.all().delete()
    first = run_task("from nothing")
    run_task("again, nothing changed")

    # A directory admin moves the first service-type rule to another partner (written directly:
    # the service would also queue the task, which is what is timed here).
    rule = AllocationRule.objects.in_order().first()
    original = rule.partner_id
    other = Partner.objects.filter(slug__startswith=PREFIX + "cvs-").exclude(pk=original)[0]
    AllocationRule.objects.filter(pk=rule.pk).update(partner=other)
    run_task("after a rule moved partner")
    AllocationRule.objects.filter(pk=rule.pk).update(partner=original)
    run_task("and back")

    samples = []
    for service_id in Service.objects.order_by("?").values_list("pk", flat=True)[:50]:
        started = time.perf_counter()
        allocation_recompute_service(service=service_id)
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"one service (an edit)            p50 {statistics.median(samples):.1f} ms, "
        f"max {max(samples):.1f} ms over {len(samples)} services"
    )
    print(
        f"\nbulk recompute of {first['services']:,} services with {first['rules']} rules: "
        f"{first['seconds']:.1f} s inside the task (target: under 120 s)"
    )


if __name__ == "__main__":
    main()

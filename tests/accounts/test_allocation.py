from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import (
    AllocationRule,
    AuditAction,
    AuditEvent,
    PartnerKind,
    Role,
    RuleKind,
    ServiceAllocation,
    ServiceGroupObjectPermission,
)
from accounts.policy import Action, user_can
from accounts.services import (
    allocation_recompute_all,
    allocation_recompute_service,
    partner_update,
    rule_create,
    rule_delete,
    rule_preview,
    rule_reorder,
    rule_update,
    unallocated_services,
)
from accounts.services.allocation import _Pending
from accounts.tasks import recompute_all_allocations
from directory.models import Attribute, ServiceArea
from tests.factories import (
    AddressFactory,
    AllocationRuleFactory,
    LocationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    ServiceTypeAttributeFactory,
    TaxonomyTermFactory,
    UserFactory,
)


@pytest.fixture
def admin(db):
    return UserFactory(is_directory_admin=True)


@pytest.fixture
def cvs(db):
    return PartnerFactory(name="Hull CVS")


@pytest.fixture
def nhs(db):
    return PartnerFactory(name="NHS Humber", kind=PartnerKind.NHS)


@pytest.fixture
def housing(db):
    """A function (parent term) with one service type under it."""
    function = TaxonomyTermFactory(name="Housing")
    homelessness = TaxonomyTermFactory(name="Homelessness support", parent=function)
    return function, homelessness


def assurers_of(service):
    return set(
        ServiceAllocation.objects.filter(service=service).values_list("partner__name", flat=True)
    )


def fresh(user):
    """The same person in a new request (the policy caches answers per request)."""
    return type(user).objects.get(pk=user.pk)


def test_a_service_type_rule_covers_the_term_and_its_descendants(admin, cvs, housing):
    function, homelessness = housing
    tagged_child = ServiceFactory()
    ServiceTypeAttributeFactory(service=tagged_child, taxonomy_term=homelessness)
    untagged = ServiceFactory()
    rule_create(actor=admin, partner=cvs, kind=RuleKind.SERVICE_TYPE, taxonomy_term=function)
    allocation_recompute_all()
    assert assurers_of(tagged_child) == {"Hull CVS"}
    assert list(unallocated_services()) == [untagged]


def test_rule_order_resolves_overlaps(admin, cvs, nhs, housing):
    function, homelessness = housing
    service = ServiceFactory()
    ServiceTypeAttributeFactory(service=service, taxonomy_term=homelessness)
    first = rule_create(
        actor=admin, partner=nhs, kind=RuleKind.SERVICE_TYPE, taxonomy_term=homelessness
    )
    second = rule_create(
        actor=admin, partner=cvs, kind=RuleKind.SERVICE_TYPE, taxonomy_term=function
    )
    allocation_recompute_all()
    assert assurers_of(service) == {"NHS Humber"}
    rule_reorder(rules=[second, first], actor=admin)
    allocation_recompute_all()
    assert assurers_of(service) == {"Hull CVS"}
    assert ServiceAllocation.objects.get(service=service).rule == second


def test_an_inactive_rule_or_partner_allocates_nothing(admin, cvs, housing):
    function, _ = housing
    service = ServiceFactory()
    ServiceTypeAttributeFactory(service=service, taxonomy_term=function)
    rule = rule_create(actor=admin, partner=cvs, kind=RuleKind.SERVICE_TYPE, taxonomy_term=function)
    rule_update(rule=rule, actor=admin, data={"is_active": False})
    allocation_recompute_all()
    assert not assurers_of(service)
    rule_update(rule=rule, actor=admin, data={"is_active": True})
    partner_update(partner=cvs, actor=admin, data={"is_active": False})
    allocation_recompute_all()
    assert not assurers_of(service)


def test_changing_a_rule_moves_the_permission_to_the_right_partner(
    admin, cvs, nhs, housing, django_capture_on_commit_callbacks
):
    function, homelessness = housing
    debt = TaxonomyTermFactory(name="Debt counselling")
    service = ServiceFactory()
    ServiceTypeAttributeFactory(service=service, taxonomy_term=homelessness)
    cvs_assurer = MembershipFactory(partner=cvs, role=Role.ASSURER).user
    nhs_assurer = MembershipFactory(partner=nhs, role=Role.ASSURER).user
    with django_capture_on_commit_callbacks(execute=True):
        rule = rule_create(
            actor=admin, partner=cvs, kind=RuleKind.SERVICE_TYPE, taxonomy_term=function
        )
    assert user_can(fresh(cvs_assurer), Action.ASSURE, service)
    assert not user_can(fresh(nhs_assurer), Action.ASSURE, service)

    with django_capture_on_commit_callbacks(execute=True):
        rule_update(rule=rule, actor=admin, data={"partner": nhs})
    assert not user_can(fresh(cvs_assurer), Action.ASSURE, service)
    assert user_can(fresh(nhs_assurer), Action.ASSURE, service)

    with django_capture_on_commit_callbacks(execute=True):
        rule_update(rule=rule, actor=admin, data={"taxonomy_term": debt})
    assert not user_can(fresh(nhs_assurer), Action.ASSURE, service)
    assert service in unallocated_services()


def test_retagging_a_service_moves_the_permission_to_the_right_partner(
    admin, cvs, nhs, housing, django_capture_on_commit_callbacks
):
    _, homelessness = housing
    debt = TaxonomyTermFactory(name="Debt counselling")
    AllocationRuleFactory(partner=cvs, taxonomy_term=homelessness)
    AllocationRuleFactory(partner=nhs, taxonomy_term=debt)
    cvs_assurer = MembershipFactory(partner=cvs, role=Role.ASSURER).user
    nhs_assurer = MembershipFactory(partner=nhs, role=Role.ASSURER).user
    with django_capture_on_commit_callbacks(execute=True):
        service = ServiceFactory()
        tag = ServiceTypeAttributeFactory(service=service, taxonomy_term=homelessness)
    assert user_can(fresh(cvs_assurer), Action.ASSURE, service)

    with django_capture_on_commit_callbacks(execute=True):
        tag.taxonomy_term = debt
        tag.save()
    assert not user_can(fresh(cvs_assurer), Action.ASSURE, service)
    assert user_can(fresh(nhs_assurer), Action.ASSURE, service)
    event = AuditEvent.objects.of_action(AuditAction.PERMISSIONS_CHANGED).for_target(service)[0]
    assert event.detail["allocated_to"] == nhs.name
    assert {row["partner"] for row in event.detail["revoked"]} == {cvs.name}

    with django_capture_on_commit_callbacks(execute=True):
        Attribute.objects.filter(pk=tag.pk).get().delete()
    assert not user_can(fresh(nhs_assurer), Action.ASSURE, service)
    assert service in unallocated_services()


def test_moving_a_service_moves_an_area_allocation(admin, cvs, django_capture_on_commit_callbacks):
    rule_create(
        actor=admin, partner=cvs, kind=RuleKind.POSTCODE_DISTRICTS, postcode_districts="hu5, HU6"
    )
    allocation_recompute_all()
    inside = AddressFactory(postal_code="HU5 3AB").location
    outside = AddressFactory(postal_code="HU1 1AA").location
    with django_capture_on_commit_callbacks(execute=True):
        service = ServiceFactory()
        at = ServiceAtLocationFactory(service=service, location=outside)
    assert not assurers_of(service)
    with django_capture_on_commit_callbacks(execute=True):
        at.location = inside
        at.save()
    assert assurers_of(service) == {"Hull CVS"}
    # The address itself moving out of the districts counts too.
    with django_capture_on_commit_callbacks(execute=True):
        address = inside.addresses.get()
        address.postal_code = "HU10 7AA"
        address.save()
    assert not assurers_of(service)


def test_a_local_authority_rule_matches_locations_and_service_areas(admin, cvs):
    rule_create(
        actor=admin, partner=cvs, kind=RuleKind.LOCAL_AUTHORITY, local_authority_code="e06000010"
    )
    located = ServiceFactory()
    ServiceAtLocationFactory(
        service=located, location=LocationFactory(local_authority_code="E06000010")
    )
    covering = ServiceFactory()
    ServiceArea.objects.create(service=covering, name="Hull", local_authority_code="E06000010")
    elsewhere = ServiceFactory()
    ServiceAtLocationFactory(
        service=elsewhere, location=LocationFactory(local_authority_code="E06000011")
    )
    allocation_recompute_all()
    assert set(unallocated_services()) == {elsewhere}


def test_a_named_service_area_rule_and_a_one_service_rule(admin, cvs, nhs):
    in_area = ServiceFactory()
    ServiceArea.objects.create(service=in_area, name="Orchard Park")
    chosen = ServiceFactory()
    rule_create(
        actor=admin, partner=cvs, kind=RuleKind.SERVICE_AREA, service_area_name="orchard park"
    )
    rule_create(actor=admin, partner=nhs, kind=RuleKind.SERVICE, service=chosen)
    allocation_recompute_all()
    assert assurers_of(in_area) == {"Hull CVS"}
    assert assurers_of(chosen) == {"NHS Humber"}


def test_one_service_recompute_agrees_with_the_bulk_recompute(admin, cvs, nhs, housing):
    """The bulk path matches rules in SQL, the one-service path in Python: they must agree."""
    function, homelessness = housing
    services = ServiceFactory.create_batch(7)
    ServiceTypeAttributeFactory(service=services[0], taxonomy_term=homelessness)
    ServiceTypeAttributeFactory(service=services[1], taxonomy_term=function)
    ServiceAtLocationFactory(
        service=services[2], location=LocationFactory(local_authority_code="E06000010")
    )
    ServiceArea.objects.create(service=services[3], name="Hull", local_authority_code="E06000010")
    ServiceAtLocationFactory(
        service=services[4], location=AddressFactory(postal_code="hu5 3ab").location
    )
    ServiceArea.objects.create(service=services[5], name="Orchard Park")
    ServiceTypeAttributeFactory(service=services[6], taxonomy_term=TaxonomyTermFactory())
    for position, (partner, kind, target) in enumerate(
        [
            (nhs, RuleKind.SERVICE_TYPE, {"taxonomy_term": homelessness}),
            (cvs, RuleKind.POSTCODE_DISTRICTS, {"postcode_districts": "HU5"}),
            (nhs, RuleKind.SERVICE_AREA, {"service_area_name": "ORCHARD park"}),
            (cvs, RuleKind.LOCAL_AUTHORITY, {"local_authority_code": "E06000010"}),
            (nhs, RuleKind.SERVICE, {"service": services[1]}),
            (cvs, RuleKind.SERVICE_TYPE, {"taxonomy_term": function}),
        ]
    ):
        AllocationRule.objects.create(partner=partner, kind=kind, position=position, **target)
    organisation = services[0].organization
    PartnerFactory(organizations=[organisation], can_self_assure=True)
    for service in services:
        allocation_recompute_service(service=service)
    one_by_one = set(ServiceAllocation.objects.values_list("service", "partner", "rule"))
    rows_one_by_one = set(
        ServiceGroupObjectPermission.objects.values_list("group", "permission", "content_object")
    )
    ServiceAllocation.objects.all().delete()
    ServiceGroupObjectPermission.objects.all().delete()
    allocation_recompute_all()
    assert set(ServiceAllocation.objects.values_list("service", "partner", "rule")) == one_by_one
    assert (
        set(
            ServiceGroupObjectPermission.objects.values_list(
                "group", "permission", "content_object"
            )
        )
        == rows_one_by_one
    )
    assert len(one_by_one) == 6 and services[6] in unallocated_services()


def test_self_assurance_follows_the_partner_flag(admin, django_capture_on_commit_callbacks):
    organisation = OrganizationFactory()
    provider = PartnerFactory(kind=PartnerKind.PROVIDER, organizations=[organisation])
    editor = MembershipFactory(partner=provider, role=Role.PROVIDER_EDITOR).user
    service = ServiceFactory(organization=organisation)
    allocation_recompute_all()
    assert user_can(fresh(editor), Action.EDIT, service)
    assert not user_can(fresh(editor), Action.ASSURE, service)
    with django_capture_on_commit_callbacks(execute=True):
        partner_update(partner=provider, actor=admin, data={"can_self_assure": True})
    assert user_can(fresh(editor), Action.ASSURE, service)
    with django_capture_on_commit_callbacks(execute=True):
        partner_update(partner=provider, actor=admin, data={"can_self_assure": False})
    assert not user_can(fresh(editor), Action.ASSURE, service)


def test_changing_the_organisations_a_partner_runs_moves_edit_rights(
    admin, django_capture_on_commit_callbacks
):
    first, second = OrganizationFactory.create_batch(2)
    provider = PartnerFactory(kind=PartnerKind.PROVIDER, organizations=[first])
    editor = MembershipFactory(partner=provider, role=Role.PROVIDER_EDITOR).user
    theirs, other = ServiceFactory(organization=first), ServiceFactory(organization=second)
    allocation_recompute_all()
    with django_capture_on_commit_callbacks(execute=True):
        partner_update(partner=provider, actor=admin, data={}, organizations=[second])
    assert not user_can(fresh(editor), Action.EDIT, theirs)
    assert user_can(fresh(editor), Action.EDIT, other)


def test_moving_a_service_to_another_organisation_moves_edit_rights(
    db, django_capture_on_commit_callbacks
):
    first, second = OrganizationFactory.create_batch(2)
    provider = PartnerFactory(kind=PartnerKind.PROVIDER, organizations=[first])
    editor = MembershipFactory(partner=provider, role=Role.PROVIDER_EDITOR).user
    with django_capture_on_commit_callbacks(execute=True):
        service = ServiceFactory(organization=first)
    assert user_can(fresh(editor), Action.SUBMIT, service)
    with django_capture_on_commit_callbacks(execute=True):
        service.organization = second
        service.save()
    assert not user_can(fresh(editor), Action.SUBMIT, service)


def test_deleting_a_rule_leaves_its_services_unallocated(
    admin, cvs, housing, django_capture_on_commit_callbacks
):
    function, _ = housing
    service = ServiceFactory()
    ServiceTypeAttributeFactory(service=service, taxonomy_term=function)
    with django_capture_on_commit_callbacks(execute=True):
        rule = rule_create(
            actor=admin, partner=cvs, kind=RuleKind.SERVICE_TYPE, taxonomy_term=function
        )
    assert assurers_of(service) == {"Hull CVS"}
    with django_capture_on_commit_callbacks(execute=True):
        rule_delete(rule=rule, actor=admin)
    assert service in unallocated_services()
    assert not ServiceGroupObjectPermission.objects.filter(content_object=service).exists()


def test_many_changes_in_one_transaction_make_one_recompute_per_service(
    cvs, housing, django_capture_on_commit_callbacks
):
    function, homelessness = housing
    AllocationRuleFactory(partner=cvs, taxonomy_term=function)
    with django_capture_on_commit_callbacks() as callbacks:
        service = ServiceFactory()
        ServiceTypeAttributeFactory(service=service, taxonomy_term=function)
        ServiceTypeAttributeFactory(service=service, taxonomy_term=homelessness)
        ServiceAtLocationFactory(service=service)
    ours = [callback for callback in callbacks if isinstance(callback, _Pending)]
    assert len({id(callback) for callback in ours}) == 1
    for callback in ours:
        callback()
    assert assurers_of(service) == {"Hull CVS"}
    changes = AuditEvent.objects.of_action(AuditAction.PERMISSIONS_CHANGED).for_target(service)
    assert changes.count() == 1


def test_a_large_batch_of_changes_goes_to_the_bulk_task(
    cvs, housing, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_ALLOCATION_BULK_THRESHOLD = 2
    function, _ = housing
    AllocationRuleFactory(partner=cvs, taxonomy_term=function)
    with django_capture_on_commit_callbacks(execute=True):
        services = ServiceFactory.create_batch(3)
        for service in services:
            ServiceTypeAttributeFactory(service=service, taxonomy_term=function)
    assert ServiceAllocation.objects.count() == 3
    assert AuditEvent.objects.of_action(AuditAction.PERMISSIONS_RECOMPUTED).count() == 1


def test_a_rolled_back_change_does_not_stop_later_recomputes(
    cvs, housing, django_capture_on_commit_callbacks
):
    from django.db import transaction

    function, _ = housing
    AllocationRuleFactory(partner=cvs, taxonomy_term=function)
    service = ServiceFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        ServiceTypeAttributeFactory(service=service, taxonomy_term=function)
        raise RuntimeError("rolled back")
    with django_capture_on_commit_callbacks(execute=True):
        ServiceTypeAttributeFactory(service=service, taxonomy_term=function)
    assert assurers_of(service) == {"Hull CVS"}


def test_the_bulk_recompute_is_set_based(admin, cvs, nhs, housing, django_assert_max_num_queries):
    function, homelessness = housing
    AllocationRuleFactory(partner=nhs, taxonomy_term=homelessness)
    AllocationRuleFactory(partner=cvs, taxonomy_term=function)
    organisation = OrganizationFactory()
    PartnerFactory(kind=PartnerKind.PROVIDER, organizations=[organisation], can_self_assure=True)

    def add(count):
        for service in ServiceFactory.create_batch(count, organization=organisation):
            ServiceTypeAttributeFactory(service=service, taxonomy_term=homelessness)

    add(3)
    with django_assert_max_num_queries(30) as small:
        allocation_recompute_all()
    add(60)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        report = allocation_recompute_all()
    assert report.services == 63 and report.allocated == 63 and report.newly_allocated == 60
    # 7 rows per service: assure, change, view draft for the NHS; change, view draft, submit,
    # assure for the self-assuring provider. Only the new services' rows are written.
    assert report.permission_rows_written == 60 * 7 and report.permission_rows_deleted == 0
    assert ServiceGroupObjectPermission.objects.count() == 63 * 7
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_task_returns_its_figures(cvs, housing):
    function, _ = housing
    AllocationRuleFactory(partner=cvs, taxonomy_term=function)
    service = ServiceFactory()
    ServiceTypeAttributeFactory(service=service, taxonomy_term=function)
    figures = recompute_all_allocations()
    assert figures["services"] == 1 and figures["allocated"] == 1 and figures["rules"] == 1


def test_a_recompute_run_again_changes_nothing(admin, cvs, housing):
    function, _ = housing
    service = ServiceFactory()
    ServiceTypeAttributeFactory(service=service, taxonomy_term=function)
    AllocationRuleFactory(partner=cvs, taxonomy_term=function)
    allocation_recompute_all()
    rows = set(
        ServiceGroupObjectPermission.objects.values_list("group", "permission", "content_object")
    )
    report = allocation_recompute_all()
    assert report.newly_allocated == report.reallocated == report.released == 0
    assert (
        set(
            ServiceGroupObjectPermission.objects.values_list(
                "group", "permission", "content_object"
            )
        )
        == rows
    )
    assert allocation_recompute_service(service=service) is not None
    assert not AuditEvent.objects.of_action(AuditAction.PERMISSIONS_CHANGED).exists()


def test_rule_preview_counts_gains_and_services_taken_from_others(admin, cvs, nhs, housing):
    function, homelessness = housing
    services = ServiceFactory.create_batch(5)
    for service in services[:3]:
        ServiceTypeAttributeFactory(service=service, taxonomy_term=homelessness)
    for service in services[3:]:
        ServiceTypeAttributeFactory(service=service, taxonomy_term=function)
    AllocationRuleFactory(partner=nhs, taxonomy_term=homelessness, position=50)
    allocation_recompute_all()
    # A new rule before the NHS one, covering the whole function.
    draft = AllocationRule(
        partner=cvs, kind=RuleKind.SERVICE_TYPE, taxonomy_term=function, position=10
    )
    preview = rule_preview(rule=draft)
    assert (preview.matched, preview.services, preview.taken_from_other) == (5, 5, 3)
    assert preview.taken_from == {"NHS Humber": 3} and preview.newly_allocated == 2
    assert (
        preview.summary
        == "This rule gives Hull CVS 5 services, 3 of them taken from another partner."
    )
    # After the NHS rule instead, it only gains the two services the NHS rule leaves.
    draft.position = 90
    preview = rule_preview(rule=draft)
    assert (preview.services, preview.shadowed, preview.taken_from_other) == (2, 3, 0)


def test_rule_validation_speaks_to_the_admin(admin, cvs):
    with pytest.raises(ValidationError) as error:
        rule_create(
            actor=admin,
            partner=cvs,
            kind=RuleKind.POSTCODE_DISTRICTS,
            postcode_districts="HU5, nonsense",
        )
    assert "not NONSENSE" in str(error.value)
    with pytest.raises(ValidationError, match="E06000010"):
        rule_create(
            actor=admin, partner=cvs, kind=RuleKind.LOCAL_AUTHORITY, local_authority_code="Hull"
        )
    with pytest.raises(ValidationError, match="Select a service type"):
        rule_create(actor=admin, partner=cvs, kind=RuleKind.SERVICE_TYPE)
    assert not AllocationRule.objects.exists()


def test_the_nightly_recompute_is_registered_once(db):
    from django_q.models import Schedule

    from workflow.schedules import register_schedules

    register_schedules()
    register_schedules()
    schedule = Schedule.objects.get(func="accounts.tasks.recompute_all_allocations")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1

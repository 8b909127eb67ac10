from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.exceptions import NotAllowed
from accounts.models import (
    AllocationRule,
    AuditAction,
    AuditEvent,
    Membership,
    Partner,
    PartnerGroup,
    PartnerKind,
    Role,
    RuleKind,
    ServiceAllocation,
)
from accounts.policy import Action, user_can
from accounts.services import (
    membership_add,
    membership_change_role,
    membership_remove,
    membership_set_roles,
    partner_create,
    partner_update,
    rule_create,
    rule_delete,
    rule_reorder,
    rule_update,
    user_set_directory_admin,
)
from directory.signals import bulk_writing, services_imported
from tests.factories import (
    AllocationRuleFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceFactory,
    ServiceTypeAttributeFactory,
    TaxonomyTermFactory,
    UserFactory,
)


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_a_directory_admin_creates_a_partner_with_a_group_per_role(directory_admin):
    organisation = OrganizationFactory()
    partner = partner_create(
        actor=directory_admin,
        name="Goodwin Development Trust",
        kind=PartnerKind.PROVIDER,
        organizations=[organisation],
        can_self_assure=True,
    )
    assert partner.slug == "goodwin-development-trust"
    assert set(PartnerGroup.objects.filter(partner=partner).values_list("role", flat=True)) == set(
        Role.values
    )
    assert list(partner.organizations.all()) == [organisation]
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_CREATED)
    assert event.actor == directory_admin and event.partner == partner


def test_frontline_worker_groups_carry_the_model_wide_suggest_permission(partner):
    worker = MembershipFactory(partner=partner, role=Role.FRONTLINE_WORKER).user
    assert worker.has_perm("directory.suggest_service")


@pytest.mark.parametrize("who", ["partner_admin", "assurer", "signed_in_user"])
def test_only_directory_admins_manage_partners(request, who, partner):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        partner_create(actor=actor, name="Sneaky", kind=PartnerKind.OTHER)
    with pytest.raises(NotAllowed):
        partner_update(partner=partner, actor=actor, data={"can_self_assure": True})
    partner.refresh_from_db()
    assert not partner.can_self_assure
    assert not Partner.objects.filter(name="Sneaky").exists()
    assert not AuditEvent.objects.exists()


def test_partner_update_records_what_changed(directory_admin, partner):
    partner_update(partner=partner, actor=directory_admin, data={"name": "Hull CVS Ltd"})
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_UPDATED)
    assert event.detail["changes"] == {"name": {"from": "Hull CVS", "to": "Hull CVS Ltd"}}
    with pytest.raises(TypeError, match="organizations_typo"):
        partner_update(partner=partner, actor=directory_admin, data={"organizations_typo": 1})


def test_a_partner_admin_adds_changes_and_removes_members_of_their_partner(partner_admin, partner):
    person = UserFactory()
    membership = membership_add(
        partner=partner, user=person, role=Role.FRONTLINE_WORKER, actor=partner_admin
    )
    assert user_can(person, Action.SUGGEST)
    membership_change_role(membership=membership, role=Role.ASSURER, actor=partner_admin)
    person = type(person).objects.get(pk=person.pk)
    assert not user_can(person, Action.SUGGEST)
    assert person.groups.get().partner_role.role == Role.ASSURER
    membership_remove(membership=membership, actor=partner_admin)
    assert not person.groups.exists() and not Membership.objects.filter(user=person).exists()
    assert audit_actions() == [
        AuditAction.MEMBERSHIP_ADDED,
        AuditAction.MEMBERSHIP_ROLE_CHANGED,
        AuditAction.MEMBERSHIP_REMOVED,
    ]
    changed = AuditEvent.objects.get(action=AuditAction.MEMBERSHIP_ROLE_CHANGED)
    assert changed.detail == {"from": Role.FRONTLINE_WORKER, "to": Role.ASSURER}
    assert changed.target_id == str(person.pk) and changed.partner == partner


def test_a_partner_admin_cannot_touch_another_partners_members(partner_admin, other_partner):
    member = MembershipFactory(partner=other_partner, role=Role.ASSURER)
    with pytest.raises(NotAllowed):
        membership_add(
            partner=other_partner, user=UserFactory(), role=Role.ASSURER, actor=partner_admin
        )
    with pytest.raises(NotAllowed):
        membership_change_role(membership=member, role=Role.PARTNER_ADMIN, actor=partner_admin)
    with pytest.raises(NotAllowed):
        membership_remove(membership=member, actor=partner_admin)
    member.refresh_from_db()
    assert member.role == Role.ASSURER
    assert Membership.objects.filter(partner=other_partner).count() == 1
    assert not AuditEvent.objects.exists()


def test_a_role_is_held_once(partner_admin, partner):
    person = UserFactory()
    membership_add(partner=partner, user=person, role=Role.ASSURER, actor=partner_admin)
    with pytest.raises(ValidationError, match="already has this role"):
        membership_add(partner=partner, user=person, role=Role.ASSURER, actor=partner_admin)


def test_membership_set_roles_makes_the_roles_exactly_those(partner_admin, partner):
    person = UserFactory()
    membership_set_roles(
        partner=partner,
        user=person,
        roles=[Role.ASSURER, Role.FRONTLINE_WORKER],
        actor=partner_admin,
    )
    kept = membership_set_roles(
        partner=partner, user=person, roles=[Role.ASSURER, Role.PARTNER_ADMIN], actor=partner_admin
    )
    assert [m.role for m in kept] == [Role.ASSURER, Role.PARTNER_ADMIN]
    assert set(person.groups.values_list("partner_role__role", flat=True)) == {
        Role.ASSURER,
        Role.PARTNER_ADMIN,
    }
    membership_set_roles(partner=partner, user=person, roles=[], actor=partner_admin)
    assert not Membership.objects.filter(user=person).exists() and not person.groups.exists()


def test_directory_admin_role_is_given_by_directory_admins_only(directory_admin, partner_admin):
    person = UserFactory()
    with pytest.raises(NotAllowed):
        user_set_directory_admin(user=person, is_directory_admin=True, actor=partner_admin)
    person.refresh_from_db()
    assert not person.is_directory_admin
    user_set_directory_admin(user=person, is_directory_admin=True, actor=directory_admin)
    assert user_can(type(person).objects.get(pk=person.pk), Action.MANAGE_RULES)
    assert AuditEvent.objects.get().action == AuditAction.DIRECTORY_ADMIN_CHANGED


@pytest.mark.parametrize("who", ["partner_admin", "assurer", "provider_user", "frontline_worker"])
def test_only_directory_admins_manage_rules(request, who, partner):
    actor = request.getfixturevalue(who)
    rule = AllocationRuleFactory(partner=partner)
    with pytest.raises(NotAllowed):
        rule_create(actor=actor, partner=partner, kind=RuleKind.SERVICE, service=ServiceFactory())
    with pytest.raises(NotAllowed):
        rule_update(rule=rule, actor=actor, data={"is_active": False})
    with pytest.raises(NotAllowed):
        rule_reorder(rules=[rule], actor=actor)
    with pytest.raises(NotAllowed):
        rule_delete(rule=rule, actor=actor)
    rule.refresh_from_db()
    assert rule.is_active and AllocationRule.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_rule_services_write_audit_entries(directory_admin, partner, other_partner):
    term = TaxonomyTermFactory(name="Food banks")
    first = rule_create(
        actor=directory_admin, partner=partner, kind=RuleKind.SERVICE_TYPE, taxonomy_term=term
    )
    second = rule_create(
        actor=directory_admin,
        partner=other_partner,
        kind=RuleKind.POSTCODE_DISTRICTS,
        postcode_districts="hu5 hu6",
    )
    assert (first.position, second.position) == (10, 20)
    assert second.postcode_districts == "HU5,HU6"
    rule_update(rule=first, actor=directory_admin, data={"partner": other_partner})
    rule_reorder(rules=[second], actor=directory_admin)
    rule_delete(rule=first, actor=directory_admin)
    assert audit_actions() == [
        AuditAction.RULE_CREATED,
        AuditAction.RULE_CREATED,
        AuditAction.RULE_UPDATED,
        AuditAction.RULES_REORDERED,
        AuditAction.RULE_DELETED,
    ]
    updated = AuditEvent.objects.get(action=AuditAction.RULE_UPDATED)
    assert updated.detail["changes"] == {"partner": {"from": partner.pk, "to": other_partner.pk}}
    assert AuditEvent.objects.get(action=AuditAction.RULE_DELETED).detail["covers"] == (
        "service type Food banks and the types under it"
    )


def test_imported_services_are_allocated_once_the_import_announces_them(
    partner, django_capture_on_commit_callbacks
):
    term = TaxonomyTermFactory()
    AllocationRuleFactory(partner=partner, taxonomy_term=term)
    with django_capture_on_commit_callbacks(execute=True), bulk_writing():
        service = ServiceFactory()
        ServiceTypeAttributeFactory(service=service, taxonomy_term=term)
    assert not ServiceAllocation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services_imported.send(sender=None, service_ids=[service.pk])
    assert ServiceAllocation.objects.get().partner == partner


def test_only_directory_admins_start_a_full_recompute(partner_admin, directory_admin):
    from accounts.services import allocation_recompute_all

    with pytest.raises(NotAllowed):
        allocation_recompute_all(actor=partner_admin)
    assert not AuditEvent.objects.exists()
    allocation_recompute_all(actor=directory_admin)
    assert AuditEvent.objects.get().action == AuditAction.PERMISSIONS_RECOMPUTED

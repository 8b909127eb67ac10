from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import (
    AllocationRule,
    RuleKind,
    User,
    parse_postcode_districts,
    postcode_district,
)
from tests.factories import PartnerFactory, ServiceFactory, TaxonomyTermFactory, UserFactory


def test_users_are_made_and_found_by_email_in_lower_case(db):
    user = User.objects.create_user("  Pat.Smith@Example.ORG", password="a-long-password-1")
    assert user.email == "pat.smith@example.org" and not user.is_staff
    assert User.objects.get_by_natural_key("PAT.SMITH@example.org") == user
    assert User.objects.with_email("Pat.Smith@example.org").get() == user


def test_an_address_belongs_to_one_account_whatever_its_case(db):
    UserFactory(email="sam@example.org")
    with pytest.raises(ValidationError):
        User(email="SAM@example.org").full_clean(exclude=["password"])
    with pytest.raises(IntegrityError):
        User.objects.create_user("SAM@example.org")


def test_a_superuser_is_a_directory_admin(db):
    user = User.objects.create_superuser("root@example.org", password="a-long-password-1")
    assert user.is_staff and user.is_superuser and user.is_directory_admin
    assert list(User.objects.directory_admins()) == [user]


def test_postcode_districts_are_parsed_and_normalised():
    assert parse_postcode_districts("hu5, HU6 hu5;hu10") == ["HU5", "HU6", "HU10"]
    assert postcode_district("hu5 3ab") == "HU5" and postcode_district("SW1A1AA") == "SW1A"
    assert postcode_district("HU5") == ""


def test_a_rule_keeps_only_the_target_of_its_kind(db):
    partner = PartnerFactory()
    rule = AllocationRule(
        partner=partner,
        kind=RuleKind.LOCAL_AUTHORITY,
        local_authority_code="E06000010",
        taxonomy_term=TaxonomyTermFactory(),
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "taxonomy_term" in error.value.message_dict
    rule.taxonomy_term = None
    rule.local_authority_code = "e06000010"
    rule.full_clean()
    assert rule.local_authority_code == "E06000010"
    rule.save()
    assert rule.describe() == "local authority E06000010"


def test_the_database_refuses_a_rule_without_its_target(db):
    with pytest.raises(IntegrityError):
        AllocationRule.objects.create(partner=PartnerFactory(), kind=RuleKind.SERVICE)


def test_a_one_service_rule_describes_the_service(db):
    rule = AllocationRule(
        partner=PartnerFactory(), kind=RuleKind.SERVICE, service=ServiceFactory(name="Lunch club")
    )
    assert rule.describe() == "the service Lunch club"


def test_the_admin_edits_people_and_only_shows_what_services_change(rf, db):
    from django.contrib import admin

    from accounts.models import AuditEvent, Partner

    request = rf.get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    assert admin.site._registry[User].has_change_permission(request)
    for model in (Partner, AllocationRule, AuditEvent):
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_add_permission(request)

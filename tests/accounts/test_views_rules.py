"""Allocation rules through the pages: preview, add, change, reorder, delete; unallocated list."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import AllocationRule, AuditAction, AuditEvent, RuleKind, ServiceAllocation
from accounts.services import enqueue_recompute_all
from accounts.services.allocation import RECOMPUTE_ALL_TASK
from core.models import BackgroundTask, BackgroundTaskStatus
from tests.auth import sign_in
from tests.factories import (
    AllocationRuleFactory,
    PartnerFactory,
    ServiceFactory,
    ServiceTypeAttributeFactory,
    TaxonomyTermFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, directory_admin):
    return sign_in(client, directory_admin)


@pytest.fixture
def homelessness(db):
    return TaxonomyTermFactory(name="Homelessness support", term="112")


def _typed_services(term, count: int) -> list:
    services = [ServiceFactory() for _ in range(count)]
    for service in services:
        ServiceTypeAttributeFactory(service=service, taxonomy_term=term)
    return services


def _rule_form(partner, **fields) -> dict:
    return {"partner": partner.pk, "kind": RuleKind.SERVICE_TYPE, "is_active": "on", **fields}


def test_preview_shows_what_the_rule_would_do_and_saves_nothing(
    admin_client, partner, other_partner, homelessness
):
    services = _typed_services(homelessness, 3)
    ServiceAllocation.objects.create(service=services[0], partner=other_partner)
    response = admin_client.post(
        reverse("accounts:rule-create"),
        {**_rule_form(partner, service_type="Homelessness support"), "preview": "Preview"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This rule gives Hull CVS 3 services, 1 of them taken from another partner." in html
    assert "1 now assured by East Riding NHS" in html and "nothing has been saved" in html
    assert not AllocationRule.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.RULE_CREATED).exists()


def test_saving_a_rule_shows_its_page_with_the_preview(admin_client, partner, homelessness):
    _typed_services(homelessness, 2)
    response = admin_client.post(
        reverse("accounts:rule-create"), _rule_form(partner, service_type="112")
    )
    rule = AllocationRule.objects.get()
    assert response["Location"] == reverse("accounts:rule-detail", args=[rule.pk])
    assert rule.taxonomy_term == homelessness and rule.partner == partner and rule.is_active
    page = admin_client.get(response["Location"]).content.decode()
    assert "This rule gives Hull CVS 2 services." in page
    assert AuditEvent.objects.filter(action=AuditAction.RULE_CREATED).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": ""}, "Select which services the rule covers"),
        ({"partner": ""}, "Select a partner"),
        ({}, "Enter a service type"),
        ({"service_type": "Knitting"}, "There is no service type &#x27;Knitting&#x27;"),
        (
            {"kind": RuleKind.POSTCODE_DISTRICTS, "postcode_districts": "HU5, 12X"},
            "Enter postcode districts like HU5 or HU10, not 12X",
        ),
        (
            {"kind": RuleKind.LOCAL_AUTHORITY, "local_authority_code": "Hull"},
            "Enter a local authority code like E06000010",
        ),
        ({"kind": RuleKind.SERVICE, "service": "not-an-id"}, "There is no service with this id"),
    ],
)
def test_the_rule_form_explains_its_errors(admin_client, partner, fields, message):
    for button in ({}, {"preview": "Preview"}):
        response = admin_client.post(
            reverse("accounts:rule-create"), {**_rule_form(partner), **fields, **button}
        )
        html = response.content.decode()
        assert "<title>Error: Add an allocation rule" in html
        assert "govuk-error-summary" in html and message in html
    assert not AllocationRule.objects.exists()


def test_changing_a_rule_starts_from_its_values(admin_client, partner, other_partner, homelessness):
    rule = AllocationRuleFactory(partner=partner, taxonomy_term=homelessness)
    url = reverse("accounts:rule-update", args=[rule.pk])
    form = admin_client.get(url).content.decode()
    assert 'value="112"' in form
    admin_client.post(
        url,
        _rule_form(other_partner, kind=RuleKind.POSTCODE_DISTRICTS, postcode_districts="hu5 hu6"),
    )
    rule.refresh_from_db()
    assert rule.partner == other_partner and rule.kind == RuleKind.POSTCODE_DISTRICTS
    assert rule.postcode_districts == "HU5,HU6" and rule.taxonomy_term is None


def test_rules_move_up_and_down(admin_client):
    first, second, third = (AllocationRuleFactory() for _ in range(3))
    admin_client.post(reverse("accounts:rule-move", args=[third.pk]), {"direction": "up"})
    assert list(AllocationRule.objects.in_order()) == [first, third, second]
    admin_client.post(reverse("accounts:rule-move", args=[first.pk]), {"direction": "down"})
    assert list(AllocationRule.objects.in_order()) == [third, first, second]
    # The first cannot go up; nothing changes and nothing is logged.
    before = AuditEvent.objects.count()
    admin_client.post(reverse("accounts:rule-move", args=[third.pk]), {"direction": "up"})
    assert list(AllocationRule.objects.in_order()) == [third, first, second]
    assert AuditEvent.objects.count() == before
    assert AuditEvent.objects.filter(action=AuditAction.RULES_REORDERED).count() == 2


def test_the_rule_list_is_in_order_with_move_buttons(admin_client):
    rules = [AllocationRuleFactory() for _ in range(3)]
    html = admin_client.get(reverse("accounts:rule-list")).content.decode()
    positions = [html.index(rule.partner.name) for rule in rules]
    assert positions == sorted(positions)
    assert html.count('name="direction" value="up"') == 2
    assert html.count('name="direction" value="down"') == 2


def test_deleting_a_rule_asks_first(admin_client):
    rule = AllocationRuleFactory()
    url = reverse("accounts:rule-delete", args=[rule.pk])
    assert b"Delete this rule?" in admin_client.get(url).content
    assert AllocationRule.objects.exists()
    response = admin_client.post(url)
    assert response["Location"] == reverse("accounts:rule-list")
    assert not AllocationRule.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.RULE_DELETED).count() == 1


def test_unallocated_services_link_to_a_rule_for_one_service(admin_client, partner):
    loose = ServiceFactory(name="Tea dance")
    ServiceAllocation.objects.create(service=ServiceFactory(name="Covered"), partner=partner)
    html = admin_client.get(reverse("accounts:unallocated-services")).content.decode()
    assert "Tea dance" in html and "Covered" not in html
    link = (
        re.search(r'href="(/accounts/rules/create/\?[^"]+)"', html).group(1).replace("&amp;", "&")
    )
    form = admin_client.get(link).content.decode()
    assert f'value="{loose.pk}"' in form
    assert re.search(r'value="service"\s*checked', form)


@pytest.mark.parametrize("size", [2, 20])
def test_rule_pages_make_a_fixed_number_of_queries(
    admin_client, homelessness, size, django_assert_max_num_queries
):
    rules = [AllocationRuleFactory(partner=PartnerFactory()) for _ in range(size)]
    _typed_services(homelessness, size)
    for _ in range(size):
        ServiceFactory()
    enqueue_recompute_all(requested_by_id=None)  # the status panel shows it (one query)
    with django_assert_max_num_queries(5):
        assert admin_client.get(reverse("accounts:rule-list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert admin_client.get(reverse("accounts:unallocated-services")).status_code == 200
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("accounts:rule-detail", args=[rules[-1].pk]))
        assert response.status_code == 200


def test_allocating_an_unallocated_service_gives_it_to_the_chosen_partner(
    admin_client, partner, other_partner, homelessness, django_capture_on_commit_callbacks
):
    # A broader rule covers the service but has not been applied yet (the allocation is stale),
    # so the service is in the unallocated list; a rule added last would lose to it.
    broad = AllocationRuleFactory(partner=other_partner, taxonomy_term=homelessness)
    inactive = AllocationRuleFactory(
        partner=other_partner, taxonomy_term=homelessness, is_active=False
    )
    (service,) = _typed_services(homelessness, 1)
    assert not ServiceAllocation.objects.filter(service=service).exists()
    html = admin_client.get(reverse("accounts:unallocated-services")).content.decode()
    assert service.name in html
    form = {**_rule_form(partner), "kind": RuleKind.SERVICE, "service": str(service.pk)}

    preview = admin_client.post(reverse("accounts:rule-create"), {**form, "preview": "Preview"})
    assert "It goes before the rule for East Riding NHS" in preview.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("accounts:rule-create"), form)
    rule = AllocationRule.objects.get(kind=RuleKind.SERVICE)
    assert list(AllocationRule.objects.in_order()) == [rule, broad, inactive]
    # The background recompute ran (django-q2 is synchronous in tests) and the rule won.
    assert ServiceAllocation.objects.get(service=service).partner == partner
    task = BackgroundTask.objects.get(func=RECOMPUTE_ALL_TASK)
    assert task.status == BackgroundTaskStatus.SUCCEEDED
    page = admin_client.get(response["Location"]).content.decode()
    assert f"Hull CVS will assure {service.name} once the background work has finished" in page
    assert "is being worked out again in the background" in page and "Finished at" in page
    html = admin_client.get(reverse("accounts:unallocated-services")).content.decode()
    assert service.name not in html


def test_a_service_with_a_rule_of_its_own_says_so_instead_of_adding_another(
    admin_client, partner, other_partner
):
    service = ServiceFactory(name="Tea dance")
    AllocationRuleFactory(
        partner=other_partner,
        kind=RuleKind.SERVICE,
        taxonomy_term=None,
        service=service,
        is_active=False,
    )
    form = {**_rule_form(partner), "kind": RuleKind.SERVICE, "service": str(service.pk)}
    for button in ({}, {"preview": "Preview"}):
        html = admin_client.post(reverse("accounts:rule-create"), {**form, **button})
        html = html.content.decode()
        assert "govuk-error-summary" in html
        assert (
            "Tea dance already has a rule of its own (rule 1, for East Riding NHS, not in force). "
            "Change that rule instead" in html
        )
    assert AllocationRule.objects.count() == 1


def test_pages_that_queue_the_recompute_say_so(admin_client, partner):
    rule = AllocationRuleFactory(partner=partner)
    AllocationRuleFactory()
    response = admin_client.post(
        reverse("accounts:rule-move", args=[rule.pk]), {"direction": "down"}, follow=True
    )
    html = response.content.decode()
    assert "is now rule 2" in html and "is being worked out again in the background" in html
    assert "See whether it has finished" in html
    response = admin_client.post(reverse("accounts:rule-delete", args=[rule.pk]), follow=True)
    assert "is being worked out again in the background" in response.content.decode()

"""No lost updates: each staff form that edits a row carries the version it was loaded from, and
a save over someone else's newer change is refused with both versions shown (core.concurrency)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import AllocationRule, AuditAction, AuditEvent, Membership, Partner, Role
from accounts.services import membership_set_roles, partner_update, rule_update
from core.concurrency import StaleEdit, version_of
from tests.auth import sign_in
from tests.factories import AllocationRuleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _loaded_version(html: str) -> str:
    found = re.search(r'name="loaded_version" value="([0-9a-f]+)"', html)
    assert found, "the form carries no version"
    return found.group(1)


@pytest.fixture
def other_admin(db):
    return UserFactory(email="second-admin@example.org", is_directory_admin=True)


def test_a_stale_partner_form_is_refused_and_shows_both_versions(
    client, directory_admin, other_admin, partner
):
    sign_in(client, directory_admin)
    url = reverse("accounts:partner-update", args=[partner.pk])
    version = _loaded_version(client.get(url).content.decode())
    # Another admin renames the partner after the form was loaded.
    partner_update(partner=partner, actor=other_admin, data={"name": "Hull Community Voluntary"})

    response = client.post(
        url,
        {"name": "Hull CVS Ltd", "kind": "cvs", "is_active": "on", "loaded_version": version},
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this while you were editing it" in html
    assert "Hull CVS Ltd" in html and "Hull Community Voluntary" in html
    assert "Nothing you sent has been saved" in html
    assert Partner.objects.get(pk=partner.pk).name == "Hull Community Voluntary"
    # Starting again loads the saved values with their new version, which then saves.
    fresh = client.get(url).content.decode()
    assert 'value="Hull Community Voluntary"' in fresh
    client.post(
        url,
        {
            "name": "Hull CVS Ltd",
            "kind": "cvs",
            "is_active": "on",
            "loaded_version": _loaded_version(fresh),
        },
    )
    assert Partner.objects.get(pk=partner.pk).name == "Hull CVS Ltd"


def test_a_current_partner_form_saves_and_audits_the_real_before_value(
    client, directory_admin, partner
):
    sign_in(client, directory_admin)
    url = reverse("accounts:partner-update", args=[partner.pk])
    version = _loaded_version(client.get(url).content.decode())
    response = client.post(
        url, {"name": "Hull CVS Ltd", "kind": "cvs", "is_active": "on", "loaded_version": version}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_UPDATED)
    assert event.detail["changes"]["name"] == {"from": "Hull CVS", "to": "Hull CVS Ltd"}


def test_the_audit_log_records_what_was_really_replaced(directory_admin, other_admin, partner):
    """Two saves from objects loaded before either: the second's "from" is the first's "to"."""
    stale_copy = Partner.objects.get(pk=partner.pk)
    partner_update(partner=partner, actor=other_admin, data={"name": "First rename"})
    partner_update(partner=stale_copy, actor=directory_admin, data={"name": "Second rename"})
    changes = [
        event.detail["changes"]["name"]
        for event in AuditEvent.objects.filter(action=AuditAction.PARTNER_UPDATED).order_by("pk")
    ]
    assert changes == [
        {"from": "Hull CVS", "to": "First rename"},
        {"from": "First rename", "to": "Second rename"},
    ]


def test_a_stale_roles_form_is_refused(client, partner_admin, directory_admin, partner, assurer):
    sign_in(client, partner_admin)
    url = reverse("accounts:member-update", args=[partner.pk, assurer.pk])
    version = _loaded_version(client.get(url).content.decode())
    membership_set_roles(
        partner=partner,
        user=assurer,
        roles=[Role.ASSURER, Role.PARTNER_ADMIN],
        actor=directory_admin,
    )

    response = client.post(url, {"roles": [Role.FRONTLINE_WORKER], "loaded_version": version})

    html = response.content.decode()
    assert response.status_code == 409
    assert "Frontline worker" in html and "Partner admin" in html
    roles = set(Membership.objects.filter(user=assurer).values_list("role", flat=True))
    assert roles == {Role.ASSURER, Role.PARTNER_ADMIN}


def test_a_stale_rule_form_is_refused(client, directory_admin, other_admin, partner, other_partner):
    rule = AllocationRuleFactory(partner=partner)
    sign_in(client, directory_admin)
    url = reverse("accounts:rule-update", args=[rule.pk])
    version = _loaded_version(client.get(url).content.decode())
    rule_update(rule=rule, actor=other_admin, data={"partner": other_partner})

    response = client.post(
        url,
        {
            "partner": partner.pk,
            "kind": "postcode_districts",
            "postcode_districts": "HU5",
            "is_active": "on",
            "loaded_version": version,
        },
    )

    assert response.status_code == 409
    assert "East Riding NHS" in response.content.decode()
    rule.refresh_from_db()
    assert rule.partner == other_partner and rule.kind != "postcode_districts"


def test_the_services_refuse_a_stale_version_without_writing(directory_admin, partner):
    rule = AllocationRuleFactory(partner=partner)
    stale = version_of({"anything": "else"})
    with pytest.raises(StaleEdit):
        partner_update(
            partner=partner, actor=directory_admin, data={"name": "X"}, expected_version=stale
        )
    with pytest.raises(StaleEdit):
        rule_update(
            rule=rule, actor=directory_admin, data={"is_active": False}, expected_version=stale
        )
    assert Partner.objects.get(pk=partner.pk).name == "Hull CVS"
    assert AllocationRule.objects.get(pk=rule.pk).is_active
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.PARTNER_UPDATED, AuditAction.RULE_UPDATED]
    ).exists()

"""Partners and members through the pages (directory admins, and partner admins for their own)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, Membership, Partner, Role, ServiceAllocation
from tests.auth import sign_in, totp_device
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

# Queries a partner's page makes whatever the number of members and services: the session, the
# user, the OTP device, the partner, its organisations, members (with their 2FA), invitations,
# a page of services and their count.
PAGE_QUERIES = 9


def _allocate(partner, services: int) -> None:
    organisation = OrganizationFactory()
    ServiceAllocation.objects.bulk_create(
        ServiceAllocation(service=ServiceFactory(organization=organisation), partner=partner)
        for _ in range(services)
    )


def _members(partner, count: int) -> None:
    for _ in range(count):
        membership = MembershipFactory(partner=partner, role=Role.ASSURER)
        totp_device(membership.user)


def test_a_directory_admin_adds_a_partner_with_the_organisations_it_runs(client, directory_admin):
    runs = OrganizationFactory(name="Hull Food Bank")
    sign_in(client, directory_admin)
    response = client.post(
        reverse("accounts:partner-create"),
        {
            "name": "Hull Food Bank",
            "kind": "provider",
            "organizations": "hull food bank\n",
            "can_self_assure": "on",
            "is_active": "on",
        },
    )
    partner = Partner.objects.get(name="Hull Food Bank")
    assert response["Location"] == reverse("accounts:partner-detail", args=[partner.pk])
    assert list(partner.organizations.all()) == [runs]
    assert partner.slug == "hull-food-bank" and partner.can_self_assure
    assert AuditEvent.objects.filter(action=AuditAction.PARTNER_CREATED).count() == 1


def test_the_partner_form_explains_its_errors(client, directory_admin, partner):
    sign_in(client, directory_admin)
    response = client.post(
        reverse("accounts:partner-create"),
        {"name": "", "organizations": "No Such Charity", "slug": partner.slug},
    )
    html = response.content.decode()
    assert "<title>Error: Add a partner" in html
    assert "Enter the partner&#x27;s name" in html
    assert "Select what kind of partner it is" in html
    assert "There is no organisation called &#x27;No Such Charity&#x27;" in html
    taken = client.post(
        reverse("accounts:partner-create"), {"name": "Another", "kind": "cvs", "slug": partner.slug}
    )
    assert b"Another partner already uses this short name" in taken.content
    assert Partner.objects.count() == 1


def test_a_directory_admin_changes_a_partner(client, directory_admin, partner):
    sign_in(client, directory_admin)
    url = reverse("accounts:partner-update", args=[partner.pk])
    form = client.get(url).content.decode()
    assert 'value="Hull CVS"' in form
    organisation = OrganizationFactory(name="Goodwin Trust")
    client.post(
        url,
        {"name": "Hull CVS", "kind": "cvs", "organizations": "Goodwin Trust", "is_active": "on"},
    )
    partner.refresh_from_db()
    assert list(partner.organizations.all()) == [organisation]
    assert partner.slug == "hull-cvs"


def test_a_partner_admin_sees_only_their_partners(client, partner_admin, partner, other_partner):
    sign_in(client, partner_admin)
    html = client.get(reverse("accounts:partner-list")).content.decode()
    assert "Hull CVS" in html and "East Riding NHS" not in html
    assert reverse("accounts:partner-create") not in html


def test_a_partner_page_shows_members_their_roles_and_two_factor(
    client, partner_admin, partner, assurer, frontline_worker
):
    MembershipFactory(partner=partner, role=Role.PARTNER_ADMIN, user=assurer)
    sign_in(client, partner_admin)
    html = client.get(reverse("accounts:partner-detail", args=[partner.pk])).content.decode()
    assert "assurer@example.org" in html and "worker@example.org" in html
    assert "Assurer<br>Partner admin" in html
    assert "Not set up yet" in html  # the assurer has no device
    # A partner admin may not change the partner itself.
    assert reverse("accounts:partner-update", args=[partner.pk]) not in html


def test_changing_roles_adds_and_removes_them(client, partner_admin, partner, frontline_worker):
    sign_in(client, partner_admin)
    url = reverse("accounts:member-update", args=[partner.pk, frontline_worker.pk])
    form = client.get(url).content.decode()
    assert re.search(r'value="frontline_worker"\s*checked', form)
    assert not re.search(r'value="assurer"\s*checked', form)
    client.post(url, {"roles": [Role.ASSURER, Role.PROVIDER_EDITOR]})
    roles = set(Membership.objects.filter(user=frontline_worker).values_list("role", flat=True))
    assert roles == {Role.ASSURER, Role.PROVIDER_EDITOR}
    events = AuditEvent.objects.filter(partner=partner).values_list("action", flat=True)
    assert set(events) >= {AuditAction.MEMBERSHIP_ADDED, AuditAction.MEMBERSHIP_REMOVED}
    empty = client.post(url, {})
    assert b"Select at least one role" in empty.content


def test_removing_a_member_takes_every_role_at_that_partner_only(
    client, partner_admin, partner, other_partner, frontline_worker
):
    MembershipFactory(partner=other_partner, role=Role.ASSURER, user=frontline_worker)
    sign_in(client, partner_admin)
    url = reverse("accounts:member-remove", args=[partner.pk, frontline_worker.pk])
    assert b"Remove Sam" in client.get(url).content
    client.post(url)
    assert list(
        Membership.objects.filter(user=frontline_worker).values_list("partner", "role")
    ) == [(other_partner.pk, Role.ASSURER)]
    # Not a member any more: the pages about them are not found.
    assert client.get(url).status_code == 404


def test_a_member_of_another_partner_cannot_be_reached_through_yours(
    client, partner_admin, partner, other_partner
):
    outsider = MembershipFactory(partner=other_partner, role=Role.ASSURER).user
    sign_in(client, partner_admin)
    url = reverse("accounts:member-remove", args=[partner.pk, outsider.pk])
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(user=outsider).exists()


def test_the_services_a_partner_assures_are_paginated(client, directory_admin, partner, settings):
    settings.PORTAL_STAFF_PER_PAGE = 5
    _allocate(partner, 12)
    sign_in(client, directory_admin)
    url = reverse("accounts:partner-detail", args=[partner.pk])
    html = client.get(url).content.decode()
    assert "Services it assures (12)" in html and "govuk-pagination" in html
    assert client.get(url + "?page=3").status_code == 200


@pytest.mark.parametrize("size", [2, 30])
def test_a_partner_page_makes_a_fixed_number_of_queries(
    client, directory_admin, partner, size, django_assert_max_num_queries
):
    _allocate(partner, size)
    _members(partner, size)
    sign_in(client, directory_admin)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(reverse("accounts:partner-detail", args=[partner.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 25])
def test_the_partner_list_makes_a_fixed_number_of_queries(
    client, directory_admin, size, django_assert_max_num_queries
):
    for _ in range(size):
        partner = PartnerFactory()
        _allocate(partner, 2)
        _members(partner, 2)
    sign_in(client, directory_admin)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("accounts:partner-list"))
    assert response.status_code == 200


def test_a_partner_name_with_a_line_break_is_refused_and_nothing_is_saved(admin_client):
    response = admin_client.post(
        "/accounts/partners/create/",
        {"name": "Hull CVS\r\nBcc: everyone@example.org", "slug": "", "kind": "cvs"},
    )
    assert response.status_code == 200
    assert "The name must be on one line, without tabs" in response.content.decode()
    assert not Partner.objects.filter(name__startswith="Hull CVS").exists()


def test_an_invitation_from_a_partner_whose_old_name_has_a_line_break_is_still_sent(
    admin_client, partner, mailoutbox, django_capture_on_commit_callbacks
):
    Partner.objects.filter(pk=partner.pk).update(name="Hull\r\nCVS")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/accounts/partners/{partner.pk}/invitations/create/",
            {"email": "new@example.org", "roles": ["assurer"]},
        )
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.subject.startswith("You're invited to join Hull CVS on ")

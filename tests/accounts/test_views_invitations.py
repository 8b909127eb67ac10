"""Invitations through the pages: invite, email, link, password, signed in; once only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent, Invitation, Membership, Role, User
from accounts.services import invitation_create
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "tangerine-bicycle-lantern-9"


def _invite(client, partner, email="new.person@example.org", roles=(Role.FRONTLINE_WORKER,)):
    return client.post(
        reverse("accounts:invitation-create", args=[partner.pk]),
        {"email": email, "roles": list(roles)},
    )


def _link_in_last_email(settings) -> str:
    match = re.search(
        re.escape(settings.PORTAL_BASE_URL) + r"(/accounts/invitations/[\w-]+/)",
        mail.outbox[-1].body,
    )
    assert match, mail.outbox[-1].body
    return match.group(1)


def _accept(client, link, password=PASSWORD, again=None):
    return client.post(
        link,
        {
            "first_name": "Alex",
            "last_name": "Morgan",
            "password": password,
            "password_again": again or password,
        },
    )


def test_a_partner_admin_invites_and_the_link_makes_an_account_once(
    client, partner, partner_admin, settings, django_capture_on_commit_callbacks
):
    sign_in(client, partner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, partner)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:partner-detail", args=[partner.pk])
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.org"]
    link = _link_in_last_email(settings)
    # The invitation shows on the partner's page until accepted.
    assert b"new.person@example.org" in client.get(response["Location"]).content
    client.logout()

    page = client.get(link)
    assert page.status_code == 200 and b"Join Hull CVS" in page.content
    response = _accept(client, link)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")
    person = User.objects.get(email="new.person@example.org")
    assert person.check_password(PASSWORD) and person.get_full_name() == "Alex Morgan"
    assert Membership.objects.get(user=person).role == Role.FRONTLINE_WORKER
    # Signed in straight away.
    assert client.get(reverse("accounts:account")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED).count() == 1

    client.logout()
    used = client.get(link)
    assert used.status_code == 410 and b"already been used" in used.content
    assert _accept(client, link).status_code == 410
    assert User.objects.filter(email="new.person@example.org").count() == 1


def test_a_new_assurer_is_sent_to_set_up_two_factor(
    client, partner, partner_admin, settings, django_capture_on_commit_callbacks
):
    sign_in(client, partner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, partner, roles=[Role.ASSURER])
    link = _link_in_last_email(settings)
    client.logout()
    _accept(client, link)
    response = client.get(reverse("accounts:account"))
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))


def test_a_weak_password_is_refused_with_gov_uk_errors_and_nothing_is_made(client, partner):
    invitation = invitation_create(
        partner=partner,
        email="new.person@example.org",
        roles=[Role.FRONTLINE_WORKER],
        actor=UserFactory(is_directory_admin=True),
    )
    link = f"/accounts/invitations/{invitation.token}/"
    response = _accept(client, link, password="password")
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error: Join Hull CVS" in html
    assert "govuk-error-summary" in html and "This password is too short" in html
    assert "This password is too common" in html
    mismatch = _accept(client, link, again="something-else-entirely-7")
    assert b"The passwords do not match" in mismatch.content
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert client.get(link).status_code == 200


@pytest.fixture
def invitation(partner, directory_admin):
    return invitation_create(
        partner=partner, email="new.person@example.org", roles=[Role.ASSURER], actor=directory_admin
    )


def test_an_expired_link_shows_a_clear_page_and_makes_nothing(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    link = f"/accounts/invitations/{invitation.token}/"
    page = client.get(link)
    assert page.status_code == 410 and b"This invitation has expired" in page.content
    assert "govuk-header" in page.content.decode()
    assert _accept(client, link).status_code == 410
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_a_withdrawn_link_shows_a_clear_page(client, invitation, partner, directory_admin):
    sign_in(client, directory_admin)
    client.post(reverse("accounts:invitation-revoke", args=[partner.pk, invitation.pk]))
    client.logout()
    page = client.get(f"/accounts/invitations/{invitation.token}/")
    assert page.status_code == 410 and b"has been withdrawn" in page.content


def test_an_unknown_link_is_not_found(client, db):
    page = client.get("/accounts/invitations/not-a-real-token/")
    assert page.status_code == 404 and b"This invitation link is not valid" in page.content


def test_an_existing_account_signs_in_to_accept(client, partner, invitation):
    person = UserFactory(email="new.person@example.org")
    link = f"/accounts/invitations/{invitation.token}/"
    page = client.get(link)
    assert b"Sign in to accept" in page.content
    assert (reverse("accounts:sign-in") + "?next=").encode() in page.content
    # Posting a password for someone else's account does nothing.
    assert _accept(client, link).status_code == 200
    assert not Membership.objects.filter(user=person).exists()
    sign_in(client, person)
    assert b"Accept invitation" in client.get(link).content
    response = client.post(link)
    assert response.status_code == 302
    assert Membership.objects.get(user=person, partner=partner).role == Role.ASSURER


def test_the_link_is_refused_to_another_signed_in_account(client, invitation, signed_in_user):
    sign_in(client, signed_in_user)
    link = f"/accounts/invitations/{invitation.token}/"
    assert client.get(link).status_code == 403
    assert client.post(link).status_code == 403
    assert not Membership.objects.filter(user=signed_in_user).exists()


def test_the_invite_form_explains_its_errors(client, partner, partner_admin, frontline_worker):
    sign_in(client, partner_admin)
    response = _invite(client, partner, email="not-an-email", roles=[])
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error: Invite someone to Hull CVS" in html
    assert "Enter an email address in the correct format" in html
    assert "Select at least one role" in html
    assert '<a href="#id_roles_1">' in html
    held = _invite(client, partner, email=frontline_worker.email, roles=[Role.FRONTLINE_WORKER])
    assert b"already has these roles" in held.content
    assert not Invitation.objects.exists()

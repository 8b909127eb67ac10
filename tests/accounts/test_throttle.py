"""Emails anyone can make the portal send are limited per address and per client, per hour."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.auth import sign_in
from tests.factories import UserFactory

RESET = "/accounts/password/reset/"


@pytest.mark.django_db
def test_reset_links_to_one_address_stop_after_the_hourly_limit(client, settings):
    settings.PORTAL_RESET_EMAILS_PER_HOUR = (3, 100)
    UserFactory(email="sam@example.org")
    for _ in range(5):
        response = client.post(RESET, {"email": "Sam@Example.org"})
        # Every request gets the same answer, so the page tells nobody about the limit or
        # about which addresses have accounts.
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_one_client_cannot_send_reset_links_to_many_addresses(client, settings):
    settings.PORTAL_RESET_EMAILS_PER_HOUR = (3, 4)
    for number in range(6):
        UserFactory(email=f"person{number}@example.org")
        client.post(RESET, {"email": f"person{number}@example.org"})
    assert len(mail.outbox) == 4
    other_client = client.__class__(REMOTE_ADDR="192.0.2.9")
    UserFactory(email="elsewhere@example.org")
    other_client.post(RESET, {"email": "elsewhere@example.org"})
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_invitations_to_one_address_stop_with_a_clear_error(
    client, settings, partner, partner_admin, django_capture_on_commit_callbacks
):

    settings.PORTAL_INVITATIONS_PER_HOUR = (2, 100)
    sign_in(client, partner_admin)
    url = f"/accounts/partners/{partner.pk}/invitations/create/"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"email": "new@example.org", "roles": ["assurer"]})
        assert response.status_code == 302
    response = client.post(url, {"email": "new@example.org", "roles": ["assurer"]})
    assert response.status_code == 200
    assert "Too many invitations have been sent to this address" in response.content.decode()
    assert len(mail.outbox) == 2

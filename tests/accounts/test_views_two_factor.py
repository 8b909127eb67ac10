"""Two-factor authentication: required for assurers and admins, offered to everyone."""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditAction, AuditEvent, Role
from accounts.services import two_factor_reset
from accounts.two_factor import two_factor_required
from tests.auth import current_code, sign_in, totp_device
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")
HOME = reverse("workflow:home")  # where signing in lands
SETUP = reverse("accounts:two-factor-setup")
VERIFY = reverse("accounts:two-factor-verify")


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_an_assurer_without_a_device_is_sent_to_set_it_up(client, assurer):
    sign_in(client, assurer, verified=False)
    response = client.get(reverse("accounts:partner-list"))
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Faccounts%2Fpartners%2F"
    # Every page, not just staff ones, until it is done; sign-out stays open.
    assert client.get(ACCOUNT)["Location"].startswith(SETUP)
    assert client.get(reverse("accounts:sign-out")).status_code == 200


def test_an_assurer_with_a_device_is_sent_to_verify(client, assurer):
    totp_device(assurer)
    sign_in(client, assurer, verified=False)
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    # A password alone cannot swap the device for the attacker's own.
    assert client.get(SETUP)["Location"] == VERIFY


@pytest.mark.parametrize("role", [Role.ASSURER, Role.PARTNER_ADMIN])
def test_partner_roles_that_need_two_factor(partner, role):
    user = MembershipFactory(partner=partner, role=role).user
    assert two_factor_required(user)


def test_directory_admins_need_two_factor_and_other_roles_do_not(
    directory_admin, frontline_worker, provider_user, signed_in_user
):
    assert two_factor_required(directory_admin)
    assert not two_factor_required(frontline_worker)
    assert not two_factor_required(provider_user)
    assert not two_factor_required(signed_in_user)


def test_a_correct_code_verifies_the_session(client, assurer):
    device = totp_device(assurer)
    sign_in(client, assurer, verified=False)
    page = client.get(f"{VERIFY}?next=/accounts/password/change/")
    assert page.status_code == 200 and _title(page).startswith("Enter your security code")
    response = client.post(
        VERIFY, {"code": current_code(device), "next": "/accounts/password/change/"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/change/"
    assert client.get(ACCOUNT).status_code == 200
    # An address elsewhere is not followed.
    assert client.get(f"{VERIFY}?next=https://evil.example/")["Location"] == HOME


def test_a_wrong_code_shows_a_gov_uk_error_and_is_audited(client, assurer):
    device = totp_device(assurer)
    sign_in(client, assurer, verified=False)
    wrong = f"{(int(current_code(device)) + 1) % 1000000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert _title(response) == "Error: Enter your security code \N{EN DASH} Find local services"
    html = response.content.decode()
    assert "govuk-error-summary" in html and '<a href="#id_code">' in html
    assert "The security code is not correct" in html
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.target_id == str(assurer.pk) and event.detail == {"step": "security code"}
    assert client.get(ACCOUNT).status_code == 302


def test_badly_formed_codes_are_explained(client, assurer):
    totp_device(assurer)
    sign_in(client, assurer, verified=False)
    assert b"Enter the security code" in client.post(VERIFY, {"code": ""}).content
    assert b"must be 6 numbers" in client.post(VERIFY, {"code": "12ab"}).content


def test_repeated_wrong_codes_are_throttled(client, assurer):
    device = totp_device(assurer)
    sign_in(client, assurer, verified=False)
    client.post(VERIFY, {"code": "000000" if current_code(device) != "000000" else "111111"})
    # Straight after a failure even the right code waits (django-otp's back-off doubles).
    response = client.post(VERIFY, {"code": current_code(device)})
    assert b"too many wrong codes" in response.content


def _prove_mailbox(client, user) -> None:
    """Set-up needs more than the password (tests/accounts/test_two_factor_enrolment.py): open
    the set-up link a directory admin's reset emails."""
    link = two_factor_reset(user=user, actor=UserFactory(is_directory_admin=True))
    client.post(reverse("accounts:two-factor-link", args=[link.token]))


def test_setting_up_a_device_with_a_code_from_the_app(client, assurer):
    sign_in(client, assurer, verified=False)
    _prove_mailbox(client, assurer)
    page = client.get(f"{SETUP}?next=/accounts/partners/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html
    device = TOTPDevice.objects.get(user=assurer, confirmed=False)
    # The secret is shown as text too, for people who cannot scan.
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # Reloading keeps the same secret.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=assurer).count() == 1
    response = client.post(SETUP, {"code": current_code(device), "next": "/accounts/partners/"})
    # Recovery codes come next, once, then the page asked for.
    codes = reverse("accounts:two-factor-recovery-codes")
    assert response.status_code == 302 and response["Location"] == codes
    assert b'href="/accounts/partners/"' in client.get(codes).content
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(ACCOUNT).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_CHANGED).count() == 1


def test_a_wrong_code_does_not_set_up_the_device(client, assurer):
    sign_in(client, assurer, verified=False)
    _prove_mailbox(client, assurer)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "123456"})
    assert response.status_code == 200 and _title(response).startswith("Error: ")
    assert not TOTPDevice.objects.filter(user=assurer, confirmed=True).exists()


def test_the_whole_sign_in_with_password_then_code(client, assurer):
    device = totp_device(assurer)
    response = client.post(
        reverse("accounts:sign-in"), {"username": assurer.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == HOME
    assert client.get(ACCOUNT)["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": current_code(device)})
    assert client.get(ACCOUNT).status_code == 200


def test_people_who_do_not_need_it_are_not_asked(client, frontline_worker):
    sign_in(client, frontline_worker, verified=False)
    assert client.get(ACCOUNT).status_code == 200


def test_anyone_may_opt_in_and_is_then_asked_at_every_sign_in(client, frontline_worker):
    sign_in(client, frontline_worker, verified=False)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=frontline_worker)
    client.post(SETUP, {"code": current_code(device)})
    client.logout()
    sign_in(client, frontline_worker, verified=False)
    assert client.get(ACCOUNT)["Location"].startswith(VERIFY)


def test_people_who_opted_in_may_turn_it_off_with_their_password(client, frontline_worker):
    sign_in(client, frontline_worker)
    url = reverse("accounts:two-factor-remove")
    wrong = client.post(url, {"password": "nope"})
    assert wrong.status_code == 200 and b"Your password is not correct" in wrong.content
    assert TOTPDevice.objects.filter(user=frontline_worker).exists()
    assert client.post(url, {"password": TEST_PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(user=frontline_worker).exists()
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_CHANGED).count() == 1


def test_people_who_need_it_cannot_turn_it_off(client, assurer):
    sign_in(client, assurer)
    response = client.post(reverse("accounts:two-factor-remove"), {"password": TEST_PASSWORD})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=assurer).exists()


def test_demo_accounts_are_let_off_only_while_debug_is_on(client, settings, partner):
    demo = MembershipFactory(
        partner=partner, role=Role.ASSURER, user=UserFactory(email="assurer@demo.example")
    ).user
    settings.DEBUG = True
    assert not two_factor_required(demo)
    sign_in(client, demo, verified=False)
    assert client.get(ACCOUNT).status_code == 200
    settings.DEBUG = False
    assert two_factor_required(demo)
    # With DEBUG off a demo account is no account at all: even its open session ends
    # (accounts.backends).
    assert client.get(ACCOUNT)["Location"].startswith("/accounts/sign-in/")


def test_the_requirement_can_be_switched_off(client, settings, assurer):
    settings.PORTAL_REQUIRE_2FA = False
    sign_in(client, assurer, verified=False)
    assert client.get(ACCOUNT).status_code == 200


def test_the_members_list_shows_who_has_set_it_up(client, partner_admin, assurer):
    totp_device(assurer)
    sign_in(client, partner_admin)
    html = client.get(
        reverse("accounts:partner-detail", args=[assurer.memberships.get().partner_id])
    ).content.decode()
    row = re.search(r"assurer@example\.org.*?</tr>", html, re.S).group(0)
    assert ">On<" in row.replace("\n", "").replace(" ", "")

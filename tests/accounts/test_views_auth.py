"""Signing in and out, login throttling with lock-out, passwords, error pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from tests.auth import sign_in
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"
NEW_PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture
def person(db):
    """Someone with no role, so two-factor authentication does not get in the way."""
    return UserFactory(email="casey@example.org")


def _sign_in(client, email: str, password: str, **extra):
    return client.post(SIGN_IN, {"username": email, "password": password}, **extra)


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_the_sign_in_page_is_a_gov_uk_form(client):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    assert _title(response) == "Sign in \N{EN DASH} Find local services"
    html = response.content.decode()
    assert 'class="govuk-input' in html and 'autocomplete="email"' in html
    assert reverse("accounts:password-reset") in html


def test_signing_in_by_email_in_any_case_is_audited(client, person):
    response = _sign_in(client, "Casey@Example.org", TEST_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("workflow:home")
    assert client.get(reverse("accounts:account")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_IN)
    assert event.actor == person and event.ip == "127.0.0.1"


def test_a_wrong_password_shows_a_gov_uk_error_and_is_audited(client, person):
    response = _sign_in(client, person.email, "not-the-password")
    assert response.status_code == 200
    assert _title(response) == "Error: Sign in \N{EN DASH} Find local services"
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a correct email address and password" in html
    assert '<a href="#id_username">' in html
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert failed.actor_email == person.email and failed.actor is None
    assert "not-the-password" not in str(failed.detail)


def test_missing_fields_get_their_own_messages(client):
    html = _sign_in(client, "", "").content.decode()
    assert "Enter your email address" in html and "Enter your password" in html


def test_five_failures_lock_the_address_and_email_out(client, person, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _sign_in(client, person.email, "guess").status_code == 200
    locked = _sign_in(client, person.email, "guess")
    assert locked.status_code == 429
    assert _title(locked) == "You have been locked out \N{EN DASH} Find local services"
    assert "15 minutes" in locked.content.decode()
    # Even the right password is refused while the lock lasts, and nobody is signed in.
    refused = _sign_in(client, person.email, TEST_PASSWORD)
    assert refused.status_code == 429
    assert client.get(reverse("accounts:account")).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.SIGNED_IN).exists()
    lock = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert lock.actor_email == person.email and lock.target_id == str(person.pk)
    assert lock.ip == "127.0.0.1" and lock.detail["locked_for"] == "15 minutes"
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() == 6


def test_the_lock_is_for_one_address_and_email_together(client, person):
    for _ in range(5):
        _sign_in(client, person.email, "guess")
    # The same account from another address (a colleague's office, the person at home)...
    elsewhere = _sign_in(client, person.email, TEST_PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302
    client.logout()
    # ...and another account from the same address still sign in.
    colleague = UserFactory(email="colleague@example.org")
    assert _sign_in(client, colleague.email, TEST_PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, person):
    for _ in range(5):
        _sign_in(client, person.email, "guess")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert _sign_in(client, person.email, TEST_PASSWORD).status_code == 302


def test_trying_again_during_the_lock_out_restarts_it(client, person):
    for _ in range(5):
        _sign_in(client, person.email, "guess")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=10)
    )
    assert _sign_in(client, person.email, TEST_PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=10)
    )
    # 20 minutes after the lock began, but only 10 after the last try.
    assert _sign_in(client, person.email, TEST_PASSWORD).status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).count() == 1


def test_emails_in_another_case_count_towards_the_same_lock(client, person):
    for email in (
        "casey@example.org",
        "CASEY@example.org",
        "Casey@example.org",
        "casey@EXAMPLE.org",
    ):
        _sign_in(client, email, "guess")
    assert _sign_in(client, "CaSeY@example.org", "guess").status_code == 429


def test_a_successful_sign_in_forgets_earlier_mistakes(client, person):
    for _ in range(4):
        _sign_in(client, person.email, "guess")
    assert _sign_in(client, person.email, TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _sign_in(client, person.email, "guess").status_code == 200


def test_signing_out_asks_then_signs_out(client, person):
    sign_in(client, person)
    page = client.get(reverse("accounts:sign-out"))
    assert page.status_code == 200 and b"Sign out" in page.content
    response = client.post(reverse("accounts:sign-out"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT).count() == 1


def _text(response) -> str:
    """The page's words, without markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_sign_out_page_asks_a_signed_in_person(client, person):
    sign_in(client, person)
    page = client.get(reverse("accounts:sign-out"))
    assert page.status_code == 200
    assert _title(page) == "Sign out \N{EN DASH} Find local services"
    assert '<h1 class="govuk-heading-l">Sign out</h1>' in page.content.decode()
    text = _text(page)
    assert "You are signed in as casey@example.org." in text
    assert "Logged out" not in text and "signed out" not in text


def test_signing_out_says_so_once_on_the_sign_in_page(client, person):
    sign_in(client, person)
    page = client.post(reverse("accounts:sign-out"), follow=True)
    assert page.redirect_chain == [(SIGN_IN, 302)]
    assert _title(page) == "Sign in \N{EN DASH} Find local services"
    text = _text(page)
    assert text.count("You have signed out") == 1
    assert "signed in as" not in text and "Logged out" not in text


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_signed_out_is_sent_to_sign_in_without_a_false_message(client, method):
    page = getattr(client, method)(reverse("accounts:sign-out"), follow=True)
    assert page.redirect_chain == [(SIGN_IN, 302)]
    text = _text(page)
    assert "You have signed out" not in text and "signed in as" not in text
    assert "Logged out" not in text
    assert not AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT).exists()


def test_staff_pages_send_anonymous_people_to_sign_in(client):
    response = client.get(reverse("accounts:rule-list"))
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next=/accounts/rules/"


def _reset_link(settings) -> str:
    body = mail.outbox[-1].body
    match = re.search(
        re.escape(settings.PORTAL_BASE_URL) + r"(/accounts/password/reset/\S+/)", body
    )
    assert match, body
    return match.group(1)


def test_a_password_reset_link_sets_a_new_password_once(client, person, settings):
    settings.PORTAL_BASE_URL = "https://directory.example.gov.uk"
    response = client.post(reverse("accounts:password-reset"), {"email": "Casey@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.email]
    link = _reset_link(settings)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"Choose a new password" in form.content
    weak = client.post(
        form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    assert weak.status_code == 200 and _title(weak).startswith("Error: ")
    assert b"This password is too short" in weak.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, actor=person).exists()
    again = client.get(link, follow=True)
    assert b"This link has expired or been used" in again.content


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert mail.outbox == []


def test_a_reset_lifts_a_lock_out(client, person, settings):
    for _ in range(5):
        _sign_in(client, person.email, "guess")
    client.post(reverse("accounts:password-reset"), {"email": person.email})
    form = client.get(_reset_link(settings), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert _sign_in(client, person.email, NEW_PASSWORD).status_code == 302


def test_changing_the_password_needs_the_current_one_and_a_strong_new_one(client, person):
    sign_in(client, person)
    url = reverse("accounts:password-change")
    wrong = client.post(
        url,
        {"old_password": "nope", "new_password1": "casey1", "new_password2": "casey1"},
    )
    html = wrong.content.decode()
    assert _title(wrong) == "Error: Change your password \N{EN DASH} Find local services"
    assert "Your current password is not correct" in html
    assert "This password is too short" in html
    response = client.post(
        url,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # Still signed in.
    assert client.get(reverse("accounts:account")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == 1


def test_refusals_and_missing_pages_are_gov_uk_pages(client, person):
    sign_in(client, person)
    refused = client.get(reverse("accounts:audit-log"))
    assert refused.status_code == 403
    assert "govuk-header" in refused.content.decode()
    assert _title(refused).startswith("You do not have permission")
    missing = client.get("/accounts/partners/999999/")
    assert missing.status_code in (403, 404)
    assert "govuk-header" in client.get("/no-such-page/").content.decode()


def test_the_account_page_lists_roles_and_offers_two_factor(client, person):
    sign_in(client, person, verified=False)
    html = client.get(reverse("accounts:account")).content.decode()
    assert "casey@example.org" in html
    assert "You have no role at a partner yet" in html
    assert reverse("accounts:two-factor-setup") in html

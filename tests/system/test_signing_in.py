"""Signing in and out as each demo role, a wrong password, a lock-out, and two-factor set-up."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import User
from tests.auth import totp_device
from tests.system.people import (
    PARTNER_ADMIN,
    app_code,
    code_from_key,
    emailed_path,
    key_from_set_up_page,
    person_email,
    sign_in,
    sign_out,
    try_a_wrong_code,
)

NEW_PASSWORD = "a fresh and private passphrase"

# Who owes two-factor authentication (with DEBUG off): who may assure or manage members.
NEEDS_TWO_FACTOR = {
    "admin@people.test",
    "assurer@people.test",
    "area-assurer@people.test",
    PARTNER_ADMIN,
}


def test_every_demo_role_signs_in_and_out(portal, world):
    for number, account in enumerate(DEMO_ACCOUNTS):
        email = person_email(account.email)
        user = User.objects.get(email=email)
        if email in NEEDS_TWO_FACTOR:
            totp_device(user)
        # Half press the button, half press Enter: both must send the form.
        sign_in(portal, email, world.password, press_enter=number % 2 == 1)
        assert portal.heading() == "Your work", email
        portal.nav("Your account")
        portal.sees(email)
        if account.partner_slug:
            portal.sees(user.memberships.get().partner.name)
        sign_out(portal)


def test_a_wrong_password_is_refused_then_the_account_locks(portal, world):
    portal.visit("/").nav("Staff sign in")
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        portal.type("Email address", "worker@people.test").type("Password", f"wrong-{attempt}")
        portal.press("Sign in")
        assert portal.heading() == "Sign in"
        assert portal.error_summary() == ["Enter a correct email address and password"]
        assert portal.page.title().startswith("Error: ")
    portal.type("Email address", "worker@people.test").type("Password", "wrong-again")
    portal.press("Sign in")
    assert portal.heading() == "You have been locked out"
    # Even the right password is refused until the lock-out ends.
    portal.visit("/accounts/sign-in/")
    portal.type("Email address", "worker@people.test").type("Password", world.password)
    portal.press("Sign in")
    assert portal.heading() == "You have been locked out"


def test_an_empty_form_gets_error_messages_not_browser_bubbles(portal, world):
    portal.visit("/").nav("Staff sign in")
    portal.press("Sign in")
    assert portal.error_summary() == ["Enter your email address", "Enter your password"]
    portal.type("Email address", "not an email address").type("Password", "x")
    portal.press("Sign in")
    assert portal.heading() == "Sign in"
    assert portal.error_summary()


def test_two_factor_set_up_then_verify_at_the_next_sign_in(portal, world):
    # A partner admin owes two-factor authentication and has no app yet. Their password alone
    # does not let them set one up (whoever stole it could enrol their own phone): they reset
    # their password from the emailed link, and the browser that used it may set up an app.
    sign_in(portal, PARTNER_ADMIN, world.password)
    assert portal.heading() == "You need a link to set up two-factor authentication"
    portal.follow("Reset your password")
    portal.type("Email address", PARTNER_ADMIN).press("Send me a reset link")
    assert portal.heading() == "Check your email"
    portal.visit(emailed_path(PARTNER_ADMIN, r"/accounts/password/reset/[^\s]+/"))
    portal.type("New password", NEW_PASSWORD).type("Confirm new password", NEW_PASSWORD)
    portal.press("Change password")
    assert portal.heading() == "Your password has been changed"
    # Signing in again leads to set-up, where they type the key into their app (the test
    # computes what the app shows).
    sign_in(portal, PARTNER_ADMIN, NEW_PASSWORD)
    assert portal.heading() == "Set up two-factor authentication"
    key = key_from_set_up_page(portal)
    try_a_wrong_code(portal, PARTNER_ADMIN, code_from_key(key))
    portal.type("Security code", code_from_key(key))
    portal.press("Continue")
    portal.sees("Two-factor authentication is set up")
    assert portal.heading() == "Save your recovery codes"
    portal.press("I have saved my recovery codes")
    sign_out(portal)

    # Next time: password, then the code (a wrong one first).
    portal.type("Email address", PARTNER_ADMIN).type("Password", NEW_PASSWORD)
    portal.press("Sign in")
    assert portal.heading() == "Enter your security code"
    portal.type("Security code", "12345")
    portal.press("Continue")
    user = User.objects.get(email=PARTNER_ADMIN)
    assert portal.error_summary() == ["The security code must be 6 numbers, like 123456"]
    try_a_wrong_code(portal, PARTNER_ADMIN, app_code(user))
    portal.type("Security code", app_code(user))
    portal.enter("Security code")
    assert portal.heading() == "Your work"
    portal.nav("Your account")
    portal.sees(PARTNER_ADMIN)


@pytest.mark.parametrize("path", ["/accounts/", "/accounts/rules/", "/accounts/audit/"])
def test_staff_pages_send_a_signed_out_person_to_sign_in(portal, world, path):
    portal.visit(path)
    assert portal.heading() == "Sign in"

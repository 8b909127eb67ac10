"""A person's own account: a forgotten password reset from the emailed link, a password change,
and two-factor authentication turned on and off again by someone who does not owe it."""

from __future__ import annotations

from tests.system.people import (
    code_from_key,
    emailed_path,
    key_from_set_up_page,
    sign_in,
    sign_out,
)

WORKER = "worker@people.test"
NEW_PASSWORD = "a fresh and private passphrase"


def test_reset_a_forgotten_password_from_the_emailed_link(open_portal, world):
    portal = open_portal()
    portal.visit("/").nav("Staff sign in")
    portal.follow("I have forgotten my password")
    portal.press("Send me a reset link")
    assert portal.error_summary() == ["Enter an email address"]
    portal.type("Email address", WORKER).enter("Email address")
    assert portal.heading() == "Check your email"

    # The link opens in the browser the person reads their email in.
    reader = open_portal()
    reader.visit(emailed_path(WORKER, r"/accounts/password/reset/[^\s]+/"))
    assert reader.heading() == "Choose a new password"
    reader.type("New password", NEW_PASSWORD).type("Confirm new password", "something else")
    reader.press("Change password")
    assert reader.error_summary() == ["The passwords do not match"]
    reader.type("New password", NEW_PASSWORD).type("Confirm new password", NEW_PASSWORD)
    reader.press("Change password")
    assert reader.heading() == "Your password has been changed"

    sign_in(portal, WORKER, NEW_PASSWORD)
    assert portal.heading() == "Your work"


def test_change_password_then_set_up_and_turn_off_two_factor(portal, world):
    sign_in(portal, WORKER, world.password)
    portal.nav("Your account")
    portal.follow("Change password")
    portal.type("Current password", "not my password")
    portal.type("New password", NEW_PASSWORD).type("Confirm new password", NEW_PASSWORD)
    portal.press("Change password")
    assert portal.error_summary() == ["Your current password is not correct"]
    portal.type("Current password", world.password)
    portal.type("New password", NEW_PASSWORD).type("Confirm new password", NEW_PASSWORD)
    portal.press("Change password")
    portal.sees("Your password has been changed")

    # A frontline worker may choose two-factor authentication, and turn it off again.
    portal.follow("Set it up")
    assert portal.heading() == "Set up two-factor authentication"
    portal.type("Security code", code_from_key(key_from_set_up_page(portal))).press("Continue")
    portal.sees("Two-factor authentication is set up")
    # Recovery codes come next, shown once.
    assert portal.heading() == "Save your recovery codes"
    portal.press("I have saved my recovery codes")
    portal.follow("Turn off two-factor")
    portal.type("Your password", "wrong").press("Turn off two-factor authentication")
    assert portal.error_summary()
    portal.type("Your password", NEW_PASSWORD).press("Turn off two-factor authentication")
    portal.sees("Two-factor authentication is off")
    sign_out(portal)
    sign_in(portal, WORKER, NEW_PASSWORD)
    assert portal.heading() == "Your work"

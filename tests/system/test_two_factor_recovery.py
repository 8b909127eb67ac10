"""A lost phone: a directory admin resets the person's second factor, the person follows the
emailed set-up link, sets up a new app, saves recovery codes, and later signs in with one."""

from __future__ import annotations

from django_otp.plugins.otp_static.models import StaticDevice

from tests.auth import totp_device
from tests.system.people import (
    code_from_key,
    emailed_path,
    key_from_set_up_page,
    person_email,
    sign_in,
    sign_out,
)

ADMIN = person_email("admin@demo.example")
ASSURER = person_email("assurer@demo.example")
SET_UP_LINK = r"/accounts/two-factor/set-up/[^/\s]+/"


def test_an_admin_resets_a_lost_phone_and_a_recovery_code_signs_in_later(open_portal, world):
    totp_device(world.user(ASSURER))  # the phone the assurer has lost
    totp_device(world.user(ADMIN))

    admin = open_portal()
    sign_in(admin, ADMIN, world.password)
    admin.nav("Partners")
    admin.follow("Hull CVS (demo)")
    partner_path = admin.path
    admin.follow(f"Reset two-factor of {ASSURER}")
    assert admin.heading() == "Reset two-factor authentication for " + (
        world.user(ASSURER).display_name + "?"
    )
    admin.sees("Their authenticator app will stop working at once")
    admin.press("Reset two-factor authentication")
    assert admin.path == partner_path
    admin.sees(f"Two-factor authentication for {ASSURER} has been reset")

    # The assurer opens the emailed link in their own browser, and signs in from it.
    person = open_portal()
    person.visit(emailed_path(ASSURER, SET_UP_LINK))
    assert person.heading() == "Set up two-factor authentication again"
    person.press("Sign in")
    assert person.heading() == "Sign in"
    person.type("Email address", ASSURER).type("Password", world.password).press("Sign in")
    assert person.heading() == "Set up two-factor authentication again"
    person.press("Continue")
    assert person.heading() == "Set up two-factor authentication"
    key = key_from_set_up_page(person)
    person.type("Security code", code_from_key(key)).press("Continue")

    # The recovery codes, shown once.
    assert person.heading() == "Save your recovery codes"
    person.sees("Two-factor authentication is set up")
    codes = person.page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    person.press("I have saved my recovery codes")
    assert person.heading() == "Your account"
    person.row("Recovery codes").get_by_text("10 left").wait_for()
    sign_out(person)

    # Later, without the phone: a recovery code instead of the app's code.
    person.type("Email address", ASSURER).type("Password", world.password).press("Sign in")
    assert person.heading() == "Enter your security code"
    person.page.get_by_text("I do not have my phone").click()
    person.follow("Use a recovery code")
    assert person.heading() == "Enter a recovery code"
    person.press("Continue")
    assert person.error_summary() == ["Enter a recovery code"]
    person.type("Recovery code", "aaaaa-bbbbb").press("Continue")
    assert person.error_summary() == ["The recovery code is not correct, or has already been used"]
    # django-otp makes the person wait after a wrong code; the test lifts the wait.
    StaticDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    person.type("Recovery code", codes[0]).enter("Recovery code")
    assert person.heading() == "Your work"
    person.sees("You have 9 recovery codes left")

    # New codes from the account page; the old ones stop working.
    person.nav("Your account")
    person.row("Recovery codes").get_by_text("9 left").wait_for()
    person.follow("Make new recovery codes")
    assert person.heading() == "Recovery codes"
    person.press("Make new recovery codes")
    assert person.heading() == "Save your recovery codes"
    new_codes = person.page.locator("#recovery-codes code").all_inner_texts()
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    person.press("I have saved my recovery codes")
    assert person.heading() == "Your account"


def test_the_password_alone_gets_a_page_that_says_how_to_get_a_link(portal, world):
    sign_in(portal, ASSURER, world.password)
    assert portal.heading() == "You need a link to set up two-factor authentication"
    portal.sees("Ask a directory admin for a set-up link, or reset your password")
    assert portal.page.locator("#secret-key").count() == 0
    portal.visit("/accounts/")
    assert portal.heading() == "You need a link to set up two-factor authentication"
    sign_out(portal)

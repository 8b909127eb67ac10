"""What a person does again and again in the journeys: sign in (with a security code if they have
an authenticator app) and sign out, through the pages, by typing and clicking."""

from __future__ import annotations

import base64
import re

from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.backends import DEMO_EMAIL_DOMAIN
from accounts.models import Partner, RuleKind, User
from accounts.policy import Action, objects_user_can
from accounts.services import rule_create
from accounts.views.auth import WRONG_CODE
from directory.models import Service
from tests.auth import totp_device
from tests.system.browser import Portal

# The demo accounts cannot sign in with DEBUG off (accounts.backends), and the browser tests run
# with DEBUG off, as a live portal does: the demo people move to an address of their own.
TESTED_DOMAIN = "@people.test"


def person_email(demo_email: str) -> str:
    return demo_email.replace(DEMO_EMAIL_DOMAIN, TESTED_DOMAIN)


PARTNER_ADMIN = person_email("partner-admin@demo.example")


def code_from_key(key_text: str, *, step: int = 30, digits: int = 6) -> str:
    """What an authenticator app shows for a key typed from the set-up page ("ABCD EFGH ...")."""
    secret = key_text.replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, step=step, digits=digits):0{digits}d}"


def app_code(user: User) -> str:
    """The code the person's authenticator app shows now.

    django-otp refuses a code from a time step it has already accepted (no replay). A person
    signing in twice within 30 seconds would wait for the next code; the test forgets the last
    step instead of waiting.
    """
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):0{device.digits}d}"


def wait_out_wrong_codes(email: str) -> None:
    """After a wrong code, django-otp makes the person wait (1 s, then 2 s, ...) before the next
    try; the test lifts the wait rather than sleeping through it."""
    TOTPDevice.objects.filter(user__email=email).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def emailed_path(to: str, pattern: str) -> str:
    """The path of the portal link (matching `pattern`) in the one email sent to `to`."""
    (message,) = [message for message in mail.outbox if to in message.to]
    match = re.search(rf"https?://[^/\s]+({pattern})", message.body)
    assert match, message.body
    return match.group(1)


INVITATION_LINK = r"/accounts/invitations/[^/\s]+/"


def key_from_set_up_page(portal: Portal) -> str:
    """The key the two-factor set-up page shows for typing into an app (instead of the QR code)."""
    portal.page.get_by_text("I cannot scan the QR code").click()
    return portal.page.locator("#secret-key").inner_text()


def try_a_wrong_code(portal: Portal, email: str, right_code: str) -> None:
    """Type a code that is not the app's, see it refused, and wait out the pause it costs."""
    portal.type("Security code", "000000" if right_code != "000000" else "111111")
    portal.press("Continue")
    assert portal.error_summary() == [WRONG_CODE]
    wait_out_wrong_codes(email)


def open_partner_as_its_admin(portal: Portal, password: str) -> Portal:
    """The Hull CVS partner admin, signed in with their app, on their partner's page."""
    totp_device(User.objects.get(email=PARTNER_ADMIN))
    sign_in(portal, PARTNER_ADMIN, password)
    portal.nav("Partners")
    portal.follow("Hull CVS (demo)")
    return portal


def invite(portal: Portal, email: str, *roles: str) -> Portal:
    """From a partner's page, invite someone with these roles."""
    portal.press("Invite someone")
    portal.type("Email address", email)
    for role in roles:
        portal.choose(role)
    return portal.press("Send invitation")


def sign_in(portal: Portal, email: str, password: str, *, press_enter: bool = False) -> Portal:
    """From the home page to the first page after signing in (the security code too, if asked)."""
    portal.visit("/").nav("Staff sign in")
    assert portal.heading() == "Sign in"
    portal.type("Email address", email).type("Password", password)
    if press_enter:
        portal.enter("Password")
    else:
        portal.press("Sign in")
    if portal.heading() == "Enter your security code":
        portal.type("Security code", app_code(User.objects.get(email=email)))
        if press_enter:
            portal.enter("Security code")
        else:
            portal.press("Continue")
    return portal


def sign_out(portal: Portal) -> Portal:
    portal.nav("Sign out")
    assert portal.heading() == "Sign out"
    portal.press("Sign out")
    portal.sees("You have signed out")
    assert portal.heading() == "Sign in"
    return portal


def providers_service_the_assurer_assures() -> Service:
    """One of the demo provider's services, allocated to the assurer's partner (Hull CVS)."""
    provider, assurer = (
        User.objects.get(email=person_email("provider@demo.example")),
        User.objects.get(email=person_email("assurer@demo.example")),
    )
    theirs = objects_user_can(provider, Action.SUBMIT, Service.objects.all()).order_by("name")
    service = objects_user_can(assurer, Action.ASSURE, theirs).first()
    if service is None:
        service = theirs.first()
        rule_create(
            actor=User.objects.get(email=person_email("admin@demo.example")),
            partner=Partner.objects.get(slug="demo-hull-cvs"),
            kind=RuleKind.SERVICE,
            service=service,
        )
    assert objects_user_can(assurer, Action.ASSURE, Service.objects.filter(pk=service.pk))
    return service

"""A partner admin invites someone, the invitee accepts from the emailed link, the admin changes
their roles and then removes them."""

from __future__ import annotations

from django.core import mail

from accounts.models import User
from tests.auth import totp_device
from tests.system.people import (
    INVITATION_LINK,
    emailed_path,
    invite,
    open_partner_as_its_admin,
    sign_in,
)

NEWCOMER = "sam.newcomer@example.org"


def test_invite_accept_change_roles_remove(open_portal, world, live_server):
    admin = open_portal()
    totp_device(User.objects.get(email="partner-admin@people.test"))
    sign_in(admin, "partner-admin@people.test", world.password)
    admin.nav("Your account")
    admin.follow("Your partners' members")
    admin.follow("Hull CVS (demo)")
    partner_path = admin.path
    admin.press("Invite someone")

    # Nothing typed: GOV.UK error messages, not the browser's bubbles.
    admin.press("Send invitation")
    assert len(admin.error_summary()) == 2
    admin.type("Email address", NEWCOMER).choose("Frontline worker")
    admin.press("Send invitation")
    assert admin.path == partner_path
    admin.sees(f"We have sent an invitation to {NEWCOMER}")
    admin.row(NEWCOMER).get_by_text("Pending").wait_for()

    # The newcomer opens the link in the email, in their own browser.
    (message,) = [m for m in mail.outbox if NEWCOMER in m.to]
    assert live_server.url in message.body, "the link names the address the server listens on"
    newcomer = open_portal()
    newcomer.visit(emailed_path(NEWCOMER, INVITATION_LINK))
    newcomer.sees("You have been invited to join Hull CVS (demo)")
    newcomer.type("First name", "Sam").type("Last name", "Newcomer")
    newcomer.type("Create a password", "a long and private passphrase")
    newcomer.type("Confirm password", "a long and private passphrase")
    newcomer.press("Create account")
    assert newcomer.heading() == "Your account"
    newcomer.row("Hull CVS (demo)").get_by_text("Frontline worker").wait_for()

    # The admin sees them as a member, and gives them a second role.
    admin.visit(partner_path)
    admin.row(NEWCOMER).get_by_text("Sam Newcomer").wait_for()
    admin.follow(f"Change roles of {NEWCOMER}")
    admin.choose("Provider editor")
    admin.press("Save roles")
    admin.sees(f"The roles of {NEWCOMER} have been saved")
    row = admin.row(NEWCOMER)
    row.get_by_text("Frontline worker").wait_for()
    row.get_by_text("Provider editor").wait_for()

    # Then removes them from the partner: their account stays, with no role.
    admin.follow(f"Remove {NEWCOMER}")
    admin.sees("will lose these roles at Hull CVS (demo)")
    admin.press("Remove from partner")
    admin.sees(f"{NEWCOMER} has been removed from Hull CVS (demo)")
    admin.does_not_see("Sam Newcomer")
    newcomer.visit("/accounts/")
    newcomer.sees("You have no role at a partner yet.")

    # The link has done its work: opened again, it says so.
    newcomer.visit(emailed_path(NEWCOMER, INVITATION_LINK))
    assert newcomer.heading() == "This invitation has already been used"


def test_withdraw_an_invitation(open_portal, world):
    admin = open_partner_as_its_admin(open_portal(), world.password)
    invite(admin, NEWCOMER, "Assurer", "Frontline worker")
    admin.press(f"Withdraw the invitation to {NEWCOMER}")
    admin.sees(f"The invitation to {NEWCOMER} has been withdrawn")
    admin.does_not_see("Invitations not yet accepted")

    newcomer = open_portal()
    newcomer.visit(emailed_path(NEWCOMER, INVITATION_LINK))
    assert newcomer.heading() == "This invitation has been withdrawn"

"""Pages around the journeys: accepting an invitation with an existing account, the API's
documentation page, and the pages for a refused or missing address."""

from __future__ import annotations

from accounts.models import Membership, Role
from tests.system.people import (
    INVITATION_LINK,
    emailed_path,
    invite,
    open_partner_as_its_admin,
    sign_in,
)

WORKER = "worker@people.test"


def test_an_existing_account_signs_in_to_accept_an_invitation(open_portal, world):
    invite(open_partner_as_its_admin(open_portal(), world.password), WORKER, "Frontline worker")
    worker = open_portal()
    worker.visit(emailed_path(WORKER, INVITATION_LINK))
    worker.sees(f"There is already an account for {WORKER}")
    worker.press("Sign in")
    worker.type("Email address", WORKER).type("Password", world.password).press("Sign in")
    worker.sees("You have been invited to join Hull CVS (demo)")
    worker.press("Accept invitation")
    assert worker.heading() == "Your account"
    assert Membership.objects.filter(
        user__email=WORKER, partner__slug="demo-hull-cvs", role=Role.FRONTLINE_WORKER
    ).exists()


def test_the_api_documentation_page(portal, world):
    portal.visit("/")
    portal.follow("Open data API")
    assert portal.heading() == "Open data API"
    portal.sees("GET /services")


def test_refused_and_missing_pages(portal, world):
    sign_in(portal, WORKER, world.password)
    portal.visit("/accounts/rules/")
    assert portal.page.title().startswith(portal.heading())
    portal.sees("You do not have permission")
    portal.visit("/no-such-page/")
    portal.sees("Page not found")

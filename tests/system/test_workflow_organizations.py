"""The demo provider changes their organisation's description and sends it; the open feed keeps
the old one until a directory admin approves it in the review screen, and then shows it."""

from __future__ import annotations

from accounts.models import Partner, User
from publish.services import publishable_services, services_publish
from tests.auth import totp_device
from tests.system.browser import Portal
from tests.system.people import person_email, sign_in, sign_out
from workflow.models import ChangeRequest, State, Subject

PROVIDER = person_email("provider@demo.example")
ADMIN = person_email("admin@demo.example")
NEW_DESCRIPTION = "Advice and support for families across Hull, in person and by phone."


def feed_description(portal: Portal, organization_id) -> str | None:
    """The organisation's description as the open feed serves it (asked as an API client)."""
    answer = portal.page.request.get(f"/api/v3/organizations/{organization_id}")
    assert answer.status == 200, answer.text()
    return answer.json().get("description")


def test_a_provider_changes_their_organisation_and_an_admin_approves_it(portal, world):
    organization = Partner.objects.get(slug="demo-provider").organizations.order_by("name")[0]
    # The demo seed leaves publishing to the background work: the organisation is in the feed
    # once one of its services is.
    services_publish(
        service_ids=list(
            publishable_services().filter(organization=organization).values_list("pk", flat=True)
        )
    )
    old_description = organization.description
    totp_device(User.objects.get(email=PROVIDER))
    sign_in(portal, PROVIDER, world.password)
    assert feed_description(portal, organization.pk) == old_description

    portal.visit(f"/staff/organisations/{organization.pk}/")
    portal.press("Edit organisation details")
    assert portal.heading() == "Change the organisation's details"
    portal.follow("Name and description")
    portal.type("Description", NEW_DESCRIPTION).press("Save and continue")
    portal.sees("Name and description: your changes are saved as a draft")
    portal.press("Check your changes")
    portal.sees(NEW_DESCRIPTION)
    portal.press("Send")
    portal.sees("Your change has been sent for assurance")
    portal.row("Status").get_by_text("Waiting for assurance").wait_for()
    assert feed_description(portal, organization.pk) == old_description
    sign_out(portal)

    totp_device(User.objects.get(email=ADMIN))
    sign_in(portal, ADMIN, world.password)
    portal.visit("/staff/assurance/")
    portal.follow(f"Organisation details: {organization.name}")
    assert portal.heading() == f"Review the change to the details of {organization.name}"
    portal.row("Description").get_by_text(NEW_DESCRIPTION).wait_for()
    portal.choose("Approve the accepted changes")
    portal.press("Send decision")
    portal.sees(f"{organization.name}: the description is published")

    change = ChangeRequest.objects.get(subject=Subject.ORGANIZATION, organization=organization)
    assert change.state == State.APPROVED
    assert feed_description(portal, organization.pk) == NEW_DESCRIPTION

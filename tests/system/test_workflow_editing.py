"""A provider edits one of their services section by section (its name, a phone number, a
"second Tuesday" session), checks and sends it: the open feed still serves the old record while
the change waits for assurance. A frontline worker suggests a change to another service."""

from __future__ import annotations

from accounts.models import Partner
from directory.models import Service
from publish.services import publishable_services, services_publish
from tests.auth import totp_device
from tests.system.browser import Portal
from tests.system.people import sign_in
from workflow.models import ChangeRequest, Source, State

PROVIDER = "provider@people.test"
WORKER = "worker@people.test"
NEW_NAME = "Tuesday Lunch and Chat"
NEW_PHONE = "01632 960 555"


def feed_name(portal: Portal, service: Service) -> str | None:
    """The service's name as the open feed serves it (asked as an API client, not a page)."""
    answer = portal.page.request.get(f"/api/v3/services/{service.pk}")
    assert answer.status in (200, 404)
    return answer.json()["name"] if answer.status == 200 else None


def signed_in(portal: Portal, world, email: str) -> Portal:
    totp_device(world.user(email))
    return sign_in(portal, email, world.password)


def test_a_provider_edits_a_service_and_sends_it_for_assurance(portal, world):
    organizations = Partner.objects.get(slug="demo-provider").organizations.all()
    theirs = list(publishable_services().filter(organization__in=organizations).order_by("name"))
    # The demo seed leaves publishing to the background work; the feed also leaves out services
    # assured too long ago, so take one of theirs it serves.
    services_publish(service_ids=[s.pk for s in theirs])
    signed_in(portal, world, PROVIDER)
    service = next(s for s in theirs if feed_name(portal, s) == s.name)
    old_name = service.name

    portal.visit(f"/staff/services/{service.pk}/")
    portal.press("Edit this service")
    assert portal.heading() == f"Change {old_name}"

    portal.follow("Name and description")
    portal.type("Service name", NEW_NAME).press("Save and continue")
    portal.sees("Name and description: your changes are saved as a draft")
    task = portal.page.locator(".govuk-task-list__item").filter(has_text="Name and description")
    task.get_by_text("Changed", exact=True).wait_for()

    portal.follow("Contacts and phone numbers")
    portal.follow("Add a phone number")
    portal.press("Save and continue")
    assert portal.error_summary() == ["Enter a phone number"]
    portal.type("Phone number", NEW_PHONE).press("Save and continue")
    portal.sees("The phone number has been added").sees(NEW_PHONE)
    portal.follow("Back to the sections")

    portal.follow("When it runs")
    portal.follow("Add a session")
    portal.choose("Once a month")
    portal.select("Week of the month", "Second").select("Day of the week", "Tuesday")
    portal.type("Opening time", "10:00").type("Closing time", "12:00")
    portal.press("Save and continue")
    portal.sees("Second Tuesday of the month, 10:00 to 12:00")
    portal.follow("Back to the sections")

    portal.press("Check your changes")
    portal.sees(NEW_NAME).sees(NEW_PHONE).sees("Second Tuesday of the month")
    portal.press("Send")
    portal.sees("Your change has been sent for assurance")
    portal.row("Status").get_by_text("Waiting for assurance").wait_for()

    change_request = ChangeRequest.objects.get(service=service)
    assert (change_request.state, change_request.source) == (State.SUBMITTED, Source.PROVIDER)
    assert Service.objects.get(pk=service.pk).name == old_name
    assert feed_name(portal, service) == old_name


def test_a_frontline_worker_suggests_a_change_to_another_service(portal, world):
    organizations = Partner.objects.get(slug="demo-provider").organizations.all()
    service = Service.objects.exclude(organization__in=organizations).order_by("name")[0]
    signed_in(portal, world, WORKER)

    portal.visit(f"/staff/services/{service.pk}/")
    portal.press("Suggest a change")
    portal.follow("Contacts and phone numbers")
    portal.follow("Add a phone number")
    portal.type("Phone number", NEW_PHONE).type("What the number is for (optional)", "Bookings")
    portal.press("Save and continue")
    portal.follow("Back to the sections")
    portal.press("Check your changes")
    portal.type("Anything the assurer should know? (optional)", "They told me on the phone")
    portal.press("Send")
    portal.sees("Your change has been sent for assurance")
    portal.row("Source").get_by_text("Frontline worker's suggestion").wait_for()

    change_request = ChangeRequest.objects.get(service=service)
    assert change_request.source == Source.FRONTLINE and change_request.state == State.SUBMITTED
    assert change_request.proposed["phones"][-1]["number"] == NEW_PHONE

    portal.nav("Your changes")
    portal.row(service.name).get_by_text("Waiting for assurance").wait_for()

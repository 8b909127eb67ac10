"""The whole loop as people live it, each in their own browser: a provider changes a service and
sends it; the allocated assurer accepts two parts and not the third; the open feed then serves
exactly the accepted parts, assured today; the provider reads the outcome. A frontline worker's
suggestion reaches the right assurer, and the decision reaches the worker."""

from __future__ import annotations

from django.core import mail
from django.utils import timezone

from directory.models import Service
from publish.services import services_publish
from tests.auth import totp_device
from tests.system.browser import Portal
from tests.system.people import person_email, providers_service_the_assurer_assures, sign_in
from workflow.models import ChangeRequest, Source, State

PROVIDER = person_email("provider@demo.example")
ASSURER = person_email("assurer@demo.example")
WORKER = person_email("worker@demo.example")
NEW_NAME = "Riverside money advice"
NEW_DESCRIPTION = "Advice on money, debt and benefits. No appointment needed."
NEW_PHONE = "01632 960 321"


def signed_in(portal: Portal, world, email: str) -> Portal:
    totp_device(world.user(email))
    return sign_in(portal, email, world.password)


def in_the_feed(portal: Portal, service: Service) -> dict:
    answer = portal.page.request.get(f"/api/v3/services/{service.pk}")
    assert answer.status == 200, answer.status
    return answer.json()


def test_a_providers_change_is_assured_field_by_field_and_the_provider_sees_the_outcome(
    open_portal, world
):
    service = providers_service_the_assurer_assures()
    Service.objects.filter(pk=service.pk).update(assured_date=timezone.localdate())
    services_publish(service_ids=[service.pk])
    old_description = service.description
    old_phones = [phone.number for phone in service.phones.all()]

    provider = signed_in(open_portal(), world, PROVIDER)
    assert provider.heading() == "Your work"
    provider.follow(service.name, within=provider.page.locator("main"))
    provider.press("Edit this service")
    provider.follow("Name and description")
    provider.type("Service name", NEW_NAME).type("Description", NEW_DESCRIPTION)
    provider.press("Save and continue")
    provider.follow("Contacts and phone numbers")
    provider.follow("Add a phone number")
    provider.type("Phone number", NEW_PHONE).press("Save and continue")
    provider.follow("Back to the sections")
    provider.press("Check your changes")
    provider.press("Send")
    provider.sees("Your change has been sent for assurance")
    # Nothing reaches the open feed before an assurer decides.
    assert in_the_feed(provider, service)["name"] == service.name
    assert any(ASSURER in message.to for message in mail.outbox)

    assurer = signed_in(open_portal(), world, ASSURER)
    assurer.nav("Assurance")
    assurer.follow(service.name)
    assurer.untick("Accept the change to Description")
    assurer.choose("Approve the accepted changes")
    assurer.press("Send decision")
    assurer.sees(f"{NEW_NAME}: the name and phone numbers are published")

    published = in_the_feed(assurer, service)
    assert published["name"] == NEW_NAME
    assert published["description"] == old_description
    assert sorted(phone["number"] for phone in published["phones"]) == sorted(
        [*old_phones, NEW_PHONE]
    )
    assert published["assured_date"] == timezone.localdate().isoformat()

    provider.nav("Your changes")
    provider.follow(NEW_NAME)
    provider.row("Status").get_by_text("Partly approved").wait_for()
    provider.sees("Phone numbers")
    change = ChangeRequest.objects.get(service=service)
    assert (change.state, change.accepted_fields) == (State.PARTLY_APPROVED, ["name", "phones"])


def test_a_frontline_suggestion_reaches_the_allocated_assurer_and_the_decision_the_worker(
    open_portal, world
):
    service = providers_service_the_assurer_assures()
    worker = signed_in(open_portal(), world, WORKER)
    worker.visit("/staff/")
    worker.type("Service or organisation name", service.name).press("Search")
    # Names repeat across organisations: the row also names the organisation.
    result = worker.page.locator("tr").filter(has_text=service.organization.name)
    worker.follow(service.name, within=result.filter(has_text=service.name))
    worker.press("Suggest a change")
    worker.follow("Name and description")
    worker.type("Service name", "A name the worker heard").press("Save and continue")
    worker.press("Check your changes")
    worker.press("Send")
    worker.sees("Your change has been sent for assurance")
    change = ChangeRequest.objects.get(service=service, proposer__email=WORKER)
    assert change.source == Source.FRONTLINE
    (told,) = [message for message in mail.outbox if service.name in message.subject]
    assert told.to == [ASSURER]

    assurer = signed_in(open_portal(), world, ASSURER)
    assurer.nav("Assurance")
    assurer.follow(service.name)
    assurer.choose("Reject the proposal")
    assurer.press("Send decision")
    assert assurer.error_summary()
    assurer.choose("Reject the proposal")
    assurer.type("Why is it rejected?", "The sign outside still shows the old name")
    assurer.press("Send decision")
    assert Service.objects.get(pk=service.pk).name == service.name

    (outcome,) = [message for message in mail.outbox if message.to == [WORKER]]
    assert "The sign outside still shows the old name" in outcome.body
    worker.nav("Your changes")
    worker.follow(service.name)
    worker.row("Status").get_by_text("Rejected").wait_for()
    worker.sees("The sign outside still shows the old name")

"""A member of the public reports a wrong phone number on a published listing: the service's
assurer is told, approves it, and the reporter hears the outcome. A bot filling the honeypot
gets the same "thank you" and saves nothing."""

from __future__ import annotations

import io

from django.core import mail
from django.core.management import call_command

from accounts.policy import Action, user_can
from directory.models import Service
from tests.system.browser import Portal
from tests.system.people import person_email
from workflow import services as ws
from workflow.models import ChangeRequest, Source, State

ASSURER = person_email("assurer@demo.example")
REPORTER = "reporter@example.net"
NEW_NUMBER = "01482 111 222"


def published_service_assured_by(email: str, world) -> Service:
    """A demo service in the open feed that this person assures."""
    # The demo is imported in bulk, which publishes nothing: the feed is built as a deployment
    # builds it after an import.
    call_command("rebuild_snapshots", stdout=io.StringIO())
    assurer = world.user(email)
    published = Service.objects.filter(published__isnull=False).order_by("name")
    service = next((s for s in published if user_can(assurer, Action.ASSURE, s)), None)
    assert service is not None, f"the demo publishes no service that {email} assures"
    return service


def open_report_form(portal: Portal, service: Service) -> Portal:
    portal.visit(f"/services/{service.pk}/report/")
    assert portal.heading() == f"Report a problem with {service.name}"
    return portal


def test_a_public_report_reaches_the_assurer_and_the_outcome_the_reporter(portal: Portal, world):
    service = published_service_assured_by(ASSURER, world)
    open_report_form(portal, service)
    portal.press("Send report")
    assert portal.error_summary() == ["Select what is wrong"]

    portal.choose("Phone number")
    portal.type("What should the phone number be?", NEW_NUMBER)
    portal.type("Your email address (optional)", REPORTER)
    portal.press("Send report")
    assert portal.heading() == "Thank you for your report"
    portal.sees("If you left your email address, we will email you")

    report = ChangeRequest.objects.get(service=service)
    assert (report.source, report.state, report.proposer_email) == (
        Source.PUBLIC,
        State.SUBMITTED,
        REPORTER,
    )
    (told,) = [m for m in mail.outbox if service.name in m.subject]
    assert ASSURER in told.to
    assert REPORTER not in told.to

    mail.outbox.clear()
    ws.change_request_approve(actor=world.user(ASSURER), change_request=report, accepted=["phones"])
    (outcome,) = mail.outbox
    assert outcome.to == [REPORTER]
    assert "has been approved" in outcome.body
    assert service.phones.get().number == NEW_NUMBER


def test_a_bot_that_fills_the_honeypot_saves_nothing(portal: Portal, world):
    service = published_service_assured_by(ASSURER, world)
    open_report_form(portal, service)
    portal.choose("The service has closed")
    # A bot fills every field it finds in the page, the hidden one too.
    portal.page.locator("input[name=website]").fill("http://spam.example", force=True)
    portal.press("Send report")
    assert portal.heading() == "Thank you for your report"
    assert not ChangeRequest.objects.exists()
    assert mail.outbox == []

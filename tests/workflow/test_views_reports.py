"""The public "report a problem" form: anyone may send it for a published service; bad input is a
GOV.UK error, bots and floods save nothing."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from publish.models import PublishedService
from publish.services import services_publish
from tests.accounts.matrix import build_world
from tests.auth import sign_in
from workflow import services as ws
from workflow.documents import current_document
from workflow.models import ChangeRequest, ReportPart, Source, State
from workflow.views.reports import MAX_REPORT_BYTES, TOO_MANY

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    services_publish(service_ids=[s.pk for s in world.services.values()])
    return world


@pytest.fixture
def service(world):
    return world.services["own"]


def url(service, name="workflow:report"):
    return reverse(name, args=[service.pk])


def report(client, service, **data):
    form = {"part": ReportPart.PHONE, "phone": "01482 300 300", **data}
    return client.post(url(service), form)


def test_anyone_sees_the_form_named_for_the_published_service(client, service):
    response = client.get(url(service))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Report a problem with {service.name}" in html
    assert service.organization.name in html
    for part in ReportPart:
        assert part.label in html
    # Without JavaScript each option's question is simply on the page, under its option.
    for label in (
        "What should the phone number be?",
        "What should the address be?",
        "What should the opening times be?",
        "When did it close? (optional)",
        "What should it say?",
    ):
        assert label in html
    assert "Leave your email address if you want to know what happens" in html


def test_the_honeypot_is_hidden_from_people_by_a_class_not_an_inline_style(client, service):
    html = client.get(url(service)).content.decode()
    assert re.search(r'class="app-honeypot"\s+aria-hidden="true"', html)
    field = html[html.index('name="website"') - 200 : html.index('name="website"') + 200]
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "style=" not in html
    css = (Path(settings.BASE_DIR) / "static" / "app" / "app.css").read_text()
    assert ".app-honeypot {" in css


@pytest.mark.parametrize(
    "path",
    [
        "/services/{unpublished}/report/",
        "/services/{missing}/report/",
        "/services/not-a-uuid/report/",
        "/services/{unpublished}/report/sent/",
    ],
)
def test_services_outside_the_open_feed_have_no_report_page(client, world, path):
    unpublished = world.services["unallocated"]
    PublishedService.objects.filter(pk=unpublished.pk).delete()
    address = path.format(unpublished=unpublished.pk, missing=uuid.uuid4())
    assert client.get(address).status_code == 404
    assert client.post(address, {"part": ReportPart.CLOSED}).status_code == 404
    assert not ChangeRequest.objects.exists()


def test_a_report_from_the_public_reaches_the_assurer(
    client, service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = report(client, service, note="They moved", name="Sam", email="sam@example.net")
    assert response.status_code == 302
    assert response.url == url(service, "workflow:report-sent")
    change = ChangeRequest.objects.get()
    assert (change.source, change.state, change.report_part) == (
        Source.PUBLIC,
        State.SUBMITTED,
        ReportPart.PHONE,
    )
    assert change.proposed["phones"][0]["number"] == "01482 300 300"
    assert (change.proposer, change.proposer_name, change.proposer_email) == (
        None,
        "Sam",
        "sam@example.net",
    )
    assert "They moved" in change.note
    assert [m.to for m in mail.outbox] == [["assurer@example.org"]]
    assert AuditEvent.objects.filter(action=AuditAction.PROBLEM_REPORTED).count() == 1


def test_the_sent_page_thanks_and_says_what_happens(client, service):
    response = client.get(url(service, "workflow:report-sent"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thank you for your report" in html
    assert "If you left your email address, we will email you" in html


def test_a_signed_in_person_reports_as_themselves(client, world, service):
    worker = world.user("frontline_worker")
    sign_in(client, worker)
    report(client, service, part=ReportPart.CLOSED, closed="Last month")
    change = ChangeRequest.objects.get()
    assert change.proposer == worker
    assert change.proposed["status"] == "inactive"
    assert change.note == "The service has closed: Last month"
    assert AuditEvent.objects.get(action=AuditAction.PROBLEM_REPORTED).actor == worker


def test_a_signed_in_person_with_an_open_proposal_can_still_report(client, world, service):
    worker = world.user("frontline_worker")
    ws.change_request_save(
        actor=worker, service=service, proposed={**current_document(service), "fees": "£1"}
    )
    sign_in(client, worker)
    assert report(client, service).status_code == 302
    reported = ChangeRequest.objects.get(source=Source.PUBLIC)
    assert reported.contact_email == worker.email
    assert ChangeRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"part": ""}, "part", "Select what is wrong"),
        ({"part": "nonsense"}, "part", "Select what is wrong"),
        ({"phone": "call the office"}, "phone", "Enter a phone number, like 01632 960 001"),
        ({"phone": "12"}, "phone", "Enter a phone number, like 01632 960 001"),
        (
            {"phone": "0" * 51},
            "phone",
            "What should the phone number be must be 50 characters or fewer",
        ),
        (
            {"email": "not-an-address"},
            "email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            {"note": "x" * 2001},
            "note",
            "Anything else we should know (optional) must be 2000 characters or fewer",
        ),
        ({"name": "n" * 101}, "name", "Your name (optional) must be 100 characters or fewer"),
        ({"part": ReportPart.OTHER}, "other", "Enter what the listing should say"),
        ({"note": "bad\x00byte"}, "note", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_a_gov_uk_error_and_saves_nothing(client, service, data, field, message):
    response = report(client, service, **data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message]
    assert message in [entry["text"] for entry in form.error_summary]
    assert response.content.decode().count("<title>Error: ") == 1
    assert not ChangeRequest.objects.exists()


def test_what_was_typed_under_another_option_is_ignored(client, service):
    response = report(
        client, service, part=ReportPart.ADDRESS, address="2 New Road, HU1 1AA", phone="nonsense"
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.note.startswith("Address: 2 New Road, HU1 1AA")
    assert "nonsense" not in change.note


def test_a_filled_honeypot_gets_the_sent_page_and_saves_nothing(
    client, service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = report(client, service, website="http://spam.example")
    assert response.status_code == 302
    assert response.url == url(service, "workflow:report-sent")
    assert not ChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PROBLEM_REPORTED).exists()
    assert mail.outbox == []


def test_reports_are_limited_per_email_address(client, service, settings):
    settings.PORTAL_REPORTS_PER_HOUR = (2, 100)
    for _ in range(2):
        assert report(client, service, email="flood@example.net").status_code == 302
    refused = report(client, service, email="FLOOD@example.net")
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [TOO_MANY]
    assert ChangeRequest.objects.count() == 2
    # Another address from the same place is still heard.
    assert report(client, service, email="someone@example.net").status_code == 302


def test_reports_are_limited_per_client_address(client, service, settings):
    settings.PORTAL_REPORTS_PER_HOUR = (100, 2)
    for email in ("a@example.net", ""):
        assert report(client, service, email=email).status_code == 302
    refused = report(client, service, email="b@example.net")
    assert TOO_MANY in refused.content.decode()
    assert ChangeRequest.objects.count() == 2
    other_place = client.post(url(service), {"part": ReportPart.CLOSED}, REMOTE_ADDR="192.0.2.99")
    assert other_place.status_code == 302


def test_an_oversized_request_is_refused_unread(client, service):
    response = report(client, service, note="x" * (MAX_REPORT_BYTES + 1))
    assert response.status_code == 413
    assert not ChangeRequest.objects.exists()


def test_a_bad_content_length_is_refused_not_a_server_error(client, service):
    response = client.generic(
        "POST",
        url(service),
        b"part=closed",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="lots",
    )
    assert response.status_code == 413
    assert not ChangeRequest.objects.exists()

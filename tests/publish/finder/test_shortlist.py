"""The shortlist: kept in the session without an account, read from the published snapshots,
printed with QR codes, emailed by frontline workers (with a limit), and a service's sessions as
an iCalendar download."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from icalendar import Calendar

from directory import models as m
from publish.finder import calendar as finder_calendar
from publish.finder.shortlist import SESSION_KEY, Shortlist
from publish.models import PublishedService
from publish.services import services_publish
from tests.auth import sign_in
from tests.factories import (
    AddressFactory,
    OrganizationFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

ADD, REMOVE, CLEAR = "/shortlist/add/", "/shortlist/remove/", "/shortlist/clear/"


@pytest.fixture
def services(db):
    trust = OrganizationFactory(name="Hull Community Trust")
    lunch = ServiceFactory(name="Lunch club", organization=trust)
    choir = ServiceFactory(name="Community choir", organization=trust)
    address = AddressFactory(location__name="Guildhall", postal_code="HU1 2AA")
    ServiceAtLocationFactory(service=lunch, location=address.location)
    ScheduleFactory(service=lunch, description="Tuesdays and Thursdays, 10am to 12pm")
    services_publish(service_ids=[lunch.pk, choir.pk])
    return {"lunch": lunch, "choir": choir}


def ids_in(client) -> list[str]:
    return client.session.get(SESSION_KEY, [])


def add(client, service, **extra):
    return client.post(ADD, {"service_id": str(service.pk), **extra})


def test_adding_keeps_the_service_in_the_session_and_returns_to_the_page(client, services):
    response = add(client, services["lunch"], next="/search/?q=lunch")
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=lunch"
    add(client, services["choir"])
    add(client, services["lunch"])  # twice is once
    assert ids_in(client) == [str(services["lunch"].pk), str(services["choir"].pk)]


def test_the_list_survives_moving_to_other_pages(client, services):
    add(client, services["lunch"])
    client.get("/needs/")
    client.get("/shortlist/print/")
    page = client.get("/shortlist/")
    assert "Lunch club" in page.content.decode()
    assert ids_in(client) == [str(services["lunch"].pk)]


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"]
)
def test_a_next_address_off_this_site_goes_to_the_shortlist_instead(client, services, next_url):
    response = add(client, services["lunch"], next=next_url)
    assert response["Location"] == "/shortlist/"


@pytest.mark.parametrize("service_id", ["not-a-uuid", "0a537316-ca4f-4465-9aa5-5b3ef611880b", ""])
def test_only_a_published_service_can_be_added(client, services, service_id):
    response = client.post(ADD, {"service_id": service_id})
    assert response.status_code == 404
    assert ids_in(client) == []


def test_remove_and_clear(client, services):
    add(client, services["lunch"])
    add(client, services["choir"])
    response = client.post(REMOVE, {"service_id": str(services["lunch"].pk), "next": "/shortlist/"})
    assert response["Location"] == "/shortlist/"
    assert ids_in(client) == [str(services["choir"].pk)]
    client.post(REMOVE, {"service_id": "rubbish"})  # ignored, not an error
    client.post(CLEAR)
    assert ids_in(client) == []
    assert "Your shortlist is empty" in client.get("/shortlist/").content.decode()


def test_the_shortlist_is_bounded(client, services, monkeypatch):
    monkeypatch.setattr("publish.finder.shortlist.MAX_SERVICES", 1)
    add(client, services["lunch"])
    page = client.post(ADD, {"service_id": str(services["choir"].pk)}, follow=True)
    assert "Your shortlist is full" in page.content.decode()
    assert ids_in(client) == [str(services["lunch"].pk)]


def test_get_does_not_change_the_list(client, services):
    assert client.get(ADD, {"service_id": str(services["lunch"].pk)}).status_code == 405


def test_the_list_shows_details_and_says_when_a_service_is_no_longer_published(client, services):
    add(client, services["lunch"])
    add(client, services["choir"])
    PublishedService.objects.filter(pk=services["choir"].pk).delete()
    page = client.get("/shortlist/").content.decode()
    assert "Lunch club" in page
    assert "Guildhall, 1 High Street, HU1 2AA" in page
    assert "Tuesdays and Thursdays, 10am to 12pm" in page
    assert "A service no longer listed" in page
    assert "Community choir" not in page


def test_the_list_page_costs_the_same_queries_however_long(
    client, services, django_assert_max_num_queries
):
    more = [ServiceFactory() for _ in range(6)]
    services_publish(service_ids=[s.pk for s in more])
    add(client, services["lunch"])
    with django_assert_max_num_queries(8):
        client.get("/shortlist/")
    for service in more:
        add(client, service)
    with django_assert_max_num_queries(8):
        assert client.get("/shortlist/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/shortlist/print/").status_code == 200


def test_the_print_page_has_a_qr_code_and_address_for_each_service(client, services, settings):
    settings.PORTAL_BASE_URL = "https://finder.example.gov.uk"
    add(client, services["lunch"])
    add(client, services["choir"])
    page = client.get("/shortlist/print/").content.decode()
    assert page.count("<svg") == 2
    assert f"https://finder.example.gov.uk/services/{services['lunch'].pk}/" in page
    assert "app/print.css" in page
    assert "Ctrl and P" in page  # how to print without JavaScript


def test_the_button_says_add_or_remove_with_the_service_name(rf, client, services):
    from django.template.loader import render_to_string

    lunch = services["lunch"]
    request = rf.get("/search/?q=lunch")
    request.session = {}
    html = render_to_string(
        "publish/finder/includes/shortlist_button.html",
        {"service_id": lunch.pk, "service_name": lunch.name},
        request=request,
    )
    assert 'Add to shortlist<span class="govuk-visually-hidden"> Lunch club</span>' in html
    assert 'value="/search/?q=lunch"' in html
    request.session = {SESSION_KEY: [str(lunch.pk)]}
    html = render_to_string(
        "publish/finder/includes/shortlist_button.html",
        {"service_id": lunch.pk, "service_name": lunch.name},
        request=request,
    )
    assert 'Remove from shortlist<span class="govuk-visually-hidden"> Lunch club</span>' in html


def test_shortlist_holds_only_uuids(services):
    session = {SESSION_KEY: ["junk", str(services["lunch"].pk), 5]}
    assert Shortlist(session).ids == [str(services["lunch"].pk)]
    assert Shortlist({SESSION_KEY: "not a list"}).ids == []


# -- email -------------------------------------------------------------------------------------


def test_a_frontline_worker_emails_the_list(client, services, frontline_worker, caplog):
    sign_in(client, frontline_worker)
    add(client, services["lunch"])
    response = client.post(
        "/shortlist/email/", {"email": "client@example.net", "message": "As we discussed"}
    )
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.to == ["client@example.net"]
    assert "Lunch club" in sent.body and "As we discussed" in sent.body
    assert f"/services/{services['lunch'].pk}/" in sent.body
    assert "client@example.net" not in caplog.text


def test_a_directory_admin_may_email_the_list(client, services, directory_admin):
    sign_in(client, directory_admin)
    add(client, services["lunch"])
    client.post("/shortlist/email/", {"email": "me@example.org"})
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("who", ["assurer", "provider_user", "signed_in_user"])
def test_people_without_the_frontline_role_cannot_email_the_list(client, services, who, request):
    sign_in(client, request.getfixturevalue(who))
    add(client, services["lunch"])
    assert client.get("/shortlist/email/").status_code == 403
    assert client.post("/shortlist/email/", {"email": "x@example.net"}).status_code == 403
    assert mail.outbox == []
    assert "Email your shortlist" not in client.get("/shortlist/").content.decode()


def test_the_public_is_sent_to_sign_in(client, services):
    add(client, services["lunch"])
    response = client.post("/shortlist/email/", {"email": "x@example.net"})
    assert response.status_code == 302
    assert "next=/shortlist/email/" in response["Location"]
    assert mail.outbox == []


def test_email_form_errors(client, services, frontline_worker):
    sign_in(client, frontline_worker)
    add(client, services["lunch"])
    page = client.post("/shortlist/email/", {"email": "not an address"}).content.decode()
    assert "Enter an email address in the correct format" in page
    assert mail.outbox == []


def test_an_empty_list_is_not_sent(client, services, frontline_worker):
    sign_in(client, frontline_worker)
    page = client.post("/shortlist/email/", {"email": "x@example.net"}).content.decode()
    assert "no services to send" in page
    assert mail.outbox == []


def test_emails_are_limited_each_hour(client, services, frontline_worker, settings):
    settings.PORTAL_SHORTLIST_EMAILS_PER_HOUR = (2, 10)
    sign_in(client, frontline_worker)
    add(client, services["lunch"])
    for _ in range(2):
        assert client.post("/shortlist/email/", {"email": "x@example.net"}).status_code == 302
    page = client.post("/shortlist/email/", {"email": "x@example.net"})
    assert page.status_code == 200
    assert "too many lists" in page.content.decode()
    assert len(mail.outbox) == 2


# -- iCalendar ---------------------------------------------------------------------------------


def calendar_of(client, service) -> Calendar:
    response = client.get(f"/services/{service.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list:
    return [c for c in calendar.walk("VEVENT")]


def test_weekly_sessions_repeat_weekly_at_the_right_place(client, services):
    (event,) = events(calendar_of(client, services["lunch"]))
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TU", "TH"]
    start = event.decoded("DTSTART")
    assert start.weekday() in (1, 3) and (start.hour, start.minute) == (10, 0)
    assert str(start.tzinfo) == "Europe/London"
    assert event.decoded("DTEND").hour == 12
    assert str(event["SUMMARY"]) == "Lunch club"
    assert "Guildhall" in str(event["LOCATION"])
    assert f"/services/{services['lunch'].pk}/" in str(event["URL"])


def test_fortnightly_and_monthly_rules(client, services):
    choir = services["choir"]
    ScheduleFactory(
        service=choir,
        byday="WE",
        interval=2,
        dtstart=dt.date(2025, 1, 1),
        opens_at=dt.time(18),
        closes_at=dt.time(20),
        description="Every other Wednesday",
    )
    ScheduleFactory(
        service=choir, freq=m.Frequency.MONTHLY, byday="2TU", description="Second Tuesday"
    )
    services_publish(service_ids=[choir.pk])
    found = {str(e["DESCRIPTION"]).splitlines()[0]: e for e in events(calendar_of(client, choir))}
    fortnightly = found["Every other Wednesday"]["RRULE"]
    assert fortnightly["FREQ"] == ["WEEKLY"] and fortnightly["INTERVAL"] == [2]
    first = found["Every other Wednesday"].decoded("DTSTART").date()
    assert (first - dt.date(2025, 1, 1)).days % 14 == 0  # the published phase is kept
    monthly = found["Second Tuesday"]
    assert monthly["RRULE"]["FREQ"] == ["MONTHLY"] and monthly["RRULE"]["BYDAY"] == ["2TU"]
    day = monthly.decoded("DTSTART").date()
    assert day.weekday() == 1 and 8 <= day.day <= 14


def test_a_closure_leaves_out_the_sessions_inside_it(client, services):
    lunch = services["lunch"]
    today = dt.date.today()
    closed_from = today + dt.timedelta(days=20)
    closed_to = closed_from + dt.timedelta(days=13)
    m.Schedule.objects.create(
        service=lunch,
        valid_from=closed_from,
        valid_to=closed_to,
        description="Closed for Christmas break",
    )
    services_publish(service_ids=[lunch.pk])
    (event,) = events(calendar_of(client, lunch))
    exdates = event["EXDATE"] if isinstance(event["EXDATE"], list) else [event["EXDATE"]]
    excluded = [d.dt.date() for prop in exdates for d in prop.dts]
    # Two weeks hold four Tuesday/Thursday sessions.
    assert len(excluded) == 4
    assert all(closed_from <= d <= closed_to and d.weekday() in (1, 3) for d in excluded)
    assert "Christmas break" in str(event["DESCRIPTION"])


def test_a_service_without_sessions_or_unpublished_has_no_calendar(client, services):
    assert client.get(f"/services/{services['choir'].pk}/calendar.ics").status_code == 404
    assert client.get(f"/services/{uuid.uuid4()}/calendar.ics").status_code == 404


def test_a_broken_document_gives_no_events_not_an_error(services):
    snapshot = PublishedService.objects.get(pk=services["lunch"].pk)
    snapshot.document = "{not json"
    body, count = finder_calendar.service_calendar(snapshot, url="")
    assert count == 0
    assert Calendar.from_ical(body)["PRODID"]

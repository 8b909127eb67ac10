"""Proposing changes through the pages: start a proposal, edit it section by section (repeating
items added, changed and removed), check and send it; one's own change requests; who may do
each, and that a refused request changes nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory.models import Service
from tests.accounts.matrix import build_world
from tests.auth import sign_in
from tests.factories import ServiceFactory
from workflow import services as ws
from workflow.documents import current_document
from workflow.models import ChangeRequest, Source, State
from workflow.presenters import describe_schedule

pytestmark = pytest.mark.django_db

HULL_POSTCODE = "HU1 3DZ"  # Hull Guildhall


@pytest.fixture
def world():
    return build_world()


def client_for(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        sign_in(client, world.user(role))
    return client


def propose(world, role: str = "provider_editor", scope: str = "own") -> ChangeRequest:
    """A draft, started through the page."""
    service = world.services[scope]
    response = client_for(world, role).post(reverse("workflow:propose", args=[service.pk]))
    change_request = ChangeRequest.objects.get(service=service, proposer=world.user(role))
    assert response.status_code == 302
    assert response["Location"] == reverse("workflow:edit", args=[change_request.pk])
    return change_request


def section_url(change_request: ChangeRequest, section: str, item: str = "") -> str:
    url = reverse("workflow:edit-section", args=[change_request.pk, section])
    return f"{url}?item={item}" if item else url


def proposed(change_request: ChangeRequest) -> dict:
    change_request.refresh_from_db()
    return change_request.proposed


DETAILS = {
    "name": "Renamed lunch club",
    "description": "A weekly lunch",
    "status": "active",
    "url": "https://example.org/lunch",
    "email": "lunch@example.org",
    "alert": "",
}
SECOND_TUESDAY = {
    "frequency": "monthly",
    "monthly_week": "2",
    "monthly_day": "TU",
    "opens_at": "10:00",
    "closes_at": "12:30",
}


# --- who may start a proposal -------------------------------------------------------------------

# role -> the scopes on which the role may propose (EDIT or SUGGEST).
EVERY_SCOPE = {"own", "other", "unallocated", "self_assured"}
PROPOSERS = {
    "frontline_worker": EVERY_SCOPE,
    "provider_editor": {"own"},
    "self_assuring_provider_editor": {"self_assured"},
    "assurer": {"own"},
    "directory_admin": EVERY_SCOPE,
    "signed_in": set(),
    "partner_admin": set(),
}


@pytest.mark.parametrize("role", sorted(PROPOSERS))
@pytest.mark.parametrize("scope", sorted(EVERY_SCOPE))
def test_who_may_propose_a_change_to_a_service(world, role, scope):
    service = world.services[scope]
    response = client_for(world, role).post(reverse("workflow:propose", args=[service.pk]))
    if scope in PROPOSERS[role]:
        change_request = ChangeRequest.objects.get()
        assert response.status_code == 302
        assert (change_request.service, change_request.proposer) == (service, world.user(role))
        assert change_request.state == State.DRAFT
        expected = {
            "frontline_worker": Source.FRONTLINE,
            "assurer": Source.ASSURER,
        }.get(role, Source.PROVIDER)
        assert change_request.source == expected
    else:
        assert response.status_code == 403
        assert not ChangeRequest.objects.exists()


def test_anonymous_people_are_sent_to_sign_in_and_nothing_is_saved(world):
    service = world.services["own"]
    response = Client().post(reverse("workflow:propose", args=[service.pk]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert not ChangeRequest.objects.exists()


def test_proposing_again_reopens_the_same_draft(world):
    first = propose(world)
    second = propose(world)
    assert first.pk == second.pk and ChangeRequest.objects.count() == 1


def test_propose_is_post_only_and_unknown_services_are_404(world):
    client = client_for(world, "provider_editor")
    service = world.services["own"]
    assert client.get(reverse("workflow:propose", args=[service.pk])).status_code == 405
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.post(f"/staff/services/{missing}/propose/").status_code == 404
    assert client.post("/staff/services/not-a-uuid/propose/").status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("provider_editor", True),
        ("frontline_worker", True),
        ("assurer", False),
        ("partner_admin", False),
        ("signed_in", False),
    ],
)
def test_who_may_propose_a_new_service_for_an_organisation(world, role, allowed):
    organization = world.services["own"].organization
    client = client_for(world, role)
    response = client.post(reverse("workflow:propose-service", args=[organization.pk]))
    if allowed:
        change_request = ChangeRequest.objects.get()
        assert change_request.is_new_service and change_request.organization == organization
        assert response["Location"] == reverse("workflow:edit", args=[change_request.pk])
    else:
        assert response.status_code == 403
        assert not ChangeRequest.objects.exists()


def test_a_new_service_is_edited_as_one_proposal_and_sent(world):
    organization = world.services["own"].organization
    client = client_for(world, "provider_editor")
    client.post(reverse("workflow:propose-service", args=[organization.pk]))
    change_request = ChangeRequest.objects.get()
    # Costs can be saved before the service has a name.
    response = client.post(section_url(change_request, "costs"), {"fees": "Free"})
    assert response.status_code == 302
    response = client.post(section_url(change_request, "details"), DETAILS)
    assert response.status_code == 302
    assert ChangeRequest.objects.count() == 1
    page = client.get(reverse("workflow:check", args=[change_request.pk])).content.decode()
    assert "Renamed lunch club" in page and "Free" in page
    response = client.post(reverse("workflow:check", args=[change_request.pk]), {"note": ""})
    change_request.refresh_from_db()
    assert change_request.state == State.SUBMITTED
    assert not Service.objects.filter(name="Renamed lunch club").exists()


# --- editing: who, and what happens ----------------------------------------------------------


@pytest.mark.parametrize("role", ["frontline_worker", "assurer", "directory_admin", "signed_in"])
def test_only_the_proposer_may_see_or_edit_their_draft(world, role):
    change_request = propose(world)
    client = client_for(world, role)
    before = proposed(change_request)
    for url in (
        reverse("workflow:edit", args=[change_request.pk]),
        section_url(change_request, "details"),
        reverse("workflow:check", args=[change_request.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(section_url(change_request, "details"), DETAILS).status_code == 404
    assert client.post(reverse("workflow:check", args=[change_request.pk])).status_code == 404
    assert (
        client.post(reverse("workflow:change-withdraw", args=[change_request.pk])).status_code
        == 404
    )
    change_request.refresh_from_db()
    assert change_request.proposed == before and change_request.state == State.DRAFT


def test_the_task_list_shows_each_section_and_its_status(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    page = client.get(reverse("workflow:edit", args=[change_request.pk])).content.decode()
    assert 'class="govuk-task-list"' in page
    assert page.count("Not changed") == 10 and "Check your changes" in page
    client.post(section_url(change_request, "details"), DETAILS)
    page = client.get(reverse("workflow:edit", args=[change_request.pk])).content.decode()
    assert page.count("Not changed") == 9 and ">Changed<" in page


def test_details_are_saved_to_the_proposal_and_not_the_record(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    response = client.post(section_url(change_request, "details"), DETAILS)
    assert response.status_code == 302
    assert response["Location"] == reverse("workflow:edit", args=[change_request.pk])
    document = proposed(change_request)
    assert document["name"] == "Renamed lunch club" and "alert" not in document
    assert Service.objects.get(pk=world.services["own"].pk).name == "Own service"


@pytest.mark.parametrize(
    ("section", "data", "errors"),
    [
        (
            "details",
            {**DETAILS, "name": "", "status": "", "url": "not a url", "email": "nope"},
            [
                "Enter the service name",
                "Select whether the service is running",
                "Enter a web address in the right format, like https://...",
                "Enter an email address in the right format, like name@example.org",
            ],
        ),
        (
            "details",
            {**DETAILS, "name": "x" * 256},
            ["Service name must be 255 characters or fewer"],
        ),
        (
            "eligibility",
            {"minimum_age": "18", "maximum_age": "16"},
            ["Oldest age must be the same as or more than the youngest"],
        ),
        (
            "eligibility",
            {"minimum_age": "old", "maximum_age": "-1"},
            ["Youngest age must be a whole number, like 18", "Oldest age must be 0 or more"],
        ),
        (
            "attending",
            {"attending_type": "Teleport"},
            ["Select a valid choice. Teleport is not one of the available choices."],
        ),
        ("attending", {}, ["Select how people use the service"]),
    ],
)
def test_section_validation_messages(world, section, data, errors):
    change_request = propose(world)
    before = proposed(change_request)
    response = client_for(world, "provider_editor").post(section_url(change_request, section), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "<title>Error: " in page
    for error in errors:
        assert error in page
    assert proposed(change_request) == before


# --- repeating items ------------------------------------------------------------------------------

ITEMS = [
    # (section, collection key, field, form data, what the page then shows)
    (
        "contacts",
        "phone",
        "phones",
        {"number": "01632 960 001", "description": "Bookings"},
        "01632 960 001 Bookings",
    ),
    (
        "contacts",
        "contact",
        "contacts",
        {
            "name": "Bookings team",
            "title": "",
            "email": "bookings@example.org",
            "phone": "01632 960 002",
        },
        "Bookings team, bookings@example.org, 01632 960 002",
    ),
    (
        "locations",
        "location",
        "service_at_locations",
        {
            "location_name": "Guildhall",
            "address_1": "Alfred Gelder Street",
            "address_2": "",
            "city": "Hull",
            "county": "",
            "postcode": "hu1 3dz",
            "accessibility": "Step-free entrance\nHearing loop",
        },
        "Guildhall: Alfred Gelder Street, Hull, HU1 3DZ",
    ),
    (
        "times",
        "session",
        "schedules",
        SECOND_TUESDAY,
        "Second Tuesday of the month, 10:00 to 12:30",
    ),
    (
        "times",
        "closure",
        "schedules",
        {
            "first_day_0": "24",
            "first_day_1": "12",
            "first_day_2": "2026",
            "last_day_0": "2",
            "last_day_1": "1",
            "last_day_2": "2027",
            "reason": "Christmas",
        },
        "Closed for Christmas from 24 December 2026 to 2 January 2027",
    ),
    (
        "costs",
        "cost",
        "cost_options",
        {"option": "Each session", "amount": "£2.50", "amount_description": ""},
        "Each session £2.5",
    ),
    ("languages", "language", "languages", {"name": "Polish", "code": "PL"}, "Polish"),
    (
        "areas",
        "area",
        "service_areas",
        {"name": "Kingston upon Hull", "local_authority_code": "e06000010", "service_area": ""},
        "Kingston upon Hull",
    ),
]


@pytest.mark.parametrize(
    ("section", "key", "field", "data", "shown"), ITEMS, ids=[i[1] for i in ITEMS]
)
def test_repeating_items_are_added_changed_and_removed(world, section, key, field, data, shown):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    before = list(proposed(change_request).get(field) or [])
    page = client.get(section_url(change_request, section)).content.decode()
    assert f"?item={key}-new" in page

    assert client.get(section_url(change_request, section, f"{key}-new")).status_code == 200
    response = client.post(section_url(change_request, section, f"{key}-new"), data)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == section_url(change_request, section)
    items = proposed(change_request)[field]
    assert len(items) == len(before) + 1
    added = items[-1]
    # A new item gets a fresh id; the ones already there keep theirs.
    assert added["id"] not in {item["id"] for item in before}
    assert [item["id"] for item in items[:-1]] == [item["id"] for item in before]
    page = client.get(section_url(change_request, section)).content.decode()
    assert shown in page.replace("&#x27;", "'")

    # Changing it: the form is filled in from the proposal, and the id is kept.
    number = sum(1 for item in items[:-1] if _same_kind(key, item))
    form = client.get(section_url(change_request, section, f"{key}-{number}"))
    assert form.status_code == 200
    response = client.post(section_url(change_request, section, f"{key}-{number}"), data)
    assert response.status_code == 302
    assert proposed(change_request)[field][-1]["id"] == added["id"]

    response = client.post(section_url(change_request, section), {"remove": f"{key}-{number}"})
    assert response.status_code == 302
    assert [item["id"] for item in proposed(change_request).get(field) or []] == [
        item["id"] for item in before
    ]


def _same_kind(key: str, item: dict) -> bool:
    from directory.oruk.closures import is_closure

    if key == "session":
        return not is_closure(item)
    if key == "closure":
        return is_closure(item)
    return True


def test_a_location_gets_coordinates_from_its_postcode(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    client.post(section_url(change_request, "locations", "location-new"), ITEMS[2][3])
    location = proposed(change_request)["service_at_locations"][-1]["location"]
    assert round(location["latitude"], 1) == 53.7 and round(location["longitude"], 1) == -0.3
    (address,) = location["addresses"]
    assert address["postal_code"] == HULL_POSTCODE and address["state_province"] == "Hull"
    assert [a["description"] for a in location["accessibility"]] == [
        "Step-free entrance",
        "Hearing loop",
    ]


@pytest.mark.parametrize(
    ("postcode", "error"),
    [
        ("HU1 9ZZ", "We could not find the postcode HU1 9ZZ. Check it is right"),
        ("not a postcode", "Enter a full UK postcode, like HU1 3DZ"),
        ("", "Enter postcode"),
    ],
)
def test_an_unknown_postcode_is_said_clearly(world, postcode, error):
    change_request = propose(world)
    before = proposed(change_request)
    response = client_for(world, "provider_editor").post(
        section_url(change_request, "locations", "location-new"),
        {**ITEMS[2][3], "postcode": postcode},
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert proposed(change_request) == before


@pytest.mark.parametrize(
    ("key", "data", "errors"),
    [
        ("phone", {"number": ""}, ["Enter a phone number"]),
        ("phone", {"number": "call us"}, ["Enter a phone number in the right format"]),
        ("contact", {}, ["Enter a name, a job title, an email address or a phone number"]),
        (
            "session",
            {},
            ["Select how often it runs", "Enter the opening time", "Enter the closing time"],
        ),
        (
            "session",
            {"frequency": "weekly", "opens_at": "25:00", "closes_at": "9am"},
            [
                "Select the days it runs",
                "Opening time must be a time, like 09:30 or 14:00",
                "Closing time must be a time, like 09:30 or 14:00",
            ],
        ),
        (
            "session",
            {
                "frequency": "fortnightly",
                "fortnightly_days": ["MO"],
                "opens_at": "10:00",
                "closes_at": "09:00",
            },
            ["Enter the date of one session", "Closing time must be after the opening time"],
        ),
        (
            "session",
            {"frequency": "monthly", "opens_at": "10:00", "closes_at": "11:00"},
            ["Select which week of the month it runs", "Select the day of the week it runs"],
        ),
        (
            "closure",
            {"first_day_0": "31", "first_day_1": "2", "first_day_2": "2027"},
            ["First day closed must be a real date", "Enter the last day the service is closed"],
        ),
        (
            "closure",
            {
                "first_day_0": "2",
                "first_day_1": "1",
                "first_day_2": "2027",
                "last_day_0": "1",
                "last_day_1": "1",
                "last_day_2": "2027",
            },
            ["Last day closed must be the same as or after the first"],
        ),
        (
            "cost",
            {"option": "", "amount": "lots"},
            ["Enter what the cost is for", "Amount must be a number, like 2.50"],
        ),
        ("cost", {"option": "Each", "amount": "-1"}, ["Amount must be 0 or more"]),
        ("language", {"name": "", "code": "polish"}, ["Enter the language, like Polish"]),
        (
            "area",
            {"name": "Hull", "local_authority_code": "Hull"},
            ["Local authority code must be a letter and 8 numbers"],
        ),
    ],
)
def test_item_validation_messages(world, key, data, errors):
    section = {"phone": "contacts", "contact": "contacts", "session": "times", "closure": "times"}
    section |= {"cost": "costs", "language": "languages", "area": "areas"}
    change_request = propose(world)
    before = proposed(change_request)
    response = client_for(world, "provider_editor").post(
        section_url(change_request, section[key], f"{key}-new"), data
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200 and "There is a problem" in page
    for error in errors:
        assert error in page
    assert proposed(change_request) == before


@pytest.mark.parametrize(
    "url",
    [
        "/staff/changes/{pk}/edit/nonsense/",
        "/staff/changes/{pk}/edit/contacts/?item=phone-99",
        "/staff/changes/{pk}/edit/contacts/?item=session-0",
        "/staff/changes/{pk}/edit/contacts/?item=phone--1",
        "/staff/changes/{pk}/edit/contacts/?item=phone-1e9",
        "/staff/changes/{pk}/edit/contacts/?item=",
        "/staff/changes/999999/edit/",
        "/staff/changes/999999/",
        "/staff/changes/999999/check/",
    ],
)
def test_bad_sections_and_items_are_404(world, url):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    assert client.get(url.format(pk=change_request.pk)).status_code == 404
    assert (
        client.post(url.format(pk=change_request.pk), {"number": "01632 960 001"}).status_code
        == 404
    )


@pytest.mark.parametrize("value", ["phone-new", "phone-7", "nonsense", ""])
def test_removing_what_is_not_there_is_404_and_changes_nothing(world, value):
    change_request = propose(world)
    before = proposed(change_request)
    response = client_for(world, "provider_editor").post(
        section_url(change_request, "contacts"), {"remove": value}
    )
    assert response.status_code == 404
    assert proposed(change_request) == before


def test_how_to_attend_is_written_on_every_session(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    # No times yet: one schedule says how to attend.
    client.post(section_url(change_request, "attending"), {"attending_type": "By appointment"})
    (schedule,) = proposed(change_request)["schedules"]
    assert schedule["attending_type"] == "By appointment"
    assert describe_schedule(schedule) == "By appointment"
    client.post(section_url(change_request, "times", "session-0"), SECOND_TUESDAY)
    client.post(section_url(change_request, "attending"), {"attending_type": "Drop in"})
    (schedule,) = proposed(change_request)["schedules"]
    assert schedule["attending_type"] == "Drop in" and schedule["byday"] == "2TU"
    page = client.get(section_url(change_request, "attending")).content.decode()
    assert re.search(r'value="Drop in"\s+checked', page)


# --- checking and sending -------------------------------------------------------------------------


def test_check_answers_lists_what_changed_with_change_links(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    client.post(section_url(change_request, "details"), DETAILS)
    client.post(section_url(change_request, "contacts", "phone-new"), {"number": "01632 960 001"})
    page = client.get(reverse("workflow:check", args=[change_request.pk])).content.decode()
    assert "Renamed lunch club" in page and "01632 960 001" in page
    assert section_url(change_request, "details") in page
    assert section_url(change_request, "contacts") in page
    assert "Minimum age" not in page  # not changed


def test_sending_nothing_is_refused(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    page = client.get(reverse("workflow:check", args=[change_request.pk])).content.decode()
    assert "You have not changed anything yet" in page
    response = client.post(reverse("workflow:check", args=[change_request.pk]), {"note": ""})
    assert "You have not changed anything yet: change a section first" in response.content.decode()
    change_request.refresh_from_db()
    assert change_request.state == State.DRAFT


@pytest.mark.parametrize(
    ("role", "scope", "state", "message"),
    [
        ("provider_editor", "own", State.SUBMITTED, "Your change has been sent for assurance"),
        ("frontline_worker", "other", State.SUBMITTED, "Your change has been sent for assurance"),
        ("self_assuring_provider_editor", "self_assured", State.APPROVED, "approved and published"),
        ("assurer", "own", State.APPROVED, "approved and published"),
    ],
)
def test_sending_a_change(world, role, scope, state, message):
    change_request = propose(world, role, scope)
    client = client_for(world, role)
    client.post(section_url(change_request, "details"), DETAILS)
    response = client.post(
        reverse("workflow:check", args=[change_request.pk]), {"note": "From their leaflet"}
    )
    assert response["Location"] == reverse("workflow:change-request", args=[change_request.pk])
    change_request.refresh_from_db()
    assert change_request.state == state and change_request.note == "From their leaflet"
    page = client.get(response["Location"]).content.decode()
    assert message in page
    service = Service.objects.get(pk=world.services[scope].pk)
    assert (service.name == DETAILS["name"]) == (state == State.APPROVED)
    # Sent or decided, it can no longer be edited: its pages lead to the change request.
    for url in (
        reverse("workflow:edit", args=[change_request.pk]),
        section_url(change_request, "details"),
        reverse("workflow:check", args=[change_request.pk]),
    ):
        response = client.get(url)
        assert response["Location"] == reverse("workflow:change-request", args=[change_request.pk])
    before = proposed(change_request)
    client.post(section_url(change_request, "details"), {**DETAILS, "name": "Again"})
    assert proposed(change_request) == before


def test_a_problem_found_on_sending_is_shown_in_the_error_summary(world):
    organization = world.services["own"].organization
    client = client_for(world, "provider_editor")
    client.post(reverse("workflow:propose-service", args=[organization.pk]))
    change_request = ChangeRequest.objects.get()
    client.post(section_url(change_request, "costs"), {"fees": "Free"})
    response = client.post(reverse("workflow:check", args=[change_request.pk]), {"note": ""})
    page = response.content.decode()
    assert "There is a problem" in page and "Name: This field cannot be blank." in page
    change_request.refresh_from_db()
    assert change_request.state == State.DRAFT


def test_a_second_tuesday_session_reaches_the_record_after_approval(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    client.post(section_url(change_request, "times", "session-new"), SECOND_TUESDAY)
    client.post(reverse("workflow:check", args=[change_request.pk]), {"note": ""})
    change_request.refresh_from_db()
    ws.change_request_approve(
        actor=world.user("assurer"), change_request=change_request, accepted=["schedules"]
    )
    service = Service.objects.get(pk=world.services["own"].pk)
    (schedule,) = service.schedules.all()
    assert (schedule.freq, schedule.byday) == ("MONTHLY", "2TU")
    assert (str(schedule.opens_at), str(schedule.closes_at)) == ("10:00:00", "12:30:00")
    assert service.assured_date == timezone.localdate()
    (published,) = current_document(service)["schedules"]
    assert describe_schedule(published).startswith("Second Tuesday of the month, 10:00 to 12:30")


def test_a_holiday_closure_round_trips_and_reads_as_a_closure(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    client.post(section_url(change_request, "times", "closure-new"), ITEMS[4][3])
    client.post(reverse("workflow:check", args=[change_request.pk]), {"note": ""})
    change_request.refresh_from_db()
    ws.change_request_approve(
        actor=world.user("assurer"), change_request=change_request, accepted=["schedules"]
    )
    (schedule,) = current_document(Service.objects.get(pk=world.services["own"].pk))["schedules"]
    assert describe_schedule(schedule) == ITEMS[4][4]
    page = client.get(reverse("workflow:change-request", args=[change_request.pk]))
    assert ITEMS[4][4] in page.content.decode()


# --- one's own change requests --------------------------------------------------------------------


def test_the_change_request_page_shows_its_state_and_changes(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    client.post(section_url(change_request, "details"), DETAILS)
    page = client.get(reverse("workflow:change-request", args=[change_request.pk])).content.decode()
    assert "Draft" in page and "Renamed lunch club" in page
    assert "Continue editing" in page and "Withdraw this change" in page


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("provider_editor", True),  # the proposer
        ("assurer", True),  # assures the service
        ("directory_admin", True),
        ("frontline_worker", False),
        ("partner_admin", False),
        ("signed_in", False),
        ("self_assuring_provider_editor", False),
    ],
)
def test_who_may_see_a_change_request(world, role, sees):
    change_request = propose(world)
    response = client_for(world, role).get(
        reverse("workflow:change-request", args=[change_request.pk])
    )
    assert response.status_code == (200 if sees else 404)
    if sees and role != "provider_editor":
        page = response.content.decode()
        assert "Continue editing" not in page and "Withdraw this change" not in page


def test_an_assurers_question_and_reason_are_shown_to_the_proposer(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    client.post(section_url(change_request, "details"), DETAILS)
    client.post(reverse("workflow:check", args=[change_request.pk]), {"note": ""})
    change_request.refresh_from_db()
    ws.change_request_ask(
        actor=world.user("assurer"), change_request=change_request, question="Which hall?"
    )
    page = client.get(reverse("workflow:change-request", args=[change_request.pk])).content.decode()
    assert "The assurer asks" in page and "Which hall?" in page and "Continue editing" in page
    page = client.get(reverse("workflow:edit", args=[change_request.pk])).content.decode()
    assert "Which hall?" in page
    # Answering: edit again and send again.
    client.post(
        section_url(change_request, "details"), {**DETAILS, "name": "Lunch club at the hall"}
    )
    client.post(reverse("workflow:check", args=[change_request.pk]), {"note": "The village hall"})
    change_request.refresh_from_db()
    assert change_request.state == State.SUBMITTED
    ws.change_request_reject(
        actor=world.user("assurer"), change_request=change_request, reason="Not a real hall"
    )
    page = client.get(reverse("workflow:change-request", args=[change_request.pk])).content.decode()
    assert "Why it was rejected" in page and "Not a real hall" in page
    assert "Continue editing" not in page and "Withdraw this change" not in page


def test_the_proposer_withdraws_their_change(world):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    response = client.post(reverse("workflow:change-withdraw", args=[change_request.pk]))
    assert response["Location"] == reverse("workflow:change-request", args=[change_request.pk])
    change_request.refresh_from_db()
    assert change_request.state == State.WITHDRAWN
    # Again: already decided, said so, nothing changes.
    response = client.post(
        reverse("workflow:change-withdraw", args=[change_request.pk]), follow=True
    )
    assert "This change has already been decided" in response.content.decode()
    assert (
        client.get(reverse("workflow:change-withdraw", args=[change_request.pk])).status_code == 405
    )


def test_the_change_list_shows_only_ones_own_newest_first(world):
    older = propose(world)
    newer = propose(world, scope="other", role="frontline_worker")
    ws.change_request_withdraw(actor=world.user("provider_editor"), change_request=older)
    page = (
        client_for(world, "provider_editor").get(reverse("workflow:change-list")).content.decode()
    )
    assert "Own service" in page and "Withdrawn" in page and "Other service" not in page
    page = (
        client_for(world, "frontline_worker").get(reverse("workflow:change-list")).content.decode()
    )
    assert "Other service" in page and "Frontline worker" in page and "Own service" not in page
    assert newer.title == "Other service"
    assert Client().get(reverse("workflow:change-list")).status_code == 302


def _many_changes(user, count: int) -> None:
    for _ in range(count):
        service = ServiceFactory()
        ChangeRequest.objects.create(
            service=service,
            organization=service.organization,
            source=Source.FRONTLINE,
            proposer=user,
            proposed=current_document(service),
            state=State.WITHDRAWN,
            previous_state=State.DRAFT,
        )


def test_the_change_list_is_paginated_at_a_constant_query_count(
    world, settings, django_assert_max_num_queries
):
    settings.PORTAL_STAFF_PER_PAGE = 50
    user = world.user("frontline_worker")
    client = client_for(world, "frontline_worker")
    _many_changes(user, 3)
    client.get(reverse("workflow:change-list"))  # the session and the policy warmed up
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("workflow:change-list"))
    _many_changes(user, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("workflow:change-list"))
    page = response.content.decode()
    assert "Your changes (63)" in page and 'class="govuk-pagination"' in page
    for bad in ("?page=99", "?page=nonsense", "?page=-1"):
        assert client.get(reverse("workflow:change-list") + bad).status_code == 200

"""The audit log page: filters, pages, a fixed number of queries."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.services import audit_record
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

URL = "/accounts/audit/"


@pytest.fixture
def admin_client(client, directory_admin):
    sign_in(client, directory_admin)
    # Only the events each test writes.
    AuditEvent.objects.all().delete()
    return client


def _at(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day + "T12:00"))


@pytest.fixture
def events(partner, other_partner, partner_admin, assurer):
    written = [
        audit_record(action=AuditAction.SIGNED_IN, actor=assurer),
        audit_record(
            action=AuditAction.INVITATION_SENT,
            actor=partner_admin,
            partner=partner,
            target_label="new@example.org",
            detail={"roles": ["assurer"]},
        ),
        audit_record(action=AuditAction.PARTNER_UPDATED, partner=other_partner),
        audit_record(action=AuditAction.SIGN_IN_FAILED, actor_email="mallory@example.net"),
    ]
    for event, day in zip(
        written, ("2026-03-01", "2026-03-10", "2026-03-20", "2026-03-31"), strict=True
    ):
        AuditEvent.objects.filter(pk=event.pk).update(at=_at(day))
    return written


def _rows(response) -> int:
    return response.content.decode().count('<tr class="govuk-table__row">') - 1


def test_every_event_newest_first(admin_client, events):
    response = admin_client.get(URL)
    html = response.content.decode()
    assert _rows(response) == 4 and "4 events" in html
    assert html.index("mallory@example.net") < html.index("assurer@example.org")
    assert "roles: assurer" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": AuditAction.INVITATION_SENT}, 1),
        ({"actor": "MALLORY"}, 1),
        ({"actor": "example.org"}, 2),
        ({"date_from_0": "5", "date_from_1": "3", "date_from_2": "2026"}, 3),
        ({"date_to_0": "20", "date_to_1": "3", "date_to_2": "2026"}, 3),
        (
            {
                "date_from_0": "10",
                "date_from_1": "3",
                "date_from_2": "2026",
                "date_to_0": "10",
                "date_to_1": "3",
                "date_to_2": "2026",
            },
            1,
        ),
    ],
)
def test_the_log_filters(admin_client, events, query, expected):
    response = admin_client.get(URL, {**query, "submit": "Filter"})
    assert response.status_code == 200
    assert _rows(response) == expected
    assert "Clear filters" in response.content.decode()


def test_the_log_filters_by_partner(admin_client, events, partner):
    response = admin_client.get(URL, {"partner": partner.pk})
    assert _rows(response) == 1 and "new@example.org" in response.content.decode()


def test_bad_filters_are_explained(admin_client, events):
    response = admin_client.get(
        URL,
        {
            "date_from_0": "31",
            "date_from_1": "3",
            "date_from_2": "2026",
            "date_to_0": "1",
            "date_to_1": "3",
            "date_to_2": "2026",
        },
    )
    html = response.content.decode()
    assert "<title>Error: Audit log" in html
    assert "The end date must be the same as or after the start date" in html
    assert _rows(response) == 1 and "No events match" in html


def _errors(response) -> tuple[list[str], list[str]]:
    """The error summary's entries and the messages shown on fields."""
    html = response.content.decode()
    summary = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return (
        [text.strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", summary.group(1), re.S)],
        [
            text.strip()
            for text in re.findall(
                r'class="govuk-error-message">\s*'
                r'<span class="govuk-visually-hidden">Error:</span>([^<]*)<',
                html,
                re.S,
            )
        ],
    )


def _dates(start: tuple[str, str, str], end: tuple[str, str, str] = ("", "", "")) -> dict:
    return {
        **{f"date_from_{n}": value for n, value in enumerate(start)},
        **{f"date_to_{n}": value for n, value in enumerate(end)},
    }


@pytest.mark.parametrize(
    ("start", "end", "messages"),
    [
        (("31", "2", "2026"), ("", "", ""), ["Date from must be a real date"]),
        (("ab", "3", "2026"), ("", "", ""), ["Date from must be a real date"]),
        (("1", "3", "2026"), ("1", "March", "2026"), ["Date to must be a real date"]),
        (
            ("30", "2", "2026"),
            ("0", "0", "0000"),
            ["Date from must be a real date", "Date to must be a real date"],
        ),
        (("1", "13", "2026"), ("", "", ""), ["Date from must be a real date"]),
        (("9" * 30, "3", "2026"), ("", "", ""), ["Date from must be a real date"]),
        (("1", "", "2026"), ("", "", ""), ["Date from must include a month"]),
        (("", "", "2026"), ("", "", ""), ["Date from must include a day and month"]),
        (("1", "3", "26"), ("", "", ""), ["Date from must have a year with 4 numbers, like 2026"]),
    ],
)
def test_a_bad_date_gets_a_gov_uk_error_on_the_field_and_in_the_summary(
    admin_client, events, start, end, messages
):
    response = admin_client.get(URL, _dates(start, end))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Audit log" in html
    summary, on_fields = _errors(response)
    assert summary == messages and on_fields == messages
    assert "out of range" not in html and "Enter a valid" not in html
    assert _rows(response) == 1 and "No events match" in html


def test_the_widest_dates_filter_without_failing(admin_client, events):
    response = admin_client.get(URL, _dates(("1", "1", "1000"), ("31", "12", "9999")))
    assert response.status_code == 200 and _rows(response) == 4


def test_the_log_is_paginated(admin_client, settings, directory_admin):
    settings.PORTAL_STAFF_PER_PAGE = 10
    for n in range(25):
        audit_record(action=AuditAction.SIGNED_IN, actor_email=f"person{n}@example.org")
    first = admin_client.get(URL).content.decode()
    assert "govuk-pagination" in first and "person24@example.org" in first
    last = admin_client.get(URL, {"page": 3}).content.decode()
    assert "person0@example.org" in last and "person24@example.org" not in last


@pytest.mark.parametrize("size", [3, 60])
def test_the_log_makes_a_fixed_number_of_queries(
    admin_client, partner, size, django_assert_max_num_queries
):
    for n in range(size):
        audit_record(action=AuditAction.PARTNER_UPDATED, partner=partner, detail={"n": n})
    with django_assert_max_num_queries(6):
        assert admin_client.get(URL).status_code == 200
    with django_assert_max_num_queries(7):
        assert admin_client.get(URL, {"partner": partner.pk, "action": "partner_updated"})


def test_only_directory_admins_read_it(client, partner_admin):
    sign_in(client, partner_admin)
    assert client.get(reverse("accounts:audit-log")).status_code == 403


def test_sign_in_events_reach_the_log(admin_client, assurer):
    before = timezone.now()
    Client().post(reverse("accounts:sign-in"), {"username": assurer.email, "password": "wrong"})
    after = timezone.now()
    response = admin_client.get(URL, {"action": AuditAction.SIGN_IN_FAILED})
    assert _rows(response) == 1 and assurer.email in response.content.decode()
    # Stamped when it happened (an order of events, not a measured duration).
    assert before <= AuditEvent.objects.get().at <= after

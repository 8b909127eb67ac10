"""Sessions: weekly, fortnightly and monthly rules, past midnight, holiday closures, in
Europe/London time (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from publish.finder import opening

LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def sessions(**schedule) -> list[opening.Session]:
    return opening.sessions_of({"opens_at": "10:00", "closes_at": "12:00", **schedule})


def test_weekly_next_session():
    weekly = sessions(freq="WEEKLY", byday="TU,TH")
    # Monday 13 January 2025
    assert opening.when_next(weekly, [], at(2025, 1, 13)) == "Next: tomorrow 10:00 to 12:00"
    assert opening.when_next(weekly, [], at(2025, 1, 14, 8)) == "Next: today 10:00 to 12:00"
    assert opening.when_next(weekly, [], at(2025, 1, 14, 11)) == "Open now until 12:00"
    assert opening.when_next(weekly, [], at(2025, 1, 14, 13)) == "Next: Thursday 10:00 to 12:00"


def test_fortnightly_runs_every_other_week_from_dtstart():
    fortnightly = sessions(freq="WEEKLY", interval=2, byday="TU", dtstart="2025-01-07")
    day, _ = opening.next_session(fortnightly, [], at(2025, 1, 8))
    assert day == dt.date(2025, 1, 21)  # not the 14th
    day, _ = opening.next_session(fortnightly, [], at(2025, 1, 21, 13))
    assert day == dt.date(2025, 2, 4)
    assert opening.describe(fortnightly[0]) == "Every other Tuesday, 10:00 to 12:00"


@pytest.mark.parametrize(
    ("byday", "after", "expected"),
    [
        ("2TU", at(2025, 1, 1), dt.date(2025, 1, 14)),
        ("2TU", at(2025, 1, 15), dt.date(2025, 2, 11)),
        ("-1FR", at(2025, 1, 1), dt.date(2025, 1, 31)),
        ("1MO", at(2025, 2, 4), dt.date(2025, 3, 3)),
    ],
)
def test_monthly_by_weekday(byday, after, expected):
    monthly = sessions(freq="MONTHLY", byday=byday)
    day, _ = opening.next_session(monthly, [], after)
    assert day == expected


def test_monthly_described():
    (second_tuesday,) = sessions(freq="MONTHLY", byday="2TU")
    assert opening.describe(second_tuesday) == "Second Tuesday of the month, 10:00 to 12:00"
    (last_friday,) = sessions(freq="MONTHLY", byday="-1FR")
    assert opening.describe(last_friday) == "Last Friday of the month, 10:00 to 12:00"


def test_overnight_session_is_open_after_midnight():
    night = sessions(freq="WEEKLY", byday="MO", opens_at="22:00", closes_at="02:00")
    assert opening.open_until(night, [], at(2025, 1, 13, 23)) == dt.time(2)
    assert opening.open_until(night, [], at(2025, 1, 14, 1, 59)) == dt.time(2)
    assert opening.open_until(night, [], at(2025, 1, 14, 2)) is None
    assert opening.open_until(night, [], at(2025, 1, 13, 1)) is None  # Sunday night: no session


def test_closure_closes_sessions_and_moves_next():
    weekly = sessions(freq="WEEKLY", byday="TU")
    closure = opening.closure_of(
        {"valid_from": "2025-01-14", "valid_to": "2025-01-14", "description": "Closed for training"}
    )
    assert closure is not None
    assert opening.open_until(weekly, [closure], at(2025, 1, 14, 11)) is None
    assert (
        opening.when_next(weekly, [closure], at(2025, 1, 13))
        == "Next: Tuesday 21 January 10:00 to 12:00"
    )
    # A closure is not a session.
    assert (
        opening.sessions_of(
            {"valid_from": "2025-01-14", "valid_to": "2025-01-14", "description": "Closed"}
        )
        == []
    )


def test_overnight_closure_belongs_to_the_night_it_starts():
    night = sessions(freq="WEEKLY", byday="MO", opens_at="22:00", closes_at="02:00")
    monday = opening.Closure(dt.date(2025, 1, 13), dt.date(2025, 1, 13))
    assert opening.open_until(night, [monday], at(2025, 1, 14, 1)) is None


def test_time_zone_is_london_in_summer():
    weekly = sessions(freq="WEEKLY", byday="TU")
    # 09:30 UTC on a July Tuesday is 10:30 in London (BST).
    moment = dt.datetime(2025, 7, 15, 9, 30, tzinfo=dt.UTC)
    assert opening.open_until(weekly, [], moment) == dt.time(12)


def test_validity_dates_limit_a_rule():
    summer = sessions(freq="WEEKLY", byday="WE", valid_from="2025-07-01", valid_to="2025-08-31")
    assert opening.next_session(summer, [], at(2025, 1, 1)) is None  # beyond two months
    assert opening.next_session(summer, [], at(2025, 6, 20))[0] == dt.date(2025, 7, 2)
    assert opening.next_session(summer, [], at(2025, 9, 1)) is None


def test_attending_codes():
    assert opening.attending_code("Drop in") == "drop_in"
    assert opening.attending_code("By appointment") == "appointment"
    assert opening.attending_code("Referral only") == "referral"
    assert opening.attending_code("") == ""


def test_week_of_month():
    assert opening.week_of_month(dt.date(2025, 1, 31)) == (5, -1)
    assert opening.week_of_month(dt.date(2025, 1, 24)) == (4, -2)
    assert opening.week_of_month(dt.date(2025, 1, 1)) == (1, -5)

"""Sessions: when a published service runs, read from its ORUK schedules.

A schedule (RFC 5545 in ORUK: `freq`, `interval`, `byday`, `bymonthday`, `dtstart`, validity
dates, `opens_at`/`closes_at`) becomes one `Session` per day it names. The same sessions are
stored as `PublishedSchedule` rows when a service is published (so SQL can filter "open on
Saturday morning" and "open now"), and are read back from those rows or from the published
document to say when a service runs next. Everything here is about local time in Europe/London.

Rules it understands: weekly (every week or every `interval` weeks from `dtstart`: "every other
Tuesday"), monthly by weekday ("2TU": the second Tuesday, "-1FR": the last Friday) and monthly by
day of the month (`bymonthday` "15"). A session whose closing time is not after its opening time
runs past midnight (22:00 to 02:00). A holiday closure (`directory.oruk.closures.is_closure`) closes
every session that starts on one of its days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone

from directory.oruk.closures import is_closure

LONDON = ZoneInfo("Europe/London")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
# Weeks are counted from this Monday, so "every other week" is a week number modulo 2.
WEEK_EPOCH = dt.date(2024, 1, 1)
ORDINAL_WORDS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", 5: "Fifth", -1: "Last"}
# How far ahead "next session" looks: a monthly rule always runs within two months.
HORIZON_DAYS = 62
NOON, FIVE_PM = dt.time(12), dt.time(17)
# The contract's time-of-day values: (opens before, closes after), see `time_of_day_q`.
TIMES_OF_DAY = {
    "morning": "Morning (before 12pm)",
    "afternoon": "Afternoon (12pm to 5pm)",
    "evening": "Evening (after 5pm)",
}

_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


class SessionLike(Protocol):
    day: str
    opens_at: dt.time | None
    closes_at: dt.time | None
    location_id: Any
    ordinal: int | None
    interval: int
    week_phase: int
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass(frozen=True)
class Session:
    """One day of one schedule rule (the fields of a `PublishedSchedule` row)."""

    day: str  # "MO".."SU"; "" for a day-of-month rule
    opens_at: dt.time | None
    closes_at: dt.time | None
    location_id: Any = None
    ordinal: int | None = None  # week of the month for monthly rules; -1 the last
    interval: int = 1
    week_phase: int = 0
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    attending: str = ""  # "drop_in" | "appointment" | "referral" | ""
    monthday: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Closure:
    starts: dt.date
    ends: dt.date
    location_id: Any = None
    description: str = ""


def week_number(day: dt.date) -> int:
    return (day - WEEK_EPOCH).days // 7


def week_of_month(day: dt.date) -> tuple[int, int]:
    """(n, -m): the day is the n-th of its weekday in its month, and the m-th from the end."""
    next_month = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    days_left = (next_month - day).days - 1
    return (day.day - 1) // 7 + 1, -(days_left // 7 + 1)


def attending_code(text: str) -> str:
    """ORUK `attending_type` is free text: "Drop in", "By appointment", "Referral"..."""
    text = (text or "").lower()
    if "drop" in text:
        return "drop_in"
    if "appoint" in text or "book" in text:
        return "appointment"
    if "referr" in text:
        return "referral"
    return ""


ATTENDING_LABELS = {
    "drop_in": "Drop in",
    "appointment": "By appointment",
    "referral": "By referral",
}


def _time(value: Any) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value)[:8])
    except ValueError:
        return None


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def closure_of(schedule: Mapping[str, Any], location_id: Any = None) -> Closure | None:
    if not is_closure(schedule):
        return None
    starts, ends = _date(schedule.get("valid_from")), _date(schedule.get("valid_to"))
    if starts is None or ends is None:
        return None
    return Closure(starts, ends, location_id, str(schedule.get("description") or ""))


def sessions_of(schedule: Mapping[str, Any], location_id: Any = None) -> list[Session]:
    """The sessions of one ORUK schedule (a document dict), none for a closure or a rule with
    no day."""
    if is_closure(schedule):
        return []
    freq = str(schedule.get("freq") or "").upper()
    interval = int(schedule.get("interval") or 1)
    dtstart = _date(schedule.get("dtstart"))
    common = {
        "opens_at": _time(schedule.get("opens_at")),
        "closes_at": _time(schedule.get("closes_at")),
        "location_id": location_id,
        "valid_from": _date(schedule.get("valid_from")),
        "valid_to": _date(schedule.get("valid_to")),
        "attending": attending_code(str(schedule.get("attending_type") or "")),
        "note": str(schedule.get("notes") or ""),
    }
    sessions = []
    if freq != "MONTHLY" and interval > 1:
        # Every `interval` weeks, counted from dtstart (from the epoch if none is given).
        phase = week_number(dtstart) % interval if dtstart else 0
        common.update(interval=interval, week_phase=phase)
    seen = set()
    for part in str(schedule.get("byday") or "").upper().split(","):
        match = _BYDAY.match(part.strip())
        if not match:
            continue
        ordinal = int(match.group(1)) if match.group(1) and freq == "MONTHLY" else None
        key = (ordinal, match.group(2))
        if key not in seen:
            seen.add(key)
            sessions.append(Session(day=match.group(2), ordinal=ordinal, **common))
    if not sessions and freq == "MONTHLY":
        for part in str(schedule.get("bymonthday") or "").split(","):
            if part.strip().isdigit():
                sessions.append(Session(day="", monthday=int(part.strip()), **common))
    return sessions


def document_sessions(document: Mapping[str, Any]) -> tuple[list[Session], list[Closure]]:
    """Every session and closure of a published service document: its own schedules and those
    of each of its locations."""
    sessions: list[Session] = []
    closures: list[Closure] = []
    owners = [(None, document.get("schedules") or [])]
    for sal in document.get("service_at_locations") or []:
        location = sal.get("location") or {}
        owners.append((location.get("id") or sal.get("location_id"), sal.get("schedules") or []))
    for location_id, schedules in owners:
        for schedule in schedules:
            sessions += sessions_of(schedule, location_id)
            closure = closure_of(schedule, location_id)
            if closure:
                closures.append(closure)
    return sessions, closures


def runs_on(session: SessionLike, day: dt.date) -> bool:
    """Does the session start on this day (ignoring closures)?"""
    if session.valid_from and day < session.valid_from:
        return False
    if session.valid_to and day > session.valid_to:
        return False
    monthday = getattr(session, "monthday", None)
    if not session.day:
        return monthday == day.day
    if DAY_CODES[day.weekday()] != session.day:
        return False
    if session.ordinal is not None:
        return session.ordinal in week_of_month(day)
    interval = session.interval or 1
    return interval <= 1 or week_number(day) % interval == session.week_phase


def is_closed(closures: Iterable[Closure], day: dt.date, location_id: Any = None) -> bool:
    return any(
        c.starts <= day <= c.ends and (c.location_id is None or c.location_id == location_id)
        for c in closures
    )


def overnight(session: SessionLike) -> bool:
    return bool(session.opens_at and session.closes_at and session.closes_at <= session.opens_at)


def local(now: dt.datetime | None) -> dt.datetime:
    now = now or timezone.now()
    if timezone.is_naive(now):
        return now.replace(tzinfo=LONDON)
    return now.astimezone(LONDON)


def open_until(
    sessions: Iterable[SessionLike], closures: list[Closure], now: dt.datetime | None = None
) -> dt.time | None:
    """The closing time if a session is running at `now`, else None."""
    moment = local(now)
    today, clock = moment.date(), moment.time().replace(tzinfo=None)
    yesterday = today - dt.timedelta(days=1)
    for session in sessions:
        if not (session.opens_at and session.closes_at):
            continue
        if overnight(session):
            if (
                runs_on(session, today)
                and clock >= session.opens_at
                and not is_closed(closures, today, session.location_id)
            ) or (
                runs_on(session, yesterday)
                and clock < session.closes_at
                and not is_closed(closures, yesterday, session.location_id)
            ):
                return session.closes_at
        elif (
            session.opens_at <= clock < session.closes_at
            and runs_on(session, today)
            and not is_closed(closures, today, session.location_id)
        ):
            return session.closes_at
    return None


def next_session(
    sessions: Iterable[SessionLike], closures: list[Closure], now: dt.datetime | None = None
) -> tuple[dt.date, SessionLike] | None:
    """The next session to start after `now` (today's later ones included), within two months."""
    moment = local(now)
    clock = moment.time().replace(tzinfo=None)
    sessions = [s for s in sessions if s.opens_at]
    for offset in range(HORIZON_DAYS):
        day = moment.date() + dt.timedelta(days=offset)
        starting = sorted(
            (
                s
                for s in sessions
                if runs_on(s, day)
                and not is_closed(closures, day, s.location_id)
                and (offset > 0 or s.opens_at > clock)
            ),
            key=lambda s: s.opens_at,
        )
        if starting:
            return day, starting[0]
    return None


def clock(value: dt.time) -> str:
    return value.strftime("%H:%M")


def hours(session: SessionLike) -> str:
    if session.opens_at and session.closes_at:
        return f"{clock(session.opens_at)} to {clock(session.closes_at)}"
    if session.opens_at:
        return f"from {clock(session.opens_at)}"
    return ""


def when_next(
    sessions: Iterable[SessionLike], closures: list[Closure], now: dt.datetime | None = None
) -> str:
    """ "Open now until 17:00", "Next: Tuesday 10:00 to 12:00" (with the date when more than a
    week away, "today" and "tomorrow" when so), or "" when nothing is scheduled."""
    sessions = list(sessions)
    until = open_until(sessions, closures, now)
    if until is not None:
        return f"Open now until {clock(until)}"
    found = next_session(sessions, closures, now)
    if found is None:
        return ""
    day, session = found
    today = local(now).date()
    if day == today:
        name = "today"
    elif day == today + dt.timedelta(days=1):
        name = "tomorrow"
    elif day < today + dt.timedelta(days=7):
        name = DAY_NAMES[DAY_CODES[day.weekday()]]
    else:
        name = f"{DAY_NAMES[DAY_CODES[day.weekday()]]} {day.day} {day:%B}"
    return f"Next: {name} {hours(session)}".rstrip()


def describe(session: SessionLike) -> str:
    """A session as a line people read: "Every other Tuesday, 10:00 to 12:00"."""
    day = DAY_NAMES.get(session.day, "")
    monthday = getattr(session, "monthday", None)
    if not session.day and monthday:
        when = f"Day {monthday} of each month"
    elif session.ordinal is not None:
        word = ORDINAL_WORDS.get(session.ordinal, f"Week {session.ordinal}")
        when = f"{word} {day} of the month"
    elif (session.interval or 1) == 2:
        when = f"Every other {day}"
    elif (session.interval or 1) > 2:
        when = f"Every {session.interval} weeks on {day}"
    else:
        when = f"Every {day}"
    span = hours(session)
    line = f"{when}, {span}" if span else when
    if session.valid_from or session.valid_to:
        if session.valid_from and session.valid_to:
            line += f" ({session.valid_from:%-d %B %Y} to {session.valid_to:%-d %B %Y})"
        elif session.valid_from:
            line += f" (from {session.valid_from:%-d %B %Y})"
        else:
            line += f" (until {session.valid_to:%-d %B %Y})"
    return line


# SQL: the same questions over PublishedSchedule rows.


def runs_on_q(day: dt.date, prefix: str = "") -> models.Q:
    """PublishedSchedule rows (or, with `prefix`, rows reached through it) that run on `day`."""
    p = prefix
    n, m = week_of_month(day)
    week = week_number(day)
    cadence = models.Q(**{f"{p}interval__lte": 1})
    for interval in range(2, 9):
        cadence |= models.Q(**{f"{p}interval": interval, f"{p}week_phase": week % interval})
    return (
        models.Q(**{f"{p}day": DAY_CODES[day.weekday()]})
        & (models.Q(**{f"{p}valid_from__isnull": True}) | models.Q(**{f"{p}valid_from__lte": day}))
        & (models.Q(**{f"{p}valid_to__isnull": True}) | models.Q(**{f"{p}valid_to__gte": day}))
        & cadence
        & (
            models.Q(**{f"{p}ordinal__isnull": True})
            | models.Q(**{f"{p}ordinal": n})
            | models.Q(**{f"{p}ordinal": m})
        )
    )


def time_of_day_q(part: str) -> models.Q:
    """Sessions in the morning (opening before 12:00), the afternoon (overlapping 12:00-17:00)
    or the evening (running after 17:00, overnight ones included)."""
    night = models.Q(closes_at__lte=models.F("opens_at"))
    if part == "morning":
        return models.Q(opens_at__lt=NOON)
    if part == "afternoon":
        return models.Q(opens_at__lt=FIVE_PM) & (models.Q(closes_at__gt=NOON) | night)
    if part == "evening":
        return models.Q(closes_at__gt=FIVE_PM) | models.Q(opens_at__gte=FIVE_PM) | night
    return models.Q()


def open_now_q(now: dt.datetime | None = None) -> models.Q:
    """PublishedService rows with a session running at `now` that no holiday closure closes
    (a session past midnight belongs to the day it started, and so does its closure)."""
    from publish.models import PublishedClosure, PublishedSchedule

    moment = local(now)
    today = moment.date()
    yesterday = today - dt.timedelta(days=1)
    t = moment.time().replace(tzinfo=None)
    night = models.Q(closes_at__lte=models.F("opens_at"))

    def not_closed(day: dt.date) -> models.Q:
        return ~models.Exists(
            PublishedClosure.objects.filter(
                models.Q(location_id__isnull=True)
                | models.Q(location_id=models.OuterRef("location_id")),
                snapshot=models.OuterRef("snapshot"),
                starts__lte=day,
                ends__gte=day,
            )
        )

    started_today = (
        runs_on_q(today) & models.Q(opens_at__lte=t) & (models.Q(closes_at__gt=t) | night)
    )
    from_yesterday = runs_on_q(yesterday) & night & models.Q(closes_at__gt=t)
    rows = PublishedSchedule.objects.filter(snapshot=models.OuterRef("pk"))
    return models.Q(models.Exists(rows.filter(started_today).filter(not_closed(today)))) | models.Q(
        models.Exists(rows.filter(from_yesterday).filter(not_closed(yesterday)))
    )

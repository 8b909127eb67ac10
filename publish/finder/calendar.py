"""A published service's sessions as an iCalendar file (RFC 5545), for "add to my calendar".

Read from the published ORUK document, the same one the API serves: each schedule with a
frequency and opening times becomes one repeating event (weekly, fortnightly through
`interval`, monthly "second Tuesday" through `byday=2TU`, or a day of the month). A schedule with
no times and no frequency but a `valid_from` (and usually a `valid_to`) is a closure: the sessions
that fall inside it are left out as EXDATEs, and the closure is named in each event's
description. Times are local (Europe/London, with its VTIMEZONE), so summer time is right.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil import rrule
from icalendar import Calendar, Event, vRecur

from directory.oruk.closures import is_closure
from publish.models import PublishedService

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Local services directory//Service finder//EN"
FREQUENCIES = {"WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY, "DAILY": rrule.DAILY}
WEEKDAYS = {"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR}
WEEKDAYS |= {"SA": rrule.SA, "SU": rrule.SU}
# How far ahead closures are looked for (an open-ended schedule repeats for ever).
HORIZON_DAYS = 400


@dataclass(frozen=True)
class Closure:
    starts: dt.date
    ends: dt.date | None
    description: str

    def covers(self, day: dt.date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)

    def __str__(self) -> str:
        until = f" to {_day(self.ends)}" if self.ends else " until further notice"
        what = f": {self.description}" if self.description else ""
        return f"Closed {_day(self.starts)}{until}{what}"


def _day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _time(value: object) -> dt.time | None:
    try:
        return dt.time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _dicts(value: object) -> list[dict]:
    return (
        [item for item in value or [] if isinstance(item, dict)] if isinstance(value, list) else []
    )


def _byday(text: str) -> list[rrule.weekday]:
    days = []
    for part in (text or "").split(","):
        part = part.strip().upper()
        if len(part) < 2 or part[-2:] not in WEEKDAYS:
            continue
        ordinal = part[:-2]
        try:
            days.append(WEEKDAYS[part[-2:]](int(ordinal)) if ordinal else WEEKDAYS[part[-2:]])
        except ValueError:
            continue
    return days


def _bymonthday(text: str) -> list[int]:
    days = []
    for part in (text or "").split(","):
        try:
            day = int(part.strip())
        except ValueError:
            continue
        if 1 <= abs(day) <= 31:
            days.append(day)
    return days


def service_calendar(
    snapshot: PublishedService, *, url: str, today: dt.date | None = None
) -> tuple[bytes, int]:
    """The service's sessions as an .ics file, and how many events it holds."""
    today = today or dt.date.today()
    try:
        document = json.loads(snapshot.document)
    except ValueError:
        document = {}
    document = document if isinstance(document, dict) else {}
    # (schedule, where) pairs: the service's own times, then each location's.
    sessions: list[tuple[dict, str]] = [(s, "") for s in _dicts(document.get("schedules"))]
    for sal in _dicts(document.get("service_at_locations")):
        location = sal.get("location") if isinstance(sal.get("location"), dict) else {}
        sessions += [(s, _where(location)) for s in _dicts(sal.get("schedules"))]
    closures = [
        Closure(
            _date(s["valid_from"]),
            _date(s.get("valid_to")),
            (s.get("description") or s.get("notes") or "").strip(),
        )
        for s, _ in sessions
        if is_closure(s)
    ]
    if not any(where for _, where in sessions):
        # Sessions of the service itself happen at its one location, if it has just one.
        places = [
            _where(sal.get("location") or {})
            for sal in _dicts(document.get("service_at_locations"))
        ]
        if len(places) == 1:
            sessions = [(s, where or places[0]) for s, where in sessions]

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", snapshot.name)
    calendar.add("x-wr-timezone", "Europe/London")
    count = 0
    for index, (schedule, where) in enumerate(sessions):
        if is_closure(schedule):
            continue
        event = _event(
            schedule,
            name=snapshot.name,
            where=where,
            url=url,
            uid=f"{schedule.get('id') or index}-{snapshot.pk}@service-finder",
            closures=closures,
            today=today,
        )
        if event is not None:
            calendar.add_component(event)
            count += 1
    calendar.add_missing_timezones()
    return calendar.to_ical(), count


def _where(location: dict) -> str:
    parts = [location.get("name") or ""]
    for address in _dicts(location.get("addresses")):
        parts += [address.get(k) or "" for k in ("address_1", "city", "postal_code")]
        break
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _event(
    schedule: dict,
    *,
    name: str,
    where: str,
    url: str,
    uid: str,
    closures: list[Closure],
    today: dt.date,
) -> Event | None:
    opens, closes = _time(schedule.get("opens_at")), _time(schedule.get("closes_at"))
    if opens is None:
        return None
    freq = str(schedule.get("freq") or "").upper()
    interval = 1
    valid_from, valid_to = _date(schedule.get("valid_from")), _date(schedule.get("valid_to"))
    if freq not in FREQUENCIES:
        # A one-off session: on its valid_from day.
        if valid_from is None:
            return None
        first, rule = valid_from, None
    else:
        try:
            interval = max(1, int(schedule.get("interval") or 1))
        except (TypeError, ValueError):
            interval = 1
        byday = _byday(schedule.get("byday") or "")
        bymonthday = _bymonthday(schedule.get("bymonthday") or "")
        # Fortnightly sessions keep their own phase: repeat from `dtstart` as published.
        anchor = _date(schedule.get("dtstart")) or max(valid_from or today, today)
        if interval == 1:
            anchor = max(anchor, valid_from or anchor, today)
        rule = rrule.rrule(
            FREQUENCIES[freq],
            dtstart=dt.datetime.combine(anchor, dt.time()),
            interval=interval,
            byweekday=byday or None,
            bymonthday=bymonthday or None,
            until=dt.datetime.combine(valid_to, dt.time()) if valid_to else None,
        )
        start = dt.datetime.combine(max(today, valid_from or today), dt.time())
        following = rule.after(start, inc=True)
        if following is None:
            return None
        first = following.date()

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("summary", name)
    event.add("dtstart", dt.datetime.combine(first, opens, tzinfo=LONDON))
    if closes and closes > opens:
        event.add("dtend", dt.datetime.combine(first, closes, tzinfo=LONDON))
    elif closes:  # past midnight
        event.add("dtend", dt.datetime.combine(first + dt.timedelta(days=1), closes, tzinfo=LONDON))
    if where:
        event.add("location", where)
    if url:
        event.add("url", url)
    description = [
        line
        for line in (
            (schedule.get("description") or "").strip(),
            (schedule.get("notes") or "").strip(),
        )
        if line
    ]
    if rule is not None:
        recur: dict[str, object] = {"FREQ": freq}
        if interval > 1:
            recur["INTERVAL"] = interval
        if schedule.get("byday"):
            recur["BYDAY"] = [
                part.strip().upper() for part in schedule["byday"].split(",") if part.strip()
            ]
        if schedule.get("bymonthday"):
            recur["BYMONTHDAY"] = _bymonthday(schedule["bymonthday"])
        if valid_to:
            # UNTIL is in UTC when DTSTART has a time zone (RFC 5545 3.3.10).
            recur["UNTIL"] = dt.datetime.combine(valid_to, dt.time(23, 59, 59), tzinfo=LONDON)
            recur["UNTIL"] = recur["UNTIL"].astimezone(dt.UTC)
        event.add("rrule", vRecur(recur))
        horizon = dt.datetime.combine(first + dt.timedelta(days=HORIZON_DAYS), dt.time())
        skipped = [
            day.date()
            for day in rule.between(dt.datetime.combine(first, dt.time()), horizon, inc=True)
            if any(c.covers(day.date()) for c in closures)
        ]
        for day in skipped:
            event.add("exdate", dt.datetime.combine(day, opens, tzinfo=LONDON))
    if closures:
        description += [str(c) for c in closures if c.ends is None or c.ends >= today]
    if url:
        description.append(f"Check before you go: {url}")
    if description:
        event.add("description", "\n".join(description))
    return event

"""What the workflow pages show of change requests and records, shared by every area: states as
tags, and a proposal's fields (ORUK JSON values, nested arrays included) in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.components import lines, tag
from directory.oruk.closures import is_closure

from .documents import FIELD_LABELS, label
from .models import ChangeRequest, State

STATE_COLOURS = {
    State.DRAFT: "grey",
    State.SUBMITTED: "blue",
    State.MORE_INFORMATION: "yellow",
    State.APPROVED: "green",
    State.PARTLY_APPROVED: "turquoise",
    State.REJECTED: "red",
    State.WITHDRAWN: "grey",
}
DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday"}
DAYS |= {"SA": "Saturday", "SU": "Sunday"}
ORDINALS = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
NOTHING = "Not given"


def state_tag(change_request: ChangeRequest) -> SafeString:
    return tag(change_request.get_state_display(), STATE_COLOURS.get(change_request.state, ""))


def _time(value: str | None) -> str:
    return (value or "")[:5]


def _day(value: str) -> str:
    """An ORUK date ("2026-12-24") as people write it ("24 December 2026")."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def describe_schedule(schedule: dict[str, Any]) -> str:
    """In words: "Every Tuesday, 10:00 to 12:00", "Second Tuesday of the month", "Closed for
    Christmas from 24 December 2026 to 2 January 2027"."""
    if is_closure(schedule):
        return (
            f"{schedule['description']} from {_day(schedule['valid_from'])} "
            f"to {_day(schedule['valid_to'])}"
        )
    if schedule.get("description") and not schedule.get("byday"):
        return schedule["description"]
    words = []
    days = [d.strip() for d in (schedule.get("byday") or "").split(",") if d.strip()]
    freq = schedule.get("freq") or ""
    interval = schedule.get("interval") or 1
    named = []
    for day in days:
        ordinal, code = day[:-2], day[-2:].upper()
        name = DAYS.get(code, code)
        named.append(f"{ORDINALS.get(ordinal, ordinal)} {name}" if ordinal else name)
    if freq == "MONTHLY":
        if named:
            monthly = " and ".join(named)
            words.append(f"{monthly[:1].upper()}{monthly[1:]} of the month")
        elif schedule.get("bymonthday"):
            words.append(f"Day {schedule['bymonthday']} of the month")
        else:
            words.append("Monthly")
    elif named:
        every = "Every" if int(interval) == 1 else f"Every {interval} weeks on"
        words.append(f"{every} {', '.join(named)}")
    if schedule.get("opens_at") or schedule.get("closes_at"):
        words.append(f"{_time(schedule.get('opens_at'))} to {_time(schedule.get('closes_at'))}")
    if schedule.get("valid_from") or schedule.get("valid_to"):
        words.append(
            f"from {schedule.get('valid_from') or '…'} to {schedule.get('valid_to') or '…'}"
        )
    text = ", ".join(words)
    return text or schedule.get("description") or "Times not given"


def _address(location: dict[str, Any]) -> str:
    parts = []
    for address in location.get("addresses") or []:
        parts += [
            address.get(key, "")
            for key in ("address_1", "address_2", "city", "postal_code")
            if address.get(key)
        ]
    return ", ".join(parts)


def describe_item(field: str, item: Any) -> str:
    """One element of a nested array, in one line."""
    if not isinstance(item, dict):
        return str(item)
    if field == "phones":
        return " ".join(str(item.get(k)) for k in ("number", "description") if item.get(k))
    if field == "contacts":
        bits = [item.get("name") or item.get("title") or "Contact", item.get("email", "")]
        bits += [phone.get("number", "") for phone in item.get("phones") or []]
        return ", ".join(bit for bit in bits if bit)
    if field == "service_at_locations":
        location = item.get("location") or {}
        name = location.get("name") or item.get("description") or "Location"
        address = _address(location)
        return f"{name}: {address}" if address else name
    if field == "schedules":
        return describe_schedule(item)
    if field == "cost_options":
        amount = item.get("amount")
        price = f"£{amount}" if amount not in (None, "") else ""
        return " ".join(bit for bit in (item.get("option", ""), price) if bit) or "Cost"
    if field == "languages":
        return item.get("name") or item.get("code") or "Language"
    if field == "service_areas":
        return item.get("name") or item.get("service_area") or "Area"
    if field == "funding":
        return item.get("source") or "Funding"
    if field == "additional_urls":
        return ": ".join(str(item[k]) for k in ("label", "url") if item.get(k))
    if field == "attributes":
        term = item.get("taxonomy_term") or {}
        return term.get("name") or item.get("taxonomy_term_id") or "Category"
    return ", ".join(f"{key}: {value}" for key, value in item.items() if key != "id")


def field_value(field: str, value: Any) -> SafeString | str:
    """A proposal's field as people read it (escaped; lists one item a line)."""
    if value in (None, "", []):
        return NOTHING
    if isinstance(value, list):
        return lines([describe_item(field, item) for item in value])
    if field == "status":
        return str(value).capitalize()
    return format_html("{}", value)


def field_label(field: str) -> str:
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    found = label(field)  # an organisation's field ("website")
    return found if found != field else field.replace("_", " ").capitalize()


def change_title(change_request: ChangeRequest) -> str:
    """What a change request is about, as a list names it: "Lunch club", "New service: Lunch
    club", "Organisation details: Hull CVS"."""
    if change_request.is_organization_change:
        return f"Organisation details: {change_request.title}"
    if change_request.is_new_service:
        return f"New service: {change_request.proposed.get('name') or 'no name yet'}"
    return change_request.title

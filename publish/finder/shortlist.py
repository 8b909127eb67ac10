"""The finder's shortlist: services someone has picked, held in their session (no account needed).

A frontline worker in a meeting, or anyone at a library computer, adds services from the results
and service pages, then prints the list (with a QR code per service), or, signed in as a frontline
worker, emails it to a client or to themselves. The list holds service ids only; what it shows is
read afresh from the published snapshots, so a service that has since left the feed says so.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from accounts.policy import Action, user_can
from publish.models import PublishedService

SESSION_KEY = "finder_shortlist"
# Enough for any real list; a bound keeps the session (and a printed page) small.
MAX_SERVICES = 30


def parse_service_id(value: Any) -> str | None:
    """The canonical text of a service id, or None for anything that is not a UUID."""
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError, AttributeError):
        return None


class Shortlist:
    """The ids on one visitor's list, in the order they were added, kept in their session."""

    def __init__(self, session: SessionBase) -> None:
        self.session = session

    @property
    def ids(self) -> list[str]:
        stored = self.session.get(SESSION_KEY, [])
        if not isinstance(stored, list):
            return []
        return [i for i in (parse_service_id(v) for v in stored) if i]

    def __contains__(self, service_id: object) -> bool:
        return parse_service_id(service_id) in self.ids

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, service_id: str) -> bool:
        """Add a service; False when the list is full (a service already on it is left there)."""
        ids = self.ids
        if service_id in ids:
            return True
        if len(ids) >= MAX_SERVICES:
            return False
        self._save([*ids, service_id])
        return True

    add.alters_data = True

    def remove(self, service_id: str) -> None:
        self._save([i for i in self.ids if i != service_id])

    remove.alters_data = True

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)

    clear.alters_data = True

    def _save(self, ids: list[str]) -> None:
        self.session[SESSION_KEY] = ids


@dataclass
class ShortlistEntry:
    """One service on the list as the shortlist pages, the print page and the email show it."""

    service_id: str
    name: str
    published: bool = True
    organization_name: str = ""
    summary: str = ""
    where: list[str] = field(default_factory=list)
    when: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    email: str = ""
    website: str = ""
    url: str = ""  # the service's finder page, absolute
    qr_code: str = ""  # inline SVG, filled in for the print page only


def service_path(service_id: str) -> str:
    """The finder page of a service (the pages' `finder:service` when it exists)."""
    try:
        return reverse("finder:service", args=[service_id])
    except NoReverseMatch:
        return f"/services/{service_id}/"


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def shortlist_entries(ids: list[str]) -> list[ShortlistEntry]:
    """The services on the list, in list order, read from the published snapshots in one query.

    A service no longer published keeps its place with `published=False`, so the person sees
    that it has gone rather than finding it silently missing.
    """
    snapshots = {
        str(s.pk): s
        for s in PublishedService.objects.filter(pk__in=ids).only("name", "document", "status")
    }
    entries = []
    for service_id in ids:
        snapshot = snapshots.get(service_id)
        if snapshot is None:
            entries.append(ShortlistEntry(service_id=service_id, name="", published=False))
            continue
        entries.append(_entry(service_id, snapshot))
    return entries


def _entry(service_id: str, snapshot: PublishedService) -> ShortlistEntry:
    try:
        document = json.loads(snapshot.document)
    except ValueError:
        document = {}
    if not isinstance(document, dict):
        document = {}
    organization = document.get("organization") or {}
    entry = ShortlistEntry(
        service_id=service_id,
        name=snapshot.name,
        organization_name=organization.get("name", "") if isinstance(organization, dict) else "",
        summary=Truncator(document.get("description") or "").words(40),
        email=document.get("email") or "",
        website=document.get("url") or "",
        url=absolute_url(service_path(service_id)),
    )
    schedules = list(_dicts(document.get("schedules")))
    for sal in _dicts(document.get("service_at_locations")):
        location = sal.get("location") or {}
        place = _place(location) if isinstance(location, dict) else ""
        if place and place not in entry.where:
            entry.where.append(place)
        schedules.extend(_dicts(sal.get("schedules")))
    for schedule in schedules:
        line = _session_line(schedule)
        if line and line not in entry.when:
            entry.when.append(line)
    phones = [*_dicts(document.get("phones"))]
    for contact in _dicts(document.get("contacts")):
        phones.extend(_dicts(contact.get("phones")))
    for phone in phones:
        number = (phone.get("number") or "").strip()
        if number and number not in entry.phones:
            entry.phones.append(number)
    return entry


def _dicts(value: Any) -> list[dict]:
    return [item for item in value or [] if isinstance(item, dict)]


def _place(location: dict) -> str:
    """A location's name and postcode, e.g. "Hull Community Centre, HU1 1AA"."""
    parts = [location.get("name") or ""]
    for address in _dicts(location.get("addresses")):
        parts.extend([address.get("address_1") or "", address.get("postal_code") or ""])
        break
    return ", ".join(part.strip() for part in parts if part and part.strip())


def _session_line(schedule: dict) -> str:
    description = (schedule.get("description") or "").strip()
    notes = (schedule.get("notes") or "").strip()
    if description and notes:
        return f"{description} ({notes[0].lower()}{notes[1:]})"
    return description or notes


def qr_code_svg(url: str) -> str:
    """`url` as an inline SVG QR code (qrcode's path image: pure Python, no image library)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=4, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # Several codes share a page: the path's fixed id would repeat, so it goes.
    return svg[svg.index("<svg") :].replace(' id="qr-path"', "")


def may_email_shortlist(user: Any) -> bool:
    """Frontline workers email lists to their clients. The policy names them as the people who
    may suggest changes (SUGGEST on no particular record: frontline workers and directory
    admins), so the same answer decides who may send a list."""
    return user_can(user, Action.SUGGEST)


def emails_per_hour() -> tuple[int, int]:
    """Per recipient address and per client address, each hour (accounts.throttle)."""
    return tuple(settings.PORTAL_SHORTLIST_EMAILS_PER_HOUR)


def shortlist_email_body(entries: list[ShortlistEntry], *, message: str = "") -> str:
    """The plain-text email of a list: each published service with how to reach it."""
    lines: list[str] = []
    if message:
        lines += [message.strip(), ""]
    lines += ["Here are the services we talked about.", ""]
    for number, entry in enumerate((e for e in entries if e.published), start=1):
        lines.append(f"{number}. {entry.name}")
        if entry.organization_name:
            lines.append(f"   Run by {entry.organization_name}")
        for place in entry.where:
            lines.append(f"   Where: {place}")
        for when in entry.when:
            lines.append(f"   When: {when}")
        for phone in entry.phones:
            lines.append(f"   Phone: {phone}")
        if entry.email:
            lines.append(f"   Email: {entry.email}")
        lines.append(f"   More about it: {entry.url}")
        lines.append("")
    lines.append(
        "Details can change: check with the service before you go. "
        f"You can search for more services at {absolute_url('/')}"
    )
    return "\n".join(lines) + "\n"

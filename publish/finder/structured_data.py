"""schema.org JSON-LD for the finder's service pages, so that search engines can show a service
(what, who runs it, where, when, how to get in touch) in their results.

`service_json_ld(page)` builds the data from the engine's `service_page()` result (the published
snapshot, already free of confidential locations); `json_ld_script(data)` renders it as a
`<script type="application/ld+json">` data block, escaped as Django's `json_script` escapes (no
`<`, `>` or `&` can close the element or start markup). A data block is not run, so the portal's
Content-Security-Policy (no inline scripts) does not refuse it; the browser test checks that.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from publish.finder import opening
from publish.finder.search import PageLocation, ServicePage

_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

# RFC 5545 day codes (as sessions keep them) -> schema.org days of the week.
SCHEMA_DAYS = {
    "MO": "https://schema.org/Monday",
    "TU": "https://schema.org/Tuesday",
    "WE": "https://schema.org/Wednesday",
    "TH": "https://schema.org/Thursday",
    "FR": "https://schema.org/Friday",
    "SA": "https://schema.org/Saturday",
    "SU": "https://schema.org/Sunday",
}


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """`data` without empty values (schema.org consumers prefer absent to empty)."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _place(location: PageLocation) -> dict[str, Any] | None:
    address = None
    if location.address_lines or location.postcode:
        address = _compact(
            {
                "@type": "PostalAddress",
                "streetAddress": ", ".join(location.address_lines),
                "postalCode": location.postcode,
                "addressCountry": "GB",
            }
        )
    geo = None
    if location.latitude is not None and location.longitude is not None:
        geo = {
            "@type": "GeoCoordinates",
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    place = _compact({"@type": "Place", "name": location.name, "address": address, "geo": geo})
    return place if len(place) > 1 else None


def _phone_numbers(page: ServicePage) -> list[str]:
    numbers: list[str] = []
    phones = list(page.phones) + [phone for c in page.contacts for phone in c.phones]
    for phone in phones:
        if phone.number and phone.number not in numbers:
            numbers.append(phone.number)
    return numbers


def _opening_hours(page: ServicePage) -> list[dict[str, Any]]:
    """The weekly sessions as OpeningHoursSpecification, one per set of hours (with all the
    days that share them). Fortnightly and monthly sessions have no schema.org form and are
    left to the page's own words; closures are not sessions."""
    sessions, _closures = opening.document_sessions(page.document or {})
    specs: dict[tuple, list[str]] = {}
    for session in sessions:
        weekly = session.interval == 1 and session.ordinal is None and session.monthday is None
        if not weekly or session.day not in SCHEMA_DAYS or session.opens_at is None:
            continue
        key = (session.opens_at, session.closes_at, session.valid_from, session.valid_to)
        days = specs.setdefault(key, [])
        if SCHEMA_DAYS[session.day] not in days:
            days.append(SCHEMA_DAYS[session.day])
    order = list(SCHEMA_DAYS.values())
    return [
        _compact(
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": _one_or_many(sorted(days, key=order.index)),
                "opens": opens.strftime("%H:%M"),
                "closes": closes.strftime("%H:%M") if closes else None,
                "validFrom": valid_from.isoformat() if valid_from else None,
                "validThrough": valid_to.isoformat() if valid_to else None,
            }
        )
        for (opens, closes, valid_from, valid_to), days in specs.items()
    ]


def service_json_ld(page: ServicePage) -> dict[str, Any]:
    """A schema.org `Service` for one published service page (`search.service_page()`): its
    provider `Organization`, the areas it serves, a `ServiceChannel` per place (address, phone)
    or one for phone and web alone, the hours of its weekly sessions and the page's URL."""
    url = absolute_url(reverse("finder:service", args=[page.service_id]))
    phones = _phone_numbers(page)
    contact = (
        _compact({"@type": "ContactPoint", "telephone": phones[0], "email": page.email})
        if phones
        else None
    )
    provider = None
    if page.organization_name:
        provider = _compact(
            {
                "@type": "Organization",
                "name": page.organization_name,
                "url": absolute_url(reverse("finder:organisation", args=[page.organization_id]))
                if page.organization_id
                else None,
                "sameAs": page.organization_url,
            }
        )
    channels = []
    for location in page.locations:
        place = _place(location)
        if place is None:
            continue
        channels.append(
            _compact(
                {
                    "@type": "ServiceChannel",
                    "name": location.name,
                    "serviceLocation": place,
                    "servicePhone": contact,
                    "serviceUrl": page.url,
                    "availableLanguage": page.languages,
                }
            )
        )
    if not channels and (contact or page.url):
        channels.append(
            _compact(
                {
                    "@type": "ServiceChannel",
                    "servicePhone": contact,
                    "serviceUrl": page.url,
                    "availableLanguage": page.languages,
                }
            )
        )
    service_types = [label for _id, label in page.service_types]
    return _compact(
        {
            "@context": "https://schema.org",
            "@type": "Service",
            "@id": url,
            "name": page.name,
            "description": page.description,
            "url": url,
            "provider": provider,
            "areaServed": [
                {"@type": "AdministrativeArea", "name": area} for area in page.service_areas
            ],
            "serviceType": _one_or_many(service_types) if service_types else None,
            "availableChannel": channels,
            "hoursAvailable": _opening_hours(page),
            "telephone": phones[0] if phones else None,
            "email": page.email,
        }
    )


def json_ld_script(data: dict[str, Any] | None) -> SafeString:
    """`data` as a `<script type="application/ld+json">` data block, safely escaped ("" if
    there is no data)."""
    if not data:
        return mark_safe("")
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))

"""schema.org JSON-LD for service pages: built from the engine's service_page(), rendered as a
safely escaped data block."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string

from publish.finder.structured_data import json_ld_script, service_json_ld

BASE = "https://find.example.org"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PORTAL_BASE_URL = BASE


def parse(html: str) -> dict:
    match = re.fullmatch(
        r'\s*<script type="application/ld\+json">(.*)</script>\s*', html, flags=re.S
    )
    assert match, html
    return json.loads(match.group(1))


def test_the_data_block_cannot_be_closed_by_what_a_service_says():
    data = {"name": "</script><script>alert(1)</script> & <b>", "@type": "Service"}
    html = json_ld_script(data)
    assert html.count("</script>") == 1
    assert "<b>" not in html and "&" not in html.split(">", 1)[1].rsplit("<", 1)[0]
    assert parse(html)["name"] == data["name"]


def test_nothing_is_rendered_without_data():
    assert json_ld_script({}) == ""
    assert render_to_string("publish/finder/includes/json_ld.html", {"json_ld": None}).strip() == ""


def test_the_include_renders_the_block():
    html = render_to_string(
        "publish/finder/includes/json_ld.html", {"json_ld": {"@type": "Service", "name": "A"}}
    )
    assert parse(html) == {"@type": "Service", "name": "A"}
    assert (
        Template("{% load finder_structured_data %}{{ d|json_ld }}").render(
            Context({"d": {"a": "<"}})
        )
        == '<script type="application/ld+json">{"a": "\\u003C"}</script>'
    )


# --- built from a published service ------------------------------------------------------


@pytest.mark.django_db
def test_a_published_service_becomes_a_schema_org_service(published_service):
    from publish.finder.search import service_page

    service = published_service
    page = service_page(str(service.pk))
    data = service_json_ld(page)
    url = f"{BASE}/services/{service.pk}/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Service"
    assert data["name"] == "Lunch club"
    assert data["url"] == url
    assert "friendly weekly lunch" in data["description"]
    assert data["provider"] == {
        "@type": "Organization",
        "name": "Older Friends Hull",
        "url": f"{BASE}/organisations/{service.organization_id}/",
        "sameAs": "https://example.org/",
    }
    assert {"@type": "AdministrativeArea", "name": "Hull"} in data["areaServed"]
    channel = data["availableChannel"][0]
    assert channel["@type"] == "ServiceChannel"
    place = channel["serviceLocation"]
    assert place["@type"] == "Place"
    assert place["address"]["postalCode"] == "HU1 1AA"
    assert place["address"]["@type"] == "PostalAddress"
    assert channel["servicePhone"] == {"@type": "ContactPoint", "telephone": "01482 000 111"}
    assert data["hoursAvailable"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Tuesday",
            "opens": "10:00",
            "closes": "12:00",
        }
    ]
    # It serialises (dates, decimals) and round-trips through the data block.
    assert parse(json_ld_script(data)) == json.loads(json.dumps(data, default=str))


@pytest.mark.django_db
def test_a_confidential_location_gives_no_address(published_service):
    from directory.models import Location
    from publish.finder.search import service_page
    from publish.services import services_publish

    Location.objects.filter(service_at_locations__service=published_service).update(
        is_confidential=True
    )
    services_publish(service_ids=[published_service.pk])
    text = json.dumps(service_json_ld(service_page(str(published_service.pk))))
    assert "1 Test Street" not in text


@pytest.fixture
def published_service(db):
    from directory import models as m
    from directory.geo import lookup_postcode
    from publish.services import services_publish
    from tests.factories import (
        AddressFactory,
        LocationFactory,
        OrganizationFactory,
        ScheduleFactory,
        ServiceAtLocationFactory,
        ServiceFactory,
    )

    org = OrganizationFactory(name="Older Friends Hull")
    service = ServiceFactory(
        organization=org,
        name="Lunch club",
        description="A friendly weekly lunch for older people who feel lonely",
        assured_date=dt.date.today() - dt.timedelta(days=5),
    )
    point = lookup_postcode("HU1 1AA")
    location = LocationFactory(
        name="Central Library",
        latitude=point.latitude,
        longitude=point.longitude,
        local_authority_code=point.local_authority_code,
    )
    AddressFactory(location=location, postal_code="HU1 1AA", address_1="1 Test Street")
    ServiceAtLocationFactory(service=service, location=location)
    ScheduleFactory(service=service, byday="TU", opens_at=dt.time(10), closes_at=dt.time(12))
    m.ServiceArea.objects.create(service=service, name="Hull", local_authority_code="E06000010")
    m.Phone.objects.create(service=service, number="01482 000 111")
    services_publish(service_ids=[service.pk])
    return service

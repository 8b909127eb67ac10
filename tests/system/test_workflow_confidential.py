"""A directory admin withholds the address of a published service's location (a refuge, say):
the open feed then shows only its postcode district, with its coordinates rounded."""

from __future__ import annotations

import re

from django.db.models import Count

from directory.models import Address, Service
from directory.oruk import postcode_district
from publish.services import publishable_services, services_publish
from tests.auth import totp_device
from tests.system.browser import Portal
from tests.system.people import sign_in

ADMIN = "admin@people.test"


def feed_location(portal: Portal, service: Service) -> dict:
    """The service's one location as the open feed serves it (asked as an API client)."""
    answer = portal.page.request.get(f"/api/v3/services/{service.pk}")
    assert answer.status == 200
    (pairing,) = answer.json()["service_at_locations"]
    return pairing["location"]


def test_a_directory_admin_withholds_a_location_s_address_from_the_open_feed(portal, world):
    totp_device(world.user(ADMIN))
    sign_in(portal, ADMIN, world.password)
    # A published service with a unique name, delivered at one place.
    names = Service.objects.values("name").annotate(n=Count("pk")).filter(n=1).values("name")
    candidates = (
        publishable_services()
        .filter(name__in=names, assured_date__gte=world.feed.assured_since())
        .annotate(places=Count("service_at_locations"))
        .filter(places=1)
        .order_by("name")
    )
    service = next(
        s for s in candidates if Address.objects.filter(location__service_at_locations__service=s)
    )
    services_publish(service_ids=[service.pk])  # the demo seed leaves publishing to a task
    address = Address.objects.get(location__service_at_locations__service=service)
    assert feed_location(portal, service)["addresses"][0]["address_1"] == address.address_1

    portal.visit(f"/staff/services/{service.pk}/")
    assert portal.heading() == service.name
    portal.sees("The full address and exact coordinates")
    portal.press(re.compile(r"^Publish only the postcode district of "))
    district = postcode_district(address.postal_code)
    portal.sees("The open data will show only the postcode district")
    portal.sees(f"Only the postcode district ({district})")
    portal.sees(address.address_1)  # staff still see where it is

    shown = feed_location(portal, service)
    (published,) = shown["addresses"]
    assert published["postal_code"] == district
    assert published["address_1"] == "Address withheld"
    location = address.location
    assert shown["latitude"] == round(location.latitude, 2)
    assert shown["longitude"] == round(location.longitude, 2)
    assert "external_identifier" not in shown

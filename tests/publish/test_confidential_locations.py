"""The open feed shows only the postcode district of a confidential location (a refuge), with its
coordinates rounded; every other location in full."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory import models as m
from publish.models import PublishedServiceAtLocation
from publish.services import services_publish
from tests.factories import (
    AddressFactory,
    LocationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)
from tests.oruk_files import assert_valid, require_oruk_files


@pytest.fixture(autouse=True)
def _oruk_files():
    require_oruk_files()


def _get(client, path: str, **params) -> dict:
    response = client.get(path, params)
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def _hide(service: m.Service) -> m.Location:
    location = service.service_at_locations.get().location
    location.addresses.update(address_1="12 Wellington Lane", address_2="Flat B")
    location.external_identifier = "10093583095"
    location.is_confidential = True
    location.save()
    services_publish(service_ids=[service.pk])
    return location


def _location_of(document: dict) -> dict:
    (pairing,) = document["service_at_locations"]
    return pairing["location"]


def test_the_feed_shows_only_the_district_of_a_confidential_location(client, world):
    lunch, youth = world.services["lunch"], world.services["youth"]
    location = _hide(lunch)

    service = _get(client, f"/api/v3/services/{lunch.pk}")
    assert_valid("service.json", service)
    shown = _location_of(service)
    (address,) = shown["addresses"]
    assert address["postal_code"] == "HU1" and address["address_1"] == "Address withheld"
    assert "address_2" not in address and "external_identifier" not in shown
    assert shown["latitude"] == round(location.latitude, 2)
    assert shown["longitude"] == round(location.longitude, 2)
    assert "Wellington" not in json.dumps(service)

    pairing_id = str(lunch.service_at_locations.get().pk)
    detail = _get(client, f"/api/v3/service_at_locations/{pairing_id}")
    assert_valid("service_at_location.json", detail)
    assert detail["location"]["addresses"][0]["postal_code"] == "HU1"
    for full in ("false", "true"):
        page = _get(client, "/api/v3/service_at_locations", full=full, per_page=100)
        (item,) = [i for i in page["contents"] if i["id"] == pairing_id]
        assert item["location"]["latitude"] == round(location.latitude, 2)
        assert "Wellington" not in json.dumps(page)
    organization = _get(
        client, f"/api/v3/organizations/{lunch.organization_id}", full_service="true"
    )
    assert "Wellington" not in json.dumps(organization)
    assert "Wellington" not in json.dumps(_get(client, f"/api/v1/services/{lunch.pk}"))

    # The row distance search measures from is rounded too.
    row = PublishedServiceAtLocation.objects.get(pk=pairing_id)
    assert (row.latitude, row.longitude) == (
        round(location.latitude, 2),
        round(location.longitude, 2),
    )

    # Every other location is published in full.
    (other,) = _location_of(_get(client, f"/api/v3/services/{youth.pk}"))["addresses"]
    assert other["address_1"] == "1 High Street" and other["postal_code"] == "HU5 3QA"


def test_publishing_the_full_address_again_restores_it(client, world):
    lunch = world.services["lunch"]
    location = _hide(lunch)
    location.is_confidential = False
    location.save()
    services_publish(service_ids=[lunch.pk])
    shown = _location_of(_get(client, f"/api/v3/services/{lunch.pk}"))
    assert shown["addresses"][0]["address_1"] == "12 Wellington Lane"
    assert shown["latitude"] == location.latitude


def _refuges(count: int) -> list:
    services = []
    for _ in range(count):
        service = ServiceFactory()
        location = LocationFactory(is_confidential=True)
        AddressFactory(location=location, postal_code="HU9 3AB")
        ServiceAtLocationFactory(service=service, location=location)
        services.append(service.pk)
    return services


@pytest.mark.django_db
def test_publishing_asks_no_query_per_confidential_location():
    def queries(ids: list) -> int:
        with CaptureQueriesContext(connection) as captured:
            services_publish(service_ids=ids)
        return len(captured)

    few, many = _refuges(2), _refuges(8)
    queries(_refuges(1))  # the first publishing also creates the feed's version row
    assert queries(many) == queries(few)

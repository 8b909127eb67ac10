"""A confidential location (a refuge) shows only its postcode district in open data documents."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.core.management import call_command

from directory import models as m
from directory import oruk
from directory.oruk.redact import ADDRESS_WITHHELD, POSTCODE_WITHHELD
from tests.factories import (
    AddressFactory,
    LocationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)
from tests.oruk_files import assert_valid, require_oruk_files

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("HU9 3AB", "HU9"),
        ("hu93ab", "HU9"),
        ("  hu9   3ab ", "HU9"),
        ("SW1A 1AA", "SW1A"),
        ("EC1A 1BB", "EC1A"),
        ("W1A 0AX", "W1A"),
        ("M1 1AE", "M1"),
        ("BT1 1AA", "BT1"),
        ("GIR 0AA", "GIR"),
        ("HU9", "HU9"),  # already a district
        ("sw1a", "SW1A"),
        ("HU9 3A", ""),  # cut short: which part is the district is not known
        ("D02 X285", ""),  # an Eircode
        ("12345", ""),
        ("", ""),
    ],
)
def test_postcode_district(postcode, district):
    assert oruk.postcode_district(postcode) == district


@pytest.mark.parametrize(
    ("value", "rounded"), [(53.744321, 53.74), (-0.332611, -0.33), (51, 51.0), (None, None)]
)
def test_coordinates_are_rounded_to_about_a_kilometre(value, rounded):
    assert oruk.rounded_coordinate(value) == rounded


@pytest.fixture
def refuge() -> dict:
    """A service at a refuge (confidential) and at a drop-in centre (not)."""
    service = ServiceFactory(name="Domestic abuse support")
    hidden = LocationFactory(
        name="Safe house",
        description="Use the side door on Wellington Lane",
        latitude=53.751234,
        longitude=-0.298765,
        external_identifier="10093583095",
        external_identifier_type="UPRN",
        is_confidential=True,
    )
    AddressFactory(
        location=hidden,
        attention="c/o The Warden",
        address_1="12 Wellington Lane",
        address_2="Flat B",
        city="Hull",
        region="East Riding",
        postal_code="HU9 3AB",
    )
    m.Phone.objects.create(location=hidden, number="01482 000111")
    m.Accessibility.objects.create(location=hidden, description="Ramp at the back of No. 12")
    public = LocationFactory(name="Drop-in centre", latitude=53.744321, longitude=-0.332611)
    AddressFactory(location=public, address_1="1 High Street", postal_code="HU1 1AA")
    at_refuge = ServiceAtLocationFactory(
        service=service, location=hidden, description="Rooms on the first floor of No. 12"
    )
    ServiceAtLocationFactory(service=service, location=public, description="Tuesday drop-in")
    return {"service": service, "hidden": hidden, "public": public, "at_refuge": at_refuge}


def _locations(document: dict) -> dict[str, dict]:
    return {
        sal["location"]["name"]: sal | {"location": sal["location"]}
        for sal in document["service_at_locations"]
    }


def test_a_confidential_location_keeps_only_its_district_and_rounded_coordinates(refuge):
    document = oruk.service_document(refuge["service"])
    before = copy.deepcopy(document)
    redacted = oruk.redact_confidential(document, {refuge["hidden"].pk})

    assert document == before, "the document given is left as it was"
    pairings = _locations(redacted)
    pairing = pairings["Safe house"]
    location = pairing["location"]
    assert "description" not in pairing
    assert location["latitude"] == 53.75 and location["longitude"] == -0.3
    for gone in ("description", "external_identifier", "external_identifier_type"):
        assert gone not in location
    assert "phones" not in location and "accessibility" not in location
    (address,) = location["addresses"]
    assert address == {
        "id": str(refuge["hidden"].addresses.get().pk),
        "address_1": ADDRESS_WITHHELD,
        "city": "Hull",
        "region": "East Riding",
        "state_province": "England",
        "postal_code": "HU9",
        "country": "GB",
        "address_type": "physical",
    }
    text = json.dumps(redacted)
    for secret in ("Wellington", "Flat B", "Warden", "3AB", "10093583095", "01482 000111"):
        assert secret not in text
    # The other location, and the rest of the service, are untouched.
    assert pairings["Drop-in centre"] == _locations(before)["Drop-in centre"]
    assert {k: v for k, v in redacted.items() if k != "service_at_locations"} == {
        k: v for k, v in before.items() if k != "service_at_locations"
    }


def test_without_confidential_locations_the_document_itself_comes_back(refuge):
    document = oruk.service_document(refuge["service"])
    assert oruk.redact_confidential(document, set()) is document
    # A confidential location elsewhere: nothing on the way to it, nothing copied.
    assert oruk.redact_confidential(document, {LocationFactory().pk}) is document


def test_a_postcode_that_is_not_a_uk_one_is_withheld_whole(refuge):
    refuge["hidden"].addresses.update(postal_code="D02 X285", country="IE")
    document = oruk.location_document(refuge["hidden"])
    (address,) = oruk.redact_confidential(document, {refuge["hidden"].pk})["addresses"]
    assert address["postal_code"] == POSTCODE_WITHHELD


def test_every_kind_of_document_is_redacted_and_still_valid(refuge):
    require_oruk_files()
    ids = {refuge["hidden"].pk}
    service = refuge["service"]
    organization_full = oruk.organization_document(service.organization, services="full")
    documents = [
        ("service.json", oruk.service_document(service)),
        ("service_at_location.json", oruk.service_at_location_document(refuge["at_refuge"])),
        ("location.json", oruk.location_document(refuge["hidden"])),
        ("organization.json", organization_full),
    ]
    for schema, document in documents:
        redacted = oruk.redact_confidential(document, ids)
        assert_valid(schema, redacted)
        text = json.dumps(redacted)
        assert "Wellington" not in text and "HU9 3AB" not in text, schema
        assert '"postal_code": "HU9"' in text, schema
    (item,) = oruk.service_at_location_list_items(
        m.ServiceAtLocation.objects.filter(pk=refuge["at_refuge"].pk).select_related("location")
    )
    redacted = oruk.redact_confidential(item, ids)
    assert redacted["location"]["latitude"] == 53.75
    assert "external_identifier" not in redacted["location"]
    assert "description" not in redacted and "description" not in redacted["location"]


def test_redacting_asks_the_database_nothing(refuge, django_assert_num_queries):
    documents = [oruk.service_document(refuge["service"]) for _ in range(20)]
    with django_assert_num_queries(0):
        redacted = oruk.redact_confidential(documents, {refuge["hidden"].pk})
    assert all(
        d["service_at_locations"] != r["service_at_locations"]
        for d, r in zip(documents, redacted, strict=True)
    )


@pytest.mark.parametrize("source", ["published", "all"])
def test_export_shows_only_the_district_of_a_confidential_location(refuge, tmp_path, source):
    from publish.services import services_publish

    refuge["service"].assured_date = dt.date.today()
    refuge["service"].save()
    services_publish(service_ids=[refuge["service"].pk])
    target = tmp_path / "export.ndjson"
    call_command("export_oruk", *(["--all"] if source == "all" else []), output=str(target))
    (line,) = target.read_text().splitlines()
    exported = json.loads(line)
    pairings = _locations(exported)
    assert pairings["Safe house"]["location"]["addresses"][0]["postal_code"] == "HU9"
    assert pairings["Drop-in centre"]["location"]["addresses"][0]["address_1"] == "1 High Street"
    assert "Wellington" not in line

"""The DfE Family Hubs profile: the harvester (DFE-Digital/fh-services, `open-referral-function`)
harvests the feed and keeps every published service (tests/publish/dfe_harvester.py says what
it does and where that was read)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from directory import models as m
from publish.models import Feed, PublishedService
from publish.services import service_publish, snapshots_rebuild
from tests.factories import ScheduleFactory
from tests.oruk_files import assert_valid, require_oruk_files
from tests.publish import dfe_harvester as dfe

REGISTERED = "https://directory.example.gov.uk/api/v3/feeds/family-hubs/"


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = ["directory.example.gov.uk", "testserver"]


def _dfe_feed(**fields) -> Feed:
    return Feed.objects.create(
        slug="family-hubs",
        name="Family hubs",
        root_path="/",
        default_per_page=Feed.ALL,
        **fields,
    )


@pytest.fixture
def demo(db):
    """The demo place, published (seeding writes in bulk; publishing is its own step)."""
    call_command("seed_demo", services=300, seed=1, stdout=io.StringIO())
    snapshots_rebuild()
    return PublishedService.objects.count()


def test_the_harvester_keeps_every_published_service_of_the_demo_place(client, demo):
    """The issue's acceptance test: host root, no paging parameters, one page, each service
    fetched by id and deserialised with the harvester's required members and types."""
    require_oruk_files()
    assert demo > 200
    _dfe_feed()
    result = dfe.harvest(client, REGISTERED)
    assert len(result.listed) == demo
    assert result.dropped == {}
    assert sorted(result.accepted) == sorted(
        str(pk) for pk in PublishedService.objects.values_list("pk", flat=True)
    )
    # The same documents still validate against ORUK 3.0 (a sample of them, to stay quick).
    for service_id in result.accepted[:40]:
        detail = client.get(f"/api/v3/feeds/family-hubs/services/{service_id}")
        assert_valid("service.json", json.loads(detail.content))


def test_the_registered_path_does_not_matter(client, demo):
    """.NET resolves `/services` against the registered URL's host: any path lands at the root."""
    _dfe_feed()
    for registered in (
        "https://directory.example.gov.uk/",
        "https://directory.example.gov.uk/api/v3/",
        "https://directory.example.gov.uk/some/other/path",
    ):
        assert len(dfe.harvest(client, registered).listed) == demo


def test_without_a_root_feed_the_harvester_finds_nothing(client, db):
    response = client.get("/services", HTTP_HOST="directory.example.gov.uk")
    assert response.status_code == 404


@pytest.fixture
def tagged(db):
    """One published service with everything the harvester types strictly."""
    from tests.factories import (
        AddressFactory,
        LocationFactory,
        ServiceAtLocationFactory,
        ServiceFactory,
        TaxonomyTermFactory,
    )

    service = ServiceFactory(minimum_age=5, maximum_age=11)
    term = TaxonomyTermFactory(term="", name="Play", description="Play sessions")
    m.Attribute.objects.create(
        link_entity=m.LinkEntity.SERVICE, link_id=service.pk, taxonomy_term=term
    )
    ScheduleFactory(service=service, freq="WEEKLY", interval=2, byday="MO")
    m.Phone.objects.create(service=service, number="01632 960000", extension="204")
    location = LocationFactory()
    AddressFactory(location=location)
    ServiceAtLocationFactory(service=service, location=location)
    service_publish(service=service)
    return service


def test_attributes_carry_link_entity_and_terms_a_code(client, tagged):
    doc = json.loads(client.get(f"/api/v3/services/{tagged.pk}").content)
    attribute = doc["attributes"][0]
    assert attribute["link_entity"] == "service"
    term = attribute["taxonomy_term"]
    # A term without a code gets its id, so that every term has one.
    assert term["code"] == term["id"]
    assert term["description"] == "Play sessions"
    assert doc["service_at_locations"][0]["location"]["addresses"][0]["state_province"]
    dfe.deserialise(dfe.parse(json.dumps(doc)))


def test_a_term_code_is_its_oruk_term(client, world):
    doc = json.loads(client.get(f"/api/v3/taxonomy_terms/{world.terms['advice'].pk}").content)
    assert doc["code"] == doc["term"]


def test_integer_fields_are_written_as_integers(client, tagged):
    text = client.get(f"/api/v3/services/{tagged.pk}").content.decode()
    assert '"interval":2,' in text or '"interval":2}' in text
    assert '"extension":204' in text
    assert '"minimum_age":5,' in text
    assert ".0," not in text and ".0}" not in text
    doc = dfe.parse(text)
    assert type(doc["schedules"][0]["interval"]) is int
    dfe.deserialise(doc)


def test_an_extension_that_is_not_a_plain_number_stays_text(client, tagged):
    phone = m.Phone.objects.get(service=tagged)
    for extension, expected in (("0204", "0204"), ("204#", "204#"), ("9", 9)):
        phone.extension = extension
        phone.save()
        service_publish(service=tagged)
        doc = json.loads(client.get(f"/api/v3/services/{tagged.pk}").content)
        assert doc["phones"][0]["extension"] == expected


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["attributes"][0].pop("link_entity"), "lacks required link_entity"),
        (lambda d: d["attributes"][0]["taxonomy_term"].pop("code"), "lacks required code"),
        (lambda d: d["attributes"][0]["taxonomy_term"].pop("description"), "description"),
        (
            lambda d: d["service_at_locations"][0]["location"]["addresses"][0].pop(
                "state_province"
            ),
            "lacks required state_province",
        ),
        (lambda d: d["schedules"][0].update(interval=2.0), "is not a short"),
        (lambda d: d["schedules"][0].update(interval="2"), "is not a short"),
        (lambda d: d["phones"][0].update(extension="204"), "is not a short"),
        (lambda d: d.update(minimum_age=5.5), "is not a byte"),
        (lambda d: d.update(minimum_age=300), "is not a byte"),
        (lambda d: d.update(id="not-a-guid"), "is not a Guid"),
        (lambda d: d.update(last_modified="yesterday"), "is not a DateTime"),
        (lambda d: d["schedules"][0].update(opens_at="10:00"), "is not a TimeSpan"),
        (lambda d: d.update(metadata=[{"id": d["id"], "resource_type": "service"}]), "lacks"),
        (lambda d: d.update(name=7), "is not a string"),
        (lambda d: d.pop("status"), "lacks required status"),
        (lambda d: d.update(schedules={"id": d["id"]}), "must be a JSON array"),
    ],
)
def test_the_harvester_copy_drops_a_service_for_each_rule(client, tagged, change, reason):
    """The Python copy refuses what the .NET deserialiser refuses (so the acceptance test above
    means something): each required member, and each integer, Guid, date and time type."""
    doc = json.loads(client.get(f"/api/v3/services/{tagged.pk}").content)
    dfe.deserialise(doc)  # as published: accepted
    change(doc)
    with pytest.raises(dfe.Rejected, match=reason):
        dfe.deserialise(dfe.parse(json.dumps(doc)))


def test_complete_metadata_and_unknown_fields_are_accepted(client, tagged):
    doc = json.loads(client.get(f"/api/v3/services/{tagged.pk}").content)
    doc["metadata"] = [
        {
            "id": doc["id"],
            "resource_type": "service",
            "last_action_date": "2025-01-02T03:04:05.000Z",
            "last_action_type": "update",
            "field_name": "name",
            "previous_value": "",
            "replacement_value": "New",
            "updated_by": "import",
        }
    ]
    doc["something_new"] = {"anything": [1, 2.5]}
    dfe.deserialise(dfe.parse(json.dumps(doc)))


def test_we_publish_no_metadata(client, tagged):
    """The harvester requires every member of a metadata item; we send none (the change log is
    internal), so there is nothing it can refuse."""
    text = client.get(f"/api/v3/services/{tagged.pk}").content.decode()
    assert '"metadata"' not in text

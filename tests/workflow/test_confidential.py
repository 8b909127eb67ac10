"""Confidential locations: who may withhold a location's address from the open data (and publish
it again) on the staff service page, what the setting leaves in the audit log and the feed, and
that the directory's own record keeps the full address through the workflow."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.exceptions import NotAllowed
from accounts.models import AuditAction, AuditEvent
from accounts.policy import Action
from core.models import BackgroundTask
from directory.models import Location, Metadata, Service
from publish.models import PublishedService
from publish.services import services_publish
from tests.accounts.matrix import MATRIX, RECORD_SCOPES, World, build_world
from tests.auth import sign_in
from tests.factories import AddressFactory, LocationFactory, ServiceAtLocationFactory
from workflow import services as ws
from workflow.documents import current_document

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "signed_in",
    "frontline_worker",
    "provider_editor",
    "self_assuring_provider_editor",
    "assurer",
    "partner_admin",
    "directory_admin",
)


@pytest.fixture
def world() -> World:
    return build_world()


def place_for(service: Service, name: str = "Safe house") -> Location:
    location = LocationFactory(name=name, latitude=53.751234, longitude=-0.298765)
    AddressFactory(location=location, address_1="12 Wellington Lane", postal_code="HU9 3AB")
    ServiceAtLocationFactory(service=service, location=location)
    return location


def target(world: World, role: str, scope: str) -> Service:
    if scope == "own" and role.startswith("self_assuring"):
        return world.services["self_assured"]
    return world.services[scope]


def as_role(client, world: World, role: str):
    if role != "anonymous":
        sign_in(client, world.user(role))
    return client


def url_for(location: Location, service: Service | None = None) -> str:
    url = reverse("workflow:location-confidential", args=[location.pk])
    return url + (f"?service={service.pk}" if service is not None else "")


def published_address(service: Service) -> dict:
    document = json.loads(PublishedService.objects.get(pk=service.pk).document)
    (pairing,) = document["service_at_locations"]
    return pairing["location"]["addresses"][0]


def cells() -> list:
    return [
        pytest.param(
            role,
            scope,
            MATRIX[role][Action.ASSURE][RECORD_SCOPES.index(scope)],
            id=f"{role}-{scope}",
        )
        for role in ROLES
        for scope in RECORD_SCOPES
    ]


@pytest.mark.parametrize(("role", "scope", "allowed"), cells())
def test_who_may_withhold_a_location_s_address(
    client, world, role, scope, allowed, django_capture_on_commit_callbacks
):
    service = target(world, role, scope)
    location = place_for(service)
    services_publish(service_ids=[service.pk])
    client = as_role(client, world, role)
    tasks = BackgroundTask.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_for(location, service), {"confidential": "yes"})
    location.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert response["Location"] == (
            reverse("workflow:service-detail", args=[service.pk]) + "#locations"
        )
        assert location.is_confidential
        (event,) = AuditEvent.objects.of_action(AuditAction.CONFIDENTIAL_LOCATION_CHANGED)
        assert event.actor == world.user(role)
        assert event.detail == {"confidential": True, "services": [str(service.pk)]}
        assert published_address(service)["postal_code"] == "HU9"
    else:
        if role == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:sign-in"))
        else:
            assert response.status_code == 403
        assert not location.is_confidential
        assert not AuditEvent.objects.of_action(AuditAction.CONFIDENTIAL_LOCATION_CHANGED)
        assert BackgroundTask.objects.count() == tasks, "nothing republished"
        assert published_address(service)["postal_code"] == "HU9 3AB"


def test_the_assurer_withholds_and_publishes_again_with_an_audit_entry_and_republishing(
    client, world, django_capture_on_commit_callbacks
):
    service = world.services["own"]
    location = place_for(service)
    services_publish(service_ids=[service.pk])
    assurer = world.user("assurer")
    client = as_role(client, world, "assurer")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client.post(url_for(location, service), {"confidential": "yes"}, follow=True)
    assert callbacks, "republishing waits for the commit"
    html = page.content.decode()
    assert "The open data will show only the postcode district of Safe house" in html
    assert "Only the postcode district (HU9)" in html and "12 Wellington Lane" in html
    assert published_address(service) == {
        **published_address(service),
        "address_1": "Address withheld",
        "postal_code": "HU9",
    }
    (log,) = Metadata.objects.filter(resource_id=location.pk, field_name="is_confidential")
    assert (log.previous_value, log.replacement_value, log.updated_by) == (
        "False",
        "True",
        assurer.email,
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_for(location, service), {"confidential": "no"})
    location.refresh_from_db()
    assert not location.is_confidential
    assert published_address(service)["address_1"] == "12 Wellington Lane"
    events = AuditEvent.objects.of_action(AuditAction.CONFIDENTIAL_LOCATION_CHANGED).for_target(
        location
    )
    assert sorted(e.detail["confidential"] for e in events) == [False, True]
    assert {e.actor for e in events} == {assurer}


def test_asking_for_the_setting_it_already_has_changes_nothing(client, world):
    service = world.services["own"]
    location = place_for(service)
    client = as_role(client, world, "assurer")
    page = client.post(url_for(location, service), {"confidential": "no"}, follow=True)
    assert "Nothing changed" in page.content.decode()
    assert not AuditEvent.objects.of_action(AuditAction.CONFIDENTIAL_LOCATION_CHANGED).exists()


def test_a_location_shared_with_another_partner_s_service(
    client, world, django_capture_on_commit_callbacks
):
    """Any assurer of a service there may withhold the address at once; publishing it again
    needs a directory admin, or someone who assures every service there."""
    own, other = world.services["own"], world.services["other"]
    location = place_for(own)
    ServiceAtLocationFactory(service=other, location=location)
    services_publish(service_ids=[own.pk, other.pk])
    assurer = world.user("assurer")
    with django_capture_on_commit_callbacks(execute=True):
        assert ws.location_set_confidential(actor=assurer, location=location, confidential=True)
    assert published_address(other)["postal_code"] == "HU9", "every service there republished"
    page = as_role(client, world, "assurer").get(reverse("workflow:service-detail", args=[own.pk]))
    html = page.content.decode()
    assert "Publish the full address" not in html
    assert "Only a directory admin, or someone who assures every service" in html
    with pytest.raises(NotAllowed):
        ws.location_set_confidential(actor=assurer, location=location, confidential=False)
    location.refresh_from_db()
    assert location.is_confidential
    assert ws.location_set_confidential(
        actor=world.user("directory_admin"), location=location, confidential=False
    )


def test_the_service_page_shows_the_setting_to_the_service_s_own_people_only(client, world):
    service = world.services["own"]
    location = place_for(service)
    url = reverse("workflow:service-detail", args=[service.pk])
    assurer_page = as_role(client, world, "assurer").get(url).content.decode()
    assert 'id="locations"' in assurer_page
    assert "Publish only the postcode district" in assurer_page
    assert "The full address and exact coordinates" in assurer_page
    client.logout()
    provider_page = as_role(client, world, "provider_editor").get(url).content.decode()
    assert 'id="locations"' in provider_page
    assert "Publish only the postcode district" not in provider_page
    assert "ask the service&#x27;s assurer" in provider_page
    client.logout()
    # Other staff see the service as the open feed shows it: here, only the district.
    location.is_confidential = True
    location.save()
    services_publish(service_ids=[service.pk])
    worker_page = as_role(client, world, "frontline_worker").get(url).content.decode()
    assert 'id="locations"' not in worker_page
    assert "Wellington" not in worker_page and "HU9" in worker_page


def test_the_service_page_reads_the_same_queries_for_one_location_or_many(client, world):
    service = world.services["own"]
    place_for(service, "First")
    client = as_role(client, world, "assurer")
    url = reverse("workflow:service-detail", args=[service.pk])
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = queries()
    for name in ("Second", "Third", "Fourth"):
        place_for(service, name)
    assert queries() == one


@pytest.mark.parametrize("value", ["", "maybe", "YES"])
def test_a_bad_answer_is_a_bad_request_and_changes_nothing(client, world, value):
    service = world.services["own"]
    location = place_for(service)
    client = as_role(client, world, "assurer")
    assert client.post(url_for(location, service), {"confidential": value}).status_code == 400
    location.refresh_from_db()
    assert not location.is_confidential


def test_unknown_locations_other_methods_and_odd_return_pages(client, world):
    service = world.services["own"]
    location = place_for(service)
    client = as_role(client, world, "assurer")
    unknown = reverse("workflow:location-confidential", args=[uuid.uuid4()])
    assert client.post(unknown, {"confidential": "yes"}).status_code == 404
    assert client.get(url_for(location, service)).status_code == 405
    for query in ("?service=not-a-uuid", f"?service={world.services['other'].pk}", ""):
        response = client.post(url_for(location) + query, {"confidential": "yes"})
        assert response["Location"] == reverse("workflow:home")


def test_the_live_record_keeps_its_full_address_through_an_approved_change(
    world, django_capture_on_commit_callbacks
):
    """The workflow reads and writes the record itself, never the redacted open data: a change
    approved after the address was withheld leaves the address and the setting as they were."""
    service = world.services["own"]
    location = place_for(service)
    assurer, provider = world.user("assurer"), world.user("provider_editor")
    with django_capture_on_commit_callbacks(execute=True):
        ws.location_set_confidential(actor=assurer, location=location, confidential=True)
    proposed = {**current_document(service), "fees": "Free"}
    (pairing,) = proposed["service_at_locations"]
    assert pairing["location"]["addresses"][0]["address_1"] == "12 Wellington Lane"
    change = ws.change_request_save(actor=provider, service=service, proposed=proposed)
    ws.change_request_submit(actor=provider, change_request=change)
    with django_capture_on_commit_callbacks(execute=True):
        ws.change_request_approve(actor=assurer, change_request=change, accepted=["fees"])

    location.refresh_from_db()
    address = location.addresses.get()
    assert location.is_confidential
    assert (address.address_1, address.postal_code) == ("12 Wellington Lane", "HU9 3AB")
    assert (location.latitude, location.longitude) == (53.751234, -0.298765)
    published = json.loads(PublishedService.objects.get(pk=service.pk).document)
    assert published["fees"] == "Free"
    assert published_address(service)["postal_code"] == "HU9"

"""Changes to an organisation's own details, as change requests: who may propose and decide,
accept per field, what approval writes (and leaves alone: the organisation's services, the
arrays it does not change), the feed, the audit log, and the pages that carry them."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.exceptions import NotAllowed
from accounts.models import AuditAction, AuditEvent
from directory import models as m
from directory.oruk import organization_document, service_document
from publish.models import Feed, PublishedOrganization, PublishedService
from tests.accounts.matrix import build_world
from tests.auth import sign_in
from tests.factories import ServiceFactory, TaxonomyTermFactory
from workflow import services as ws
from workflow.documents import current_organization_document
from workflow.models import ChangeRequest, Source, State, Subject

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    world = build_world()
    own_org, other_org, self_org = world.extra["orgs"]
    world.extra.update(own_org=own_org, other_org=other_org, self_org=self_org)
    world.extra["loose_org"] = world.services["unallocated"].organization
    return world


def org(world, key: str = "own_org") -> m.Organization:
    organization = world.extra[key]
    organization.refresh_from_db()
    return organization


def propose(world, role: str = "provider_editor", key: str = "own_org", **changes):
    organization = org(world, key)
    proposed = {**current_organization_document(organization), **changes}
    return ws.change_request_save(
        actor=world.user(role),
        organization=organization,
        proposed=proposed,
        subject=Subject.ORGANIZATION,
    )


def submit(world, change_request: ChangeRequest, role: str = "provider_editor") -> ChangeRequest:
    return ws.change_request_submit(actor=world.user(role), change_request=change_request)


def default_feed() -> Feed:
    """The feed /api/v3/ serves, as its data migration makes it (a transactional test's flush
    removes it)."""
    return Feed.objects.get_or_create(
        slug="main",
        defaults={
            "name": "All assured services",
            "is_default": True,
            "max_assurance_age_days": 365,
        },
    )[0]


def feed_organization(client: Client, organization: m.Organization) -> dict:
    response = client.get(f"/api/v3/organizations/{organization.pk}")
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def client_for(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        sign_in(client, world.user(role))
    return client


# --- proposing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "key", "source"),
    [
        ("provider_editor", "own_org", Source.PROVIDER),
        ("frontline_worker", "other_org", Source.FRONTLINE),
        ("self_assuring_provider_editor", "self_org", Source.PROVIDER),
        ("directory_admin", "loose_org", Source.PROVIDER),
    ],
)
def test_who_may_propose_a_change_to_an_organisation(world, role, key, source):
    change = propose(world, role, key, description="New words")
    assert (change.subject, change.source, change.state) == (
        Subject.ORGANIZATION,
        source,
        State.DRAFT,
    )
    assert change.service is None and change.organization == org(world, key)
    assert change.proposed == {
        "id": str(org(world, key).pk),
        **{
            k: v
            for k, v in current_organization_document(org(world, key)).items()
            if k in ("name", "description", "email", "website")
        },
        "description": "New words",
    }


@pytest.mark.parametrize(
    ("role", "key"),
    [
        ("provider_editor", "other_org"),  # another partner's organisation
        ("self_assuring_provider_editor", "own_org"),
        ("assurer", "own_org"),  # assurers assure services, not organisations
        ("partner_admin", "own_org"),
        ("signed_in", "own_org"),
        ("anonymous", "own_org"),
    ],
)
def test_refused_proposals_change_nothing(world, role, key):
    with pytest.raises(NotAllowed):
        propose(world, role, key, description="Not mine to change")
    assert not ChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE_SAVED).exists()


def test_a_later_edit_updates_the_same_open_request(world):
    first = propose(world, name="One")
    second = propose(world, name="Two")
    assert first.pk == second.pk
    assert ChangeRequest.objects.get().proposed["name"] == "Two"
    # Beside it, the same person's change to a service is a request of its own.
    service = world.services["own"]
    ws.change_request_save(
        actor=world.user("provider_editor"),
        service=service,
        proposed={**service_document(service), "name": "Renamed"},
    )
    assert ChangeRequest.objects.count() == 2


def test_the_database_keeps_one_open_request_per_organisation_and_proposer(world):
    change = propose(world, name="One")
    duplicate = ChangeRequest(
        subject=Subject.ORGANIZATION,
        organization=change.organization,
        proposer=change.proposer,
        source=Source.PROVIDER,
        proposed=change.proposed,
    )
    duplicate.move_to(State.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    about_a_service = ChangeRequest(
        subject=Subject.ORGANIZATION,
        organization=change.organization,
        service=world.services["own"],
        source=Source.PROVIDER,
        proposed=change.proposed,
    )
    about_a_service.move_to(State.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        about_a_service.save()


def test_an_organisation_proposal_must_import(world):
    change = propose(world, name="")
    with pytest.raises(ValidationError) as error:
        submit(world, change)
    assert "Name" in str(error.value)
    change.refresh_from_db()
    assert change.state == State.DRAFT


# --- deciding -------------------------------------------------------------------------------


def test_deciding_needs_assure_on_the_organisation(world):
    change = submit(world, propose(world, description="New words"))
    assert change.state == State.SUBMITTED
    before = organization_document(org(world), services="none")
    # The allocated assurer assures services, not their organisation; the self-assuring
    # provider only their own organisation.
    for role in ("assurer", "self_assuring_provider_editor", "provider_editor", "frontline_worker"):
        with pytest.raises(NotAllowed):
            ws.change_request_approve(
                actor=world.user(role), change_request=change, accepted=["description"]
            )
        with pytest.raises(NotAllowed):
            ws.change_request_reject(actor=world.user(role), change_request=change, reason="No")
    change.refresh_from_db()
    assert change.state == State.SUBMITTED
    assert organization_document(org(world), services="none") == before


def test_directory_admins_are_told_and_approve_per_field(world):
    organization = org(world)
    change = propose(
        world,
        name="Hull Help",
        description="New words",
        phones=[{"id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "number": "01482 000 000"}],
    )
    mail.outbox.clear()
    submit(world, change)
    # Nobody but directory admins may assure a non-self-assuring partner's organisation.
    assert [message.to for message in mail.outbox] == [["directory-admin@example.org"]]
    assert ws.proposal_fields(change) == ["name", "description", "phones"]
    mail.outbox.clear()

    decision = ws.change_request_approve(
        actor=world.user("directory_admin"),
        change_request=change,
        accepted=["description", "phones"],
    )
    assert decision.version is None
    assert decision.change_request.state == State.PARTLY_APPROVED
    assert decision.change_request.accepted_fields == ["description", "phones"]
    organization.refresh_from_db()
    assert organization.name != "Hull Help"
    assert organization.description == "New words"
    assert list(organization.phones.values_list("number", flat=True)) == ["01482 000 000"]
    assert [message.to for message in mail.outbox] == [["provider-editor@example.org"]]
    assert "description, phone numbers" in mail.outbox[0].body


def test_a_self_assuring_provider_is_approved_on_submit(world):
    organization = org(world, "self_org")
    change = propose(world, "self_assuring_provider_editor", "self_org", website="https://x.org/")
    mail.outbox.clear()
    change = submit(world, change, "self_assuring_provider_editor")
    assert change.state == State.APPROVED
    assert change.decided_by == world.user("self_assuring_provider_editor")
    organization.refresh_from_db()
    assert organization.website == "https://x.org/"
    assert mail.outbox == []  # nobody else had to decide
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE_SUBMITTED, target_id=str(change.pk)
    ).exists()


def test_approval_keeps_the_services_and_the_arrays_it_does_not_change(world):
    organization = org(world)
    second = ServiceFactory(name="Second service", organization=organization)
    m.OrganizationIdentifier.objects.create(
        organization=organization,
        identifier_scheme="GB-CHC",
        identifier_type="Charity number",
        identifier="1234567",
    )
    m.Url.objects.create(organization=organization, label="Facebook", url="https://fb.com/x")
    m.Phone.objects.create(organization=organization, number="01482 111 111")
    m.Attribute.objects.create(
        link_entity=m.LinkEntity.ORGANIZATION,
        link_id=organization.pk,
        taxonomy_term=TaxonomyTermFactory(name="Charity"),
    )
    organization.logo = "https://example.org/logo.png"
    organization.save()
    services_before = {
        s.pk: service_document(s) for s in m.Service.objects.filter(organization=organization)
    }
    assert len(services_before) == 2 and second.pk in services_before
    document_before = organization_document(organization, services="none")

    change = submit(world, propose(world, description="Only the description changes"))
    ws.change_request_approve(
        actor=world.user("directory_admin"), change_request=change, accepted=["description"]
    )

    document_after = organization_document(organization, services="none")
    assert document_after == {**document_before, "description": "Only the description changes"}
    for arrays in ("organization_identifiers", "phones", "additional_urls", "attributes"):
        assert document_after[arrays] == document_before[arrays]
    services_after = {
        s.pk: service_document(s) for s in m.Service.objects.filter(organization=organization)
    }
    assert set(services_after) == set(services_before)
    for pk, before in services_before.items():
        after = services_after[pk]
        # The nested organisation is the one thing that changes in a service's document.
        assert after.pop("organization")["description"] == "Only the description changes"
        before.pop("organization")
        assert after == before


def test_the_feed_shows_the_change_only_after_approval(world, client):
    default_feed()
    organization = org(world)
    service = world.services["own"]
    assert PublishedService.objects.filter(pk=service.pk).exists()
    before = feed_organization(client, organization)
    change = submit(world, propose(world, name="Hull Help", description="New words"))
    assert feed_organization(client, organization) == before
    ws.change_request_approve(
        actor=world.user("directory_admin"), change_request=change, accepted=["name"]
    )
    after = feed_organization(client, organization)
    assert after["name"] == "Hull Help"
    assert after["description"] == before["description"]
    assert PublishedOrganization.objects.get(pk=organization.pk).name == "Hull Help"
    # A service's document carries its organisation: republished too.
    published = json.loads(client.get(f"/api/v3/services/{service.pk}").content)
    assert published["organization"]["name"] == "Hull Help"


def test_rejecting_and_asking_change_nothing(world):
    before = organization_document(org(world), services="none")
    change = submit(world, propose(world, description="New words"))
    ws.change_request_ask(
        actor=world.user("directory_admin"), change_request=change, question="Why?"
    )
    change = submit(world, propose(world, description="Newer words"))
    ws.change_request_reject(
        actor=world.user("directory_admin"), change_request=change, reason="No"
    )
    change.refresh_from_db()
    assert change.state == State.REJECTED
    assert organization_document(org(world), services="none") == before


def test_a_stale_proposal_is_refused_and_can_be_rebased(world):
    first = submit(world, propose(world, description="First"))
    second = propose(world, "frontline_worker", website="https://second.org/")
    second = submit(world, second, "frontline_worker")
    admin = world.user("directory_admin")
    ws.change_request_approve(actor=admin, change_request=first, accepted=["description"])
    assert ws.base_moved_on(second)
    with pytest.raises(ws.Conflict):
        ws.change_request_approve(actor=admin, change_request=second, accepted=["website"])
    assert org(world).website != "https://second.org/"
    ws.change_request_rebase(actor=admin, change_request=second)
    assert not ws.base_moved_on(second)
    assert ws.proposal_fields(second) == ["website"]
    ws.change_request_approve(actor=admin, change_request=second, accepted=["website"])
    organization = org(world)
    # Nothing approved before is undone.
    assert (organization.description, organization.website) == ("First", "https://second.org/")


def test_a_personal_email_is_flagged_before_approval(world):
    change = submit(world, propose(world, email="jane.smith@gmail.com"))
    with pytest.raises(ws.PersonalDataNotConfirmed):
        ws.change_request_approve(
            actor=world.user("directory_admin"), change_request=change, accepted=["email"]
        )
    assert org(world).email != "jane.smith@gmail.com"
    ws.change_request_approve(
        actor=world.user("directory_admin"),
        change_request=change,
        accepted=["email"],
        personal_data_confirmed=True,
    )
    assert org(world).email == "jane.smith@gmail.com"


def test_every_step_is_in_the_audit_log(world):
    organization = org(world)
    old_name = organization.name
    change = submit(world, propose(world, name="Hull Help", description="New words"))
    admin = world.user("directory_admin")
    ws.change_request_approve(actor=admin, change_request=change, accepted=["name"])
    events = list(AuditEvent.objects.filter(target_id=str(change.pk)).order_by("pk"))
    assert [event.action for event in events] == [
        AuditAction.CHANGE_SAVED,
        AuditAction.CHANGE_SUBMITTED,
        AuditAction.CHANGE_PARTLY_APPROVED,
    ]
    assert [event.actor for event in events] == [world.user("provider_editor")] * 2 + [admin]
    decided = events[-1].detail
    assert decided["organization"] == str(organization.pk)
    assert decided["subject"] == Subject.ORGANIZATION
    assert decided["accepted"] == ["name"] and decided["rejected"] == ["description"]
    assert decided["changes"] == {"name": [old_name, "Hull Help"]}
    # The import's change log has the field too.
    assert m.Metadata.objects.filter(
        resource_id=organization.pk, field_name="name", replacement_value="Hull Help"
    ).exists()


# --- the pages ------------------------------------------------------------------------------


def test_the_organisation_page_offers_the_right_button(world):
    organization = org(world)
    url = reverse("workflow:organization-detail", args=[organization.pk])
    propose_url = reverse("workflow:propose-organization", args=[organization.pk])
    editor = client_for(world, "provider_editor").get(url).content.decode()
    assert propose_url in editor and "Edit organisation details" in editor
    frontline = client_for(world, "frontline_worker").get(url).content.decode()
    assert propose_url in frontline and "Suggest a change" in frontline


@pytest.mark.parametrize(
    ("role", "status"),
    [("provider_editor", 403), ("assurer", 403), ("signed_in", 403), ("anonymous", 302)],
)
def test_refused_people_cannot_start_a_proposal(world, role, status):
    organization = org(world, "other_org")
    response = client_for(world, role).post(
        reverse("workflow:propose-organization", args=[organization.pk])
    )
    assert response.status_code == status
    assert not ChangeRequest.objects.exists()


def test_propose_needs_post_and_a_real_organisation(world):
    client = client_for(world, "provider_editor")
    organization = org(world)
    url = reverse("workflow:propose-organization", args=[organization.pk])
    assert client.get(url).status_code == 405
    missing = url.replace(str(organization.pk), "00000000-0000-4000-8000-000000000000")
    assert client.post(missing).status_code == 404
    assert not ChangeRequest.objects.exists()


def test_a_provider_changes_their_organisation_through_the_pages(world):
    organization = org(world)
    client = client_for(world, "provider_editor")
    response = client.post(reverse("workflow:propose-organization", args=[organization.pk]))
    change = ChangeRequest.objects.get(subject=Subject.ORGANIZATION)
    assert response["Location"] == reverse("workflow:edit", args=[change.pk])
    # Posting again reopens the same proposal.
    client.post(reverse("workflow:propose-organization", args=[organization.pk]))
    assert ChangeRequest.objects.count() == 1

    tasks = client.get(reverse("workflow:edit", args=[change.pk])).content.decode()
    assert "Change the organisation&#x27;s details" in tasks
    for slug in ("details", "phones", "links"):
        assert reverse("workflow:edit-section", args=[change.pk, slug]) in tasks
    assert "/edit/times/" not in tasks
    # A service's section is not an organisation's.
    times = reverse("workflow:edit-section", args=[change.pk, "times"])
    assert client.get(times).status_code == 404

    details = reverse("workflow:edit-section", args=[change.pk, "details"])
    empty = client.post(details, {"name": "", "description": "", "email": "", "website": ""})
    assert empty.status_code == 200
    assert "Enter the organisation&#x27;s name" in empty.content.decode()
    assert "Enter a description of the organisation" in empty.content.decode()
    response = client.post(
        details,
        {
            "name": organization.name,
            "description": "We help people in Hull",
            "email": organization.email,
            "website": organization.website,
        },
    )
    assert response.status_code == 302
    links = reverse("workflow:edit-section", args=[change.pk, "links"])
    bad = client.post(f"{links}?item=link-new", {"url": "not a web address", "label": ""})
    assert "Enter a web address in the right format" in bad.content.decode()
    client.post(f"{links}?item=link-new", {"url": "https://fb.com/hull", "label": "Facebook"})
    change.refresh_from_db()
    assert change.proposed["additional_urls"][0]["url"] == "https://fb.com/hull"

    check = client.get(reverse("workflow:check", args=[change.pk])).content.decode()
    assert "We help people in Hull" in check and "Facebook: https://fb.com/hull" in check
    assert "Other web addresses" in check
    response = client.post(reverse("workflow:check", args=[change.pk]), {"note": ""})
    assert response["Location"] == reverse("workflow:change-request", args=[change.pk])
    change.refresh_from_db()
    assert change.state == State.SUBMITTED
    organization.refresh_from_db()
    assert organization.description != "We help people in Hull"

    page = client.get(reverse("workflow:change-request", args=[change.pk])).content.decode()
    assert f"Change to the details of {organization.name}" in page
    listing = client.get(reverse("workflow:change-list")).content.decode()
    assert f"Organisation details: {organization.name}" in listing


def test_a_directory_admin_reviews_and_approves_in_the_review_screen(world):
    organization = org(world)
    change = submit(
        world,
        propose(world, description="We help people in Hull", website="https://hull.example/"),
    )
    # Assurers of the organisation's services may not decide it: it does not exist for them.
    assurer = client_for(world, "assurer")
    assert assurer.get(reverse("workflow:review", args=[change.pk])).status_code == 404
    queue = assurer.get(reverse("workflow:queue")).content.decode()
    assert reverse("workflow:review", args=[change.pk]) not in queue

    admin = client_for(world, "directory_admin")
    queue = admin.get(reverse("workflow:queue"), {"q": organization.name}).content.decode()
    assert f"Organisation details: {organization.name}" in queue
    review_url = reverse("workflow:review", args=[change.pk])
    page = admin.get(review_url).content.decode()
    assert f"Review the change to the details of {organization.name}" in page
    assert "Website" in page and "We help people in Hull" in page
    response = admin.post(
        review_url,
        {
            "accept": ["website"],
            "edit_website": "https://hull.example/home",
            "decision": "approve",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change.refresh_from_db()
    assert change.state == State.PARTLY_APPROVED
    organization.refresh_from_db()
    assert organization.website == "https://hull.example/home"
    assert organization.description != "We help people in Hull"
    done = admin.get(review_url).content.decode()
    assert "This change is not waiting for a decision" in done


def test_the_conflict_screen_for_an_organisation(world):
    first = submit(world, propose(world, description="First"))
    second = propose(world, "frontline_worker", description="Second")
    second = submit(world, second, "frontline_worker")
    admin = client_for(world, "directory_admin")
    ws.change_request_approve(
        actor=world.user("directory_admin"), change_request=first, accepted=["description"]
    )
    response = admin.post(
        reverse("workflow:review", args=[second.pk]),
        {"accept": ["description"], "decision": "approve"},
    )
    assert response["Location"] == reverse("workflow:conflict", args=[second.pk])
    page = admin.get(response["Location"]).content.decode()
    assert "First" in page and "Second" in page
    admin.post(reverse("workflow:conflict", args=[second.pk]))
    second.refresh_from_db()
    assert second.base["description"] == "First"
    assert second.state == State.SUBMITTED


def test_an_emptied_name_is_refused_on_its_field(world):
    organization = org(world)
    change = submit(world, propose(world, name="Hull Help"))
    response = client_for(world, "directory_admin").post(
        reverse("workflow:review", args=[change.pk]),
        {"accept": ["name"], "edit_name": "", "decision": "approve"},
    )
    assert response.status_code == 200
    assert "Enter the organisation&#x27;s name" in response.content.decode()
    change.refresh_from_db()
    assert change.state == State.SUBMITTED
    assert org(world).name == organization.name

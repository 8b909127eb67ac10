"""The one writer (workflow.services): proposing, submitting, deciding, conflicts, versions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.exceptions import NotAllowed
from accounts.models import AuditAction, AuditEvent
from directory.models import Service
from publish.models import PublishedService
from tests.accounts.matrix import build_world
from workflow import services as ws
from workflow.documents import current_document
from workflow.models import ChangeRequest, ServiceVersion, Source, State

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    return build_world()


def _propose(world, role="provider_editor", scope="own", **changes):
    service = world.services[scope]
    proposed = {**current_document(service), **changes}
    return ws.change_request_save(actor=world.user(role), service=service, proposed=proposed)


def test_a_provider_edit_is_a_draft_until_submitted_and_not_published(world):
    service = world.services["own"]
    change = _propose(world, name="Renamed lunch club", description="New words")
    assert change.state == State.DRAFT and change.source == Source.PROVIDER
    change = ws.change_request_submit(actor=world.user("provider_editor"), change_request=change)
    assert change.state == State.SUBMITTED
    service.refresh_from_db()
    assert service.name == "Own service"
    assert not PublishedService.objects.filter(name="Renamed lunch club").exists()
    # The allocated assurer is told, and nobody else.
    assert [m.to for m in mail.outbox] == [["assurer@example.org"]]


def test_a_later_edit_updates_the_same_open_change_request(world):
    first = _propose(world, name="One")
    second = _propose(world, name="Two")
    assert first.pk == second.pk
    assert ChangeRequest.objects.count() == 1
    assert ChangeRequest.objects.get().proposed["name"] == "Two"


def test_accept_per_field_applies_only_the_accepted_fields(world):
    service = world.services["own"]
    change = _propose(world, name="New name", description="New description", fees="£2")
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=change)
    mail.outbox.clear()
    decision = ws.change_request_approve(
        actor=world.user("assurer"), change_request=change, accepted=["name", "fees"]
    )
    service.refresh_from_db()
    assert (service.name, service.fees) == ("New name", "£2")
    assert service.description == "A weekly lunch club for older people."
    assert service.assured_date == timezone.localdate()
    assert decision.change_request.state == State.PARTLY_APPROVED
    assert decision.version.number == 1
    assert set(decision.version.changes) == {"name", "fees", "assured_date"}
    # Republished with the accepted fields (tasks run at once in tests).
    assert PublishedService.objects.get(pk=service.pk).name == "New name"
    assert [m.to for m in mail.outbox] == [["provider-editor@example.org"]]
    assert "partly approved" in mail.outbox[0].body


def test_refused_people_change_nothing(world):
    change = _propose(world, name="New name")
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=change)
    for role in ("frontline_worker", "provider_editor", "partner_admin", "signed_in"):
        with pytest.raises(NotAllowed):
            ws.change_request_approve(
                actor=world.user(role), change_request=change, accepted=["name"]
            )
    other_assurer_scope = world.services["other"]
    with pytest.raises(NotAllowed):
        ws.change_request_save(
            actor=world.user("provider_editor"),
            service=other_assurer_scope,
            proposed=current_document(other_assurer_scope),
        )
    change.refresh_from_db()
    assert change.state == State.SUBMITTED
    assert Service.objects.get(pk=change.service_id).name == "Own service"


def test_two_assurers_deciding_conflicting_changes_one_wins_the_other_gets_a_conflict(world):
    service = world.services["own"]
    provider_change = _propose(world, name="Provider's name")
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=provider_change)
    worker_change = _propose(world, role="frontline_worker", name="Worker's name", fees="Free")
    ws.change_request_submit(actor=world.user("frontline_worker"), change_request=worker_change)
    ws.change_request_approve(
        actor=world.user("assurer"), change_request=provider_change, accepted=["name"]
    )
    with pytest.raises(ws.Conflict) as conflict:
        ws.change_request_approve(
            actor=world.user("directory_admin"), change_request=worker_change, accepted=["name"]
        )
    assert conflict.value.current["name"] == "Provider's name"
    service.refresh_from_db()
    assert service.name == "Provider's name"
    # Compared again with the current record, the worker's change is still whole.
    rebased = ws.change_request_rebase(actor=world.user("assurer"), change_request=worker_change)
    assert rebased.proposed["name"] == "Worker's name"
    assert rebased.proposed["fees"] == "Free"
    ws.change_request_approve(
        actor=world.user("assurer"), change_request=rebased, accepted=["fees"]
    )
    service.refresh_from_db()
    assert (service.name, service.fees) == ("Provider's name", "Free")
    assert list(service.versions.values_list("number", flat=True)) == [2, 1]


def test_self_assuring_provider_is_approved_on_submit_and_recorded(world):
    service = world.services["self_assured"]
    change = ws.change_request_save(
        actor=world.user("self_assuring_provider_editor"),
        service=service,
        proposed={**current_document(service), "name": "Trusted rename"},
        submit=True,
    )
    assert change.state == State.APPROVED
    service.refresh_from_db()
    assert service.name == "Trusted rename"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.CHANGE_SUBMITTED, AuditAction.CHANGE_APPROVED} <= actions


def test_a_personal_mobile_is_flagged_and_cannot_be_published_unconfirmed(world):
    service = world.services["own"]
    contact = {
        "id": "6d9d3c1e-7a8f-4f39-9b1d-2f0a8a4c1a11",
        "name": "Jane Smith",
        "phones": [{"id": "0c8f2b5e-3d4a-4c1b-8e7f-9a6b5c4d3e21", "number": "07700 900123"}],
    }
    change = _propose(world, contacts=[contact])
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=change)
    flags = ws.personal_data_flags(change)
    assert {flag.path for flag in flags} == {"contacts/0/name", "contacts/0/phones/0/number"}
    with pytest.raises(ws.PersonalDataNotConfirmed):
        ws.change_request_approve(
            actor=world.user("assurer"), change_request=change, accepted=["contacts"]
        )
    assert not service.contacts.exists()
    ws.change_request_approve(
        actor=world.user("assurer"),
        change_request=change,
        accepted=["contacts"],
        personal_data_confirmed=True,
    )
    assert service.contacts.get().name == "Jane Smith"


def test_reject_needs_a_reason_and_tells_the_proposer(world):
    change = _propose(world, role="frontline_worker", name="Wrong")
    ws.change_request_submit(actor=world.user("frontline_worker"), change_request=change)
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        ws.change_request_reject(actor=world.user("assurer"), change_request=change, reason=" ")
    ws.change_request_reject(
        actor=world.user("assurer"), change_request=change, reason="The name is right"
    )
    assert change.state == State.REJECTED
    assert "The name is right" in mail.outbox[0].body


def test_a_public_report_reaches_the_assurer_and_its_outcome_the_reporter(world):
    service = world.services["own"]
    report = ws.report_create(
        service=service, part="phone", corrected="01482 000000", email="someone@example.com"
    )
    assert report.state == State.SUBMITTED
    assert report.proposed["phones"][0]["number"] == "01482 000000"
    assert mail.outbox[-1].to == ["assurer@example.org"]
    ws.change_request_approve(
        actor=world.user("assurer"), change_request=report, accepted=["phones"]
    )
    assert service.phones.get().number == "01482 000000"
    assert mail.outbox[-1].to == ["someone@example.com"]


def test_the_database_refuses_a_move_outside_the_transitions_table(world):
    change = _propose(world, name="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change.pk).update(
            previous_state=State.APPROVED, state=State.SUBMITTED
        )
    with pytest.raises(ValueError):
        change.move_to(State.APPROVED)


def test_reassure_and_restore_leave_versions(world):
    service = world.services["own"]
    version = ws.service_reassure(actor=world.user("assurer"), service=service)
    assert version.source == Source.REVIEW and version.changes.get("assured_date")
    change = _propose(world, name="Later name")
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=change)
    ws.change_request_approve(actor=world.user("assurer"), change_request=change, accepted=["name"])
    restore = ws.version_restore(actor=world.user("assurer"), version=version)
    # Restoring is a change like any other: it waits for an assurer's decision.
    assert restore.source == Source.RESTORE and restore.state == State.SUBMITTED
    assert ws.proposal_fields(restore) == ["name"]
    ws.change_request_approve(
        actor=world.user("assurer"), change_request=restore, accepted=["name"]
    )
    service.refresh_from_db()
    assert service.name == "Own service"
    assert ServiceVersion.objects.filter(service=service).count() == 3


def test_a_new_service_is_created_on_approval(world):
    org = world.extra["orgs"][0]
    change = ws.change_request_save(
        actor=world.user("frontline_worker"),
        organization=org,
        proposed={
            "id": "8f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
            "name": "Warm space",
            "status": "active",
            "description": "Tea",
        },
        submit=True,
    )
    assert change.state == State.SUBMITTED and change.is_new_service
    ws.change_request_approve(
        actor=world.user("directory_admin"),
        change_request=change,
        accepted=["name", "status", "description"],
    )
    created = Service.objects.get(name="Warm space")
    assert created.organization == org and created.assured_date == timezone.localdate()
    change.refresh_from_db()
    assert change.service == created


def test_hide_and_show_go_through_the_policy_and_the_audit_log(world):
    service = world.services["own"]
    with pytest.raises(NotAllowed):
        ws.service_hide(actor=world.user("assurer"), service=service, reason="x")
    ws.service_hide(actor=world.user("directory_admin"), service=service, reason="Unsafe")
    assert not PublishedService.objects.filter(pk=service.pk).exists()
    assert ws.service_show(actor=world.user("directory_admin"), service=service)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert AuditAction.SERVICE_HIDDEN in actions and AuditAction.SERVICE_SHOWN in actions
    assert dt.date.today()

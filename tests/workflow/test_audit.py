"""Every state change of a change request, and every change to a record's assurance or
visibility, is in the audit log with who did it and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from directory.models import Location, Service
from tests.accounts.matrix import World, build_world
from tests.factories import AddressFactory, ServiceAtLocationFactory
from workflow import services as ws
from workflow.documents import current_document
from workflow.models import ChangeRequest, ReportPart, State

pytestmark = pytest.mark.django_db

# The audit actions of the workflow (read from the list, so that a new one needs a scenario).
WORKFLOW_ACTIONS = {
    action
    for action in AuditAction
    if action.value.startswith(("change_", "problem_", "service_", "confidential_"))
}


@pytest.fixture
def world() -> World:
    return build_world()


def _draft(world: World, **changes: Any) -> ChangeRequest:
    service = world.services["own"]
    changes = changes or {"name": "Renamed lunch club"}
    return ws.change_request_save(
        actor=world.user("provider_editor"),
        service=service,
        proposed={**current_document(service), **changes},
    )


def _submitted(world: World, **changes: Any) -> ChangeRequest:
    return ws.change_request_submit(
        actor=world.user("provider_editor"), change_request=_draft(world, **changes)
    )


# Each scenario makes one state change and returns (audit action, actor, what it was done to).
Scenario = Callable[[World], tuple[str, Any, Any]]


def save_draft(world):
    return AuditAction.CHANGE_SAVED, world.user("provider_editor"), _draft(world)


def submit(world):
    return AuditAction.CHANGE_SUBMITTED, world.user("provider_editor"), _submitted(world)


def approve(world):
    change = _submitted(world)
    ws.change_request_approve(actor=world.user("assurer"), change_request=change, accepted=["name"])
    return AuditAction.CHANGE_APPROVED, world.user("assurer"), change


def partly_approve(world):
    change = _submitted(world, name="New name", fees="£2")
    ws.change_request_approve(actor=world.user("assurer"), change_request=change, accepted=["fees"])
    return AuditAction.CHANGE_PARTLY_APPROVED, world.user("assurer"), change


def reject(world):
    change = _submitted(world)
    ws.change_request_reject(actor=world.user("assurer"), change_request=change, reason="No")
    return AuditAction.CHANGE_REJECTED, world.user("assurer"), change


def ask(world):
    change = _submitted(world)
    ws.change_request_ask(actor=world.user("assurer"), change_request=change, question="Why?")
    return AuditAction.CHANGE_MORE_INFORMATION, world.user("assurer"), change


def withdraw(world):
    change = _draft(world)
    ws.change_request_withdraw(actor=world.user("provider_editor"), change_request=change)
    return AuditAction.CHANGE_WITHDRAWN, world.user("provider_editor"), change


def rebase(world):
    stale = _submitted(world, fees="£2")
    service = world.services["own"]
    # Someone else's change is approved first: the provider's proposal is now stale.
    other = ws.report_create(service=service, part=ReportPart.PHONE, corrected="01482 000000")
    ws.change_request_approve(
        actor=world.user("assurer"), change_request=other, accepted=["phones"]
    )
    ws.change_request_rebase(actor=world.user("assurer"), change_request=stale)
    return AuditAction.CHANGE_REBASED, world.user("assurer"), stale


def report_signed_in(world):
    worker = world.user("frontline_worker")
    change = ws.report_create(service=world.services["other"], part=ReportPart.CLOSED, actor=worker)
    return AuditAction.PROBLEM_REPORTED, worker, change


def reassure(world):
    service = world.services["own"]
    ws.service_reassure(actor=world.user("assurer"), service=service)
    return AuditAction.SERVICE_REASSURED, world.user("assurer"), service


def hide(world):
    service = world.services["own"]
    ws.service_hide(actor=world.user("directory_admin"), service=service, reason="Unsafe")
    return AuditAction.SERVICE_HIDDEN, world.user("directory_admin"), service


def show(world):
    service = world.services["own"]
    admin = world.user("directory_admin")
    ws.service_hide(actor=admin, service=service, reason="Unsafe")
    ws.service_show(actor=admin, service=service)
    return AuditAction.SERVICE_SHOWN, admin, service


def withhold_address(world):
    address = AddressFactory()
    ServiceAtLocationFactory(service=world.services["own"], location=address.location)
    ws.location_set_confidential(
        actor=world.user("assurer"), location=address.location, confidential=True
    )
    return AuditAction.CONFIDENTIAL_LOCATION_CHANGED, world.user("assurer"), address.location


SCENARIOS: list[tuple[str, Scenario]] = [
    (AuditAction.CHANGE_SAVED, save_draft),
    (AuditAction.CHANGE_SUBMITTED, submit),
    (AuditAction.CHANGE_APPROVED, approve),
    (AuditAction.CHANGE_PARTLY_APPROVED, partly_approve),
    (AuditAction.CHANGE_REJECTED, reject),
    (AuditAction.CHANGE_MORE_INFORMATION, ask),
    (AuditAction.CHANGE_WITHDRAWN, withdraw),
    (AuditAction.CHANGE_REBASED, rebase),
    (AuditAction.PROBLEM_REPORTED, report_signed_in),
    (AuditAction.SERVICE_REASSURED, reassure),
    (AuditAction.SERVICE_HIDDEN, hide),
    (AuditAction.SERVICE_SHOWN, show),
    (AuditAction.CONFIDENTIAL_LOCATION_CHANGED, withhold_address),
]


def test_the_scenarios_cover_every_workflow_audit_action():
    assert {action for action, _scenario in SCENARIOS} == WORKFLOW_ACTIONS


@pytest.mark.parametrize(
    ("expected", "scenario"), SCENARIOS, ids=[s.__name__ for _a, s in SCENARIOS]
)
def test_each_state_change_is_audited_with_its_actor_and_time(world, expected, scenario):
    start = timezone.now()
    action, actor, target = scenario(world)
    assert action == expected
    (event,) = AuditEvent.objects.of_action(action).for_target(target)
    assert event.actor == actor
    assert event.actor_email == actor.email
    assert start <= event.at <= timezone.now()
    if isinstance(target, ChangeRequest):
        assert event.detail["service"] == str(target.service_id)
        assert event.detail["source"] == target.source
    else:
        assert isinstance(target, Service | Location)


def test_a_report_from_someone_without_an_account_is_audited_without_an_actor(world):
    start = timezone.now()
    change = ws.report_create(
        service=world.services["own"], part=ReportPart.CLOSED, email="sam@example.net"
    )
    (event,) = AuditEvent.objects.of_action(AuditAction.PROBLEM_REPORTED).for_target(change)
    assert event.actor is None and event.actor_email == ""
    assert start <= event.at <= timezone.now()
    assert event.detail["part"] == ReportPart.CLOSED


def test_a_self_assured_submission_is_audited_as_submitted_and_approved(world):
    editor = world.user("self_assuring_provider_editor")
    service = world.services["self_assured"]
    change = ws.change_request_save(
        actor=editor, service=service, proposed={**current_document(service), "fees": "£1"}
    )
    change = ws.change_request_submit(actor=editor, change_request=change)
    assert change.state == State.APPROVED
    actions = list(
        AuditEvent.objects.for_target(change).order_by("at", "pk").values_list("action", "actor")
    )
    assert actions == [
        (AuditAction.CHANGE_SAVED, editor.pk),
        (AuditAction.CHANGE_SUBMITTED, editor.pk),
        (AuditAction.CHANGE_APPROVED, editor.pk),
    ]


def test_a_change_request_s_whole_life_is_in_the_log_in_order(world):
    """Saved, submitted, asked about, answered, approved: one entry for each move."""
    provider, assurer = world.user("provider_editor"), world.user("assurer")
    change = _submitted(world, fees="£2")
    ws.change_request_ask(actor=assurer, change_request=change, question="Is it £2 for all?")
    change = ws.change_request_save(
        actor=provider,
        service=world.services["own"],
        proposed={**change.proposed, "fees": "£2 a session"},
    )
    ws.change_request_submit(actor=provider, change_request=change)
    ws.change_request_approve(actor=assurer, change_request=change, accepted=["fees"])
    log = list(
        AuditEvent.objects.for_target(change)
        .order_by("at", "pk")
        .values_list("action", "actor_email", "at")
    )
    assert [(action, who) for action, who, _at in log] == [
        (AuditAction.CHANGE_SAVED, provider.email),
        (AuditAction.CHANGE_SUBMITTED, provider.email),
        (AuditAction.CHANGE_MORE_INFORMATION, assurer.email),
        (AuditAction.CHANGE_SAVED, provider.email),
        (AuditAction.CHANGE_SUBMITTED, provider.email),
        (AuditAction.CHANGE_APPROVED, assurer.email),
    ]
    times = [at for _action, _who, at in log]
    assert times == sorted(times) and all(isinstance(at, dt.datetime) for at in times)

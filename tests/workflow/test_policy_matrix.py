"""Every role x record action x own/other/unallocated cell of the policy matrix
(tests/accounts/matrix.py), run against the one writer, `workflow.services`.

What each action is in the writer:
- EDIT and SUGGEST: `change_request_save`. Whoever may do either can propose; the policy decides
  what the proposal is (its source): a direct edit (a provider's, or an assurer's) or a
  suggestion for an assurer. A refused EDIT cell may therefore still save a *suggestion* (a
  frontline worker), and a refused SUGGEST cell an *edit* (a provider editor on their own
  service); nobody gets the refused kind, and whoever may do neither is refused outright.
- SUBMIT: `change_request_submit` of the person's own draft. SUBMIT is the right to send
  changes as the record's provider: a refused cell is either refused outright, or (for someone
  who may still propose) sends a suggestion or an assurer's own edit, never a provider's.
- ASSURE: `change_request_approve` of a submitted report, then `service_reassure`.
- PUBLISH: `service_hide` (and `service_show` of a hidden service).
(VIEW_DRAFT has no writer: the staff pages' tests read it.)

Every refused call raises NotAllowed and changes nothing: the service row and its phones, the
change requests, versions, hidden services and audit entries are compared before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.exceptions import NotAllowed
from accounts.models import AuditEvent
from accounts.policy import Action
from directory.models import Phone, Service
from publish.models import HiddenService
from tests.accounts.matrix import MATRIX, RECORD_SCOPES, Case, World, build_world, cases
from workflow import services as ws
from workflow.documents import current_document
from workflow.models import ChangeRequest, ReportPart, ServiceVersion, Source, State

pytestmark = pytest.mark.django_db

WRITER_ACTIONS = (Action.EDIT, Action.SUGGEST, Action.SUBMIT, Action.ASSURE, Action.PUBLISH)
CASES = [case for case in cases() if case.action in WRITER_ACTIONS]
EDIT_SOURCES = (Source.PROVIDER, Source.ASSURER)


def test_the_cases_cover_every_record_action_but_viewing():
    record_actions = {a for a in Action if a.is_record_action} - {Action.VIEW_DRAFT}
    assert {case.action for case in CASES} == record_actions == set(WRITER_ACTIONS)
    assert len(CASES) == len(MATRIX) * len(WRITER_ACTIONS) * len(RECORD_SCOPES)


def _answer(role: str, action: Action, scope: str) -> bool:
    return MATRIX[role][action][RECORD_SCOPES.index(scope)]


def proposing_source(case: Case) -> str | None:
    """What the matrix says a proposal by this person on this record is (None: refused)."""
    if _answer(case.role, Action.EDIT, case.scope):
        return Source.PROVIDER if _answer(case.role, Action.SUBMIT, case.scope) else Source.ASSURER
    if _answer(case.role, Action.SUGGEST, case.scope):
        return Source.FRONTLINE
    return None


def state_of(service: Service) -> dict[str, Any]:
    """Everything a workflow service could have written."""
    return {
        "service": Service.objects.filter(pk=service.pk).values().get(),
        "phones": list(Phone.objects.filter(service=service).order_by("pk").values()),
        "change_requests": list(ChangeRequest.objects.order_by("pk").values()),
        "versions": list(ServiceVersion.objects.order_by("pk").values()),
        "hidden": list(HiddenService.objects.order_by("pk").values()),
        "audit": list(AuditEvent.objects.order_by("pk").values()),
    }


def assert_refused(call: Callable[[], Any], service: Service) -> None:
    before = state_of(service)
    with pytest.raises(NotAllowed):
        call()
    assert state_of(service) == before


def attempt(call: Callable[[], Any], service: Service) -> Any:
    """The call's result, or None if it was refused (having changed nothing)."""
    before = state_of(service)
    try:
        return call()
    except NotAllowed:
        assert state_of(service) == before
        return None


def proposal(service: Service) -> dict[str, Any]:
    return {**current_document(service), "description": "Changed by the policy matrix test"}


def own_draft(world: World, case: Case, service: Service) -> ChangeRequest:
    """The person's draft for the record: saved through the writer if they may propose, else
    as if left from a role they have since lost."""
    actor = world.user(case.role)
    if proposing_source(case) is not None:
        return ws.change_request_save(actor=actor, service=service, proposed=proposal(service))
    draft = ChangeRequest(
        service=service,
        organization=service.organization,
        source=Source.PROVIDER,
        proposer=actor if actor.is_authenticated else None,
        proposed=proposal(service),
        base=current_document(service),
        base_modified=service.last_modified,
    )
    draft.move_to(State.DRAFT)
    draft.save()
    return draft


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_the_writer_follows_the_matrix(world: World, case: Case):
    actor = world.user(case.role)
    service = world.target(case)
    CHECKS[case.action](world, case, actor, service)


def check_proposing(world: World, case: Case, actor: Any, service: Service) -> None:
    change = attempt(
        lambda: ws.change_request_save(actor=actor, service=service, proposed=proposal(service)),
        service,
    )
    source = change.source if change is not None else None
    assert source == proposing_source(case)
    if case.action == Action.EDIT:
        assert case.expected == (source in EDIT_SOURCES)
    elif case.expected:
        assert source is not None
    else:
        assert source != Source.FRONTLINE
    if change is not None:
        assert change.state == State.DRAFT and change.proposer == actor
        # A proposal is not a change to the record.
        assert Service.objects.get(pk=service.pk).description == service.description


def check_submitting(world: World, case: Case, actor: Any, service: Service) -> None:
    draft = own_draft(world, case, service)
    submitted = attempt(
        lambda: ws.change_request_submit(actor=actor, change_request=draft), service
    )
    if submitted is None:
        assert not case.expected
        assert ChangeRequest.objects.get(pk=draft.pk).state == State.DRAFT
        return
    assert (submitted.source == Source.PROVIDER) == case.expected
    assert submitted.state in (State.SUBMITTED, State.APPROVED)
    # Approved at once exactly when the sender may assure the record themselves.
    may_assure = _answer(case.role, Action.ASSURE, case.scope)
    assert (submitted.state == State.APPROVED) == may_assure


def check_assuring(world: World, case: Case, actor: Any, service: Service) -> None:
    report = ws.report_create(service=service, part=ReportPart.PHONE, corrected="01482 000000")
    approve = lambda: ws.change_request_approve(  # noqa: E731
        actor=actor, change_request=report, accepted=["phones"]
    )
    reassure = lambda: ws.service_reassure(actor=actor, service=service)  # noqa: E731
    if not case.expected:
        assert_refused(approve, service)
        assert ChangeRequest.objects.get(pk=report.pk).state == State.SUBMITTED
        assert_refused(reassure, service)
        return
    decision = approve()
    assert decision.change_request.state == State.APPROVED
    assert list(Phone.objects.filter(service=service).values_list("number", flat=True)) == [
        "01482 000000"
    ]
    version = reassure()
    assert version.source == Source.REVIEW
    assert ServiceVersion.objects.filter(service=service).count() == 2


def check_publishing(world: World, case: Case, actor: Any, service: Service) -> None:
    hide = lambda: ws.service_hide(actor=actor, service=service, reason="Matrix test")  # noqa: E731
    show = lambda: ws.service_show(actor=actor, service=service)  # noqa: E731
    if not case.expected:
        assert_refused(hide, service)
        assert not HiddenService.objects.exists()
        ws.service_hide(actor=world.user("directory_admin"), service=service, reason="Unsafe")
        assert_refused(show, service)
        assert HiddenService.objects.filter(service=service).exists()
        return
    hide()
    assert HiddenService.objects.get().service_id == service.pk
    show()
    assert not HiddenService.objects.exists()


CHECKS: dict[Action, Callable[[World, Case, Any, Service], None]] = {
    Action.EDIT: check_proposing,
    Action.SUGGEST: check_proposing,
    Action.SUBMIT: check_submitting,
    Action.ASSURE: check_assuring,
    Action.PUBLISH: check_publishing,
}

"""The one writer of directory records and their assurance.

Every change to a service goes through here: a proposal is saved as a change request, submitted,
and decided by an assurer; approval applies the accepted fields through the ORUK mapping in one
transaction, sets the assured date, leaves a version and queues the republish (a change to an
organisation's own details goes the same way, without assured date or version). Re-assuring,
hiding, showing and restoring are here too. Each service asks `accounts.policy` first, validates,
writes in one transaction, records an audit entry, and queues its emails for after the commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.exceptions import NotAllowed
from accounts.models import AuditAction
from accounts.policy import Action, user_can
from accounts.services import audit_record
from core.services import enqueue
from directory.models import ActionType, Location, Metadata, Organization, Service
from directory.oruk import ImportFailed, check_document, import_document

from .confidential import may_set_confidential, services_at
from .documents import (
    EDITABLE_FIELDS,
    FIELD_LABELS,
    ORGANIZATION_FIELD_LABELS,
    ORGANIZATION_FIELDS,
    changed_fields,
    current_document,
    current_organization_document,
    merged_document,
    with_organization_fields,
    with_system_fields,
)
from .models import ChangeRequest, ReportPart, ServiceVersion, Source, State, Subject
from .personal_data import Flag, scan

_DECISION_AUDIT = {
    State.APPROVED: AuditAction.CHANGE_APPROVED,
    State.PARTLY_APPROVED: AuditAction.CHANGE_PARTLY_APPROVED,
    State.REJECTED: AuditAction.CHANGE_REJECTED,
    State.MORE_INFORMATION: AuditAction.CHANGE_MORE_INFORMATION,
}


class Conflict(Exception):
    """The record changed after the proposal was based on it: deciding now could undo someone
    else's work. `current` is the record as it is now."""

    def __init__(self, change_request: ChangeRequest, current: dict[str, Any]) -> None:
        super().__init__(f"{change_request} is based on an older version of the record")
        self.change_request = change_request
        self.current = current


class PersonalDataNotConfirmed(ValidationError):
    """The accepted fields hold what looks like personal data, and nobody confirmed consent."""

    def __init__(self, flags: list[Flag]) -> None:
        super().__init__(
            "Confirm that the people named agreed to publish these details, or change them"
        )
        self.flags = flags


@dataclass(frozen=True)
class Decision:
    change_request: ChangeRequest
    version: ServiceVersion | None


def _require(actor: Any, action: Action, obj: Any) -> None:
    if not user_can(actor, action, obj):
        raise NotAllowed(action=action, obj=obj)


def policy_subject(change_request: ChangeRequest) -> Service | Organization:
    """What the policy is asked about: the service, or the organisation of a new one (or the
    organisation itself, for a change to its details)."""
    if change_request.is_organization_change:
        return change_request.organization
    if change_request.service is not None:
        return change_request.service
    return Service(organization=change_request.organization)


def _editing_source(actor: Any, subject: Service | Organization) -> str:
    """Why `actor` may propose a change to `subject`, as the change request's source."""
    if user_can(actor, Action.EDIT, subject):
        return Source.PROVIDER if user_can(actor, Action.SUBMIT, subject) else Source.ASSURER
    if user_can(actor, Action.SUGGEST, subject):
        return Source.FRONTLINE
    raise NotAllowed(action=Action.EDIT, obj=subject)


def _problem_label(path: str) -> str:
    field = path.split("/")[0]
    return FIELD_LABELS.get(field) or ORGANIZATION_FIELD_LABELS.get(field, path) or "The record"


def _problems_to_error(problems: list) -> ValidationError:
    return ValidationError([f"{_problem_label(p.path)}: {p.message}" for p in problems])


def proposal_problems(
    document: dict[str, Any],
    *,
    fields: Iterable[str] | None = None,
    kind: str = Subject.SERVICE,
) -> ValidationError | None:
    """What stops `document` (an ORUK `kind`: a ChangeRequest.subject) from being written
    (None: nothing), in words for people.

    `fields` keeps only the problems in those top-level fields: a proposal is written a section
    at a time, and a new service's empty name must not stop its costs from being saved."""
    problems = check_document(document, kind=kind)
    if fields is not None:
        wanted = set(fields)
        problems = [p for p in problems if p.path.split("/")[0] in wanted]
    return _problems_to_error(problems) if problems else None


def _audit(action: str, actor: Any, change_request: ChangeRequest, **detail: Any) -> None:
    audit_record(
        action=action,
        actor=actor,
        target=change_request,
        target_label=change_request.title,
        detail={
            **(
                {"organization": change_request.organization_id, "subject": change_request.subject}
                if change_request.is_organization_change
                else {"service": change_request.service_id}
            ),
            "source": change_request.source,
            **detail,
        },
    )


def _notify(func: str, change_request: ChangeRequest, label: str) -> None:
    enqueue(func=func, args=[change_request.pk], label=label, group="workflow")


def _set_base(change_request: ChangeRequest, service: Service) -> None:
    """Base the proposal on the record as stored now (an object in memory may be older)."""
    change_request.base = current_document(service)
    change_request.base_modified = Service.objects.values_list("last_modified", flat=True).get(
        pk=service.pk
    )


# --- proposing ----------------------------------------------------------------------------------


@transaction.atomic
def change_request_save(
    *,
    actor: Any,
    proposed: dict[str, Any],
    service: Service | None = None,
    organization: Organization | None = None,
    note: str = "",
    submit: bool = False,
    subject: str = Subject.SERVICE,
) -> ChangeRequest:
    """Save `actor`'s proposal for `service` (or a new service of `organization`; or, with
    `subject` "organization", the details of `organization`) as their open change request (a
    later edit updates the same one), and submit it if `submit`."""
    if subject == Subject.ORGANIZATION:
        if organization is None or service is not None:
            raise ValueError("A change to an organisation's details names only the organisation")
        return _organization_change_save(
            actor=actor, organization=organization, proposed=proposed, note=note, submit=submit
        )
    if service is None and organization is None:
        raise ValueError("A change request is about a service, or a new service's organisation")
    target: Service | Organization = (
        service if service is not None else Service(organization=organization)
    )
    source = _editing_source(actor, target)
    change_request = None
    if service is not None:
        change_request = (
            ChangeRequest.objects.select_for_update()
            .open()
            .filter(service=service, proposer=actor)
            .first()
        )
    elif proposed.get("id"):
        # A proposed new service has no record yet: its document's id is what a later edit of
        # the same proposal shares with it.
        change_request = (
            ChangeRequest.objects.select_for_update()
            .open()
            .filter(
                subject=Subject.SERVICE,
                service=None,
                organization=organization,
                proposer=actor,
                proposed__id=str(proposed["id"]),
            )
            .first()
        )
    if change_request is None:
        change_request = ChangeRequest(
            service=service,
            organization=service.organization if service is not None else organization,
            source=source,
            proposer=actor,
        )
        if service is not None:
            _set_base(change_request, service)
        change_request.move_to(State.DRAFT)
    service_id = service.pk if service is not None else proposed.get("id")
    change_request.proposed = with_system_fields(
        proposed, service_id=service_id, organization_id=change_request.organization_id
    )
    change_request.note = note or change_request.note
    change_request.save()
    _audit(AuditAction.CHANGE_SAVED, actor, change_request)
    if submit:
        return change_request_submit(actor=actor, change_request=change_request)
    return change_request


def _organization_change_save(
    *, actor: Any, organization: Organization, proposed: dict[str, Any], note: str, submit: bool
) -> ChangeRequest:
    """`change_request_save` for an organisation's details: the same rules (who may propose,
    one open request per proposer), its own document."""
    source = _editing_source(actor, organization)
    change_request = (
        ChangeRequest.objects.select_for_update()
        .open()
        .filter(subject=Subject.ORGANIZATION, organization=organization, proposer=actor)
        .first()
    )
    if change_request is None:
        change_request = ChangeRequest(
            subject=Subject.ORGANIZATION,
            organization=organization,
            source=source,
            proposer=actor,
            base=current_organization_document(organization),
        )
        change_request.move_to(State.DRAFT)
    change_request.proposed = with_organization_fields(proposed, organization_id=organization.pk)
    change_request.note = note or change_request.note
    change_request.save()
    _audit(AuditAction.CHANGE_SAVED, actor, change_request)
    if submit:
        return change_request_submit(actor=actor, change_request=change_request)
    return change_request


@transaction.atomic
def change_request_submit(*, actor: Any, change_request: ChangeRequest) -> ChangeRequest:
    """Send a draft (or an answer to "more information") for assurance. A proposer who may
    assure the record themselves (a self-assuring provider, an assurer) is approved at once."""
    if change_request.proposer_id != getattr(actor, "pk", None):
        raise NotAllowed("Only the person who proposed a change can submit it")
    if change_request.state not in (State.DRAFT, State.MORE_INFORMATION):
        raise ValidationError("This change has already been sent")
    subject = policy_subject(change_request)
    _editing_source(actor, subject)  # still allowed to propose
    error = proposal_problems(change_request.proposed, kind=change_request.subject)
    if error is not None:
        raise error
    change_request.move_to(State.SUBMITTED)
    change_request.submitted_at = timezone.now()
    change_request.save()
    _audit(AuditAction.CHANGE_SUBMITTED, actor, change_request)
    if change_request.source in (Source.PROVIDER, Source.ASSURER) and user_can(
        actor, Action.ASSURE, subject
    ):
        fields = _proposer_fields(change_request)
        flags = personal_data_flags(change_request, fields)
        if not flags:
            try:
                return change_request_approve(
                    actor=actor, change_request=change_request, accepted=fields
                ).change_request
            except Conflict:
                pass  # someone changed the record meanwhile: an assurer decides, as for anyone
    _notify(
        "workflow.tasks.notify_submitted", change_request, f"Tell the assurers: {change_request}"
    )
    return change_request


@transaction.atomic
def change_request_withdraw(*, actor: Any, change_request: ChangeRequest) -> ChangeRequest:
    proposer_id = change_request.proposer_id
    # A report from the public has no proposer: nobody (not anonymous visitors) may withdraw it.
    if proposer_id is None or proposer_id != getattr(actor, "pk", None):
        raise NotAllowed("Only the person who proposed a change can withdraw it")
    if not change_request.is_open:
        raise ValidationError("This change has already been decided")
    change_request.move_to(State.WITHDRAWN)
    change_request.decided_at = timezone.now()
    change_request.save()
    _audit(AuditAction.CHANGE_WITHDRAWN, actor, change_request)
    return change_request


def _apply_report(document: dict[str, Any], part: str, corrected: str) -> dict[str, Any]:
    """A report made structured where it can be: a corrected phone number, a closed service."""
    if part == ReportPart.PHONE and corrected:
        phones = list(document.get("phones") or [])
        if phones:
            phones[0] = {**phones[0], "number": corrected}
        else:
            phones = [{"id": str(uuid.uuid4()), "number": corrected}]
        document["phones"] = phones
    elif part == ReportPart.CLOSED:
        document["status"] = "inactive"
    return document


@transaction.atomic
def report_create(
    *,
    service: Service,
    part: str,
    corrected: str = "",
    note: str = "",
    name: str = "",
    email: str = "",
    actor: Any = None,
) -> ChangeRequest:
    """A report from anyone that part of a published listing is wrong, as a change request
    waiting for the service's assurers."""
    if part not in ReportPart.values:
        raise ValidationError({"part": "Select what is wrong"})
    proposed = _apply_report(current_document(service), part, corrected.strip())
    label = ReportPart(part).label
    details = f"{label}: {corrected.strip()}" if corrected.strip() else label
    reporter = actor if getattr(actor, "is_authenticated", False) else None
    if (
        reporter is not None
        and ChangeRequest.objects.open().filter(service=service, proposer=reporter).exists()
    ):
        # A person has one open change request per service (a database constraint): a report
        # beside their open proposal is kept as from their address, so that it is still told.
        email = email or reporter.email
        proposer = None
    else:
        proposer = reporter
    change_request = ChangeRequest(
        service=service,
        organization=service.organization,
        source=Source.PUBLIC,
        proposer=proposer,
        proposer_name=name,
        proposer_email=email,
        report_part=part,
        note="\n\n".join(text for text in (details, note.strip()) if text),
        proposed=with_system_fields(
            proposed, service_id=service.pk, organization_id=service.organization_id
        ),
        submitted_at=timezone.now(),
    )
    _set_base(change_request, service)
    change_request.move_to(State.SUBMITTED)
    change_request.save()
    _audit(AuditAction.PROBLEM_REPORTED, reporter, change_request, part=part)
    _notify(
        "workflow.tasks.notify_submitted", change_request, f"Tell the assurers: {change_request}"
    )
    return change_request


# --- deciding -----------------------------------------------------------------------------------


def _current(change_request: ChangeRequest) -> dict[str, Any]:
    if change_request.is_organization_change:
        return current_organization_document(change_request.organization)
    if change_request.service is None:
        return {}
    return current_document(change_request.service)


def _proposer_fields(change_request: ChangeRequest) -> list[str]:
    """The fields the proposer changed (every filled field, for a new service)."""
    if change_request.is_new_service:
        return [f for f in EDITABLE_FIELDS if change_request.proposed.get(f) not in (None, "", [])]
    return changed_fields(
        change_request.base, change_request.proposed, subject=change_request.subject
    )


def proposal_fields(change_request: ChangeRequest) -> list[str]:
    return _proposer_fields(change_request)


def personal_data_flags(
    change_request: ChangeRequest,
    fields: list[str] | None = None,
    *,
    current: dict[str, Any] | None = None,
) -> list[Flag]:
    """Likely personal data in what approving `fields` (default: all proposed) would publish.
    `current`: the live record's document, if the caller has it already (it costs queries)."""
    fields = _proposer_fields(change_request) if fields is None else fields
    current = _current(change_request) if current is None else current
    return scan(
        merged_document(current, change_request.proposed, fields, subject=change_request.subject)
    )


def _require_assurer(actor: Any, change_request: ChangeRequest) -> None:
    """The actor may decide, and the request still waits: its row is locked and read again, so
    two assurers deciding the same request at once cannot both succeed."""
    _require(actor, Action.ASSURE, policy_subject(change_request))
    if change_request.pk is not None:
        stored = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        change_request.state = stored.state
        change_request.previous_state = stored.previous_state
    if change_request.state != State.SUBMITTED:
        raise ValidationError("This change is not waiting for a decision")


def _locked_service(change_request: ChangeRequest) -> Service | None:
    if change_request.service_id is None:
        return None
    return Service.objects.select_for_update().get(pk=change_request.service_id)


def _record_version(
    *,
    service: Service,
    before: dict[str, Any],
    source: str,
    actor: Any,
    change_request: ChangeRequest | None,
) -> ServiceVersion:
    after = current_document(service)
    changes = {
        field: [before.get(field), after.get(field)]
        for field in (*EDITABLE_FIELDS, "assured_date")
        if before.get(field) != after.get(field)
    }
    last = service.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ServiceVersion.objects.create(
        service=service,
        number=last + 1,
        document=after,
        changes=changes,
        source=source,
        change_request=change_request,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_email=getattr(actor, "email", "") or "",
    )


@transaction.atomic
def change_request_approve(
    *,
    actor: Any,
    change_request: ChangeRequest,
    accepted: list[str],
    edited: dict[str, Any] | None = None,
    reason: str = "",
    personal_data_confirmed: bool = False,
) -> Decision:
    """Apply the `accepted` fields of the proposal (as `edited` by the assurer, if given), set
    today's assured date, leave a version and republish. Raises Conflict if the record moved on
    since the proposal was based on it, PersonalDataNotConfirmed if what would be published
    looks personal and `personal_data_confirmed` is not set, ValidationError if it is invalid.
    A change to an organisation's details applies the same way, without assured date or
    version (see `_organization_approve`)."""
    _require_assurer(actor, change_request)
    if change_request.is_organization_change:
        return _organization_approve(
            actor=actor,
            change_request=change_request,
            accepted=accepted,
            edited=edited,
            reason=reason,
            personal_data_confirmed=personal_data_confirmed,
        )
    proposer_fields = _proposer_fields(change_request)
    accepted = [f for f in EDITABLE_FIELDS if f in set(accepted)]
    if not accepted:
        raise ValidationError("Accept at least one change, or reject the proposal")
    if set(accepted) - set(proposer_fields) - set(edited or {}):
        raise ValidationError("Accept only the parts of the record the proposal changes")
    service = _locked_service(change_request)
    if service is not None and service.last_modified != change_request.base_modified:
        raise Conflict(change_request, current_document(service))
    if edited:
        change_request.proposed = {**change_request.proposed, **edited}
    before = current_document(service) if service is not None else {}
    document = merged_document(before, change_request.proposed, accepted)
    document.setdefault("id", change_request.proposed["id"])
    if service is None:
        document["organization_id"] = change_request.proposed.get("organization_id")
    flags = scan(document)
    if flags and not personal_data_confirmed:
        raise PersonalDataNotConfirmed(flags)
    document["assured_date"] = timezone.localdate().isoformat()
    try:
        import_document(document, kind="service", actor=getattr(actor, "email", "") or "assurer")
    except ImportFailed as failed:
        raise _problems_to_error(failed.report.problems) from failed
    service = Service.objects.get(pk=document["id"])
    if change_request.service_id is None:
        change_request.service = service
    version = _record_version(
        service=service,
        before=before,
        source=change_request.source,
        actor=actor,
        change_request=change_request,
    )
    _record_approval(
        actor=actor,
        change_request=change_request,
        proposer_fields=proposer_fields,
        accepted=accepted,
        reason=reason,
        personal_data_confirmed=bool(flags) and personal_data_confirmed,
        version=version.number,
    )
    return Decision(change_request, version)


def _record_approval(
    *,
    actor: Any,
    change_request: ChangeRequest,
    proposer_fields: list[str],
    accepted: list[str],
    reason: str,
    personal_data_confirmed: bool,
    **detail: Any,
) -> None:
    """The decision itself, once its fields are applied: state, audit entry, the proposer told."""
    state = State.APPROVED if set(proposer_fields) <= set(accepted) else State.PARTLY_APPROVED
    change_request.move_to(state)
    change_request.accepted_fields = accepted
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.decision_reason = reason
    change_request.personal_data_confirmed = personal_data_confirmed
    change_request.save()
    _audit(
        _DECISION_AUDIT[state],
        actor,
        change_request,
        accepted=accepted,
        rejected=[f for f in proposer_fields if f not in accepted],
        personal_data_confirmed=personal_data_confirmed,
        **detail,
    )
    if change_request.contact_email and change_request.proposer_id != getattr(actor, "pk", None):
        _notify(
            "workflow.tasks.notify_decided", change_request, f"Tell the proposer: {change_request}"
        )


def organization_moved_on(change_request: ChangeRequest, current: dict[str, Any]) -> bool:
    """Has the organisation (`current`, its document now) changed in any field a proposal may
    change since the proposal was based on it? An organisation has no change clock like a
    service's `last_modified`, so its fields themselves are compared: nothing approved since
    can be undone unseen."""
    base = change_request.base
    return any(base.get(field) != current.get(field) for field in ORGANIZATION_FIELDS)


def base_moved_on(change_request: ChangeRequest) -> bool:
    """Has the record changed since the proposal was based on it (approval would be refused)?"""
    if change_request.is_organization_change:
        return organization_moved_on(change_request, _current(change_request))
    service = change_request.service
    return service is not None and service.last_modified != change_request.base_modified


def _republish_organization(organization: Organization) -> None:
    """Its services' feed documents carry the organisation, and so does its own: republish the
    published ones (their task refreshes the organisation's snapshot too), after the commit.
    An organisation-only import announces no services, so nothing else would."""
    from publish.models import PublishedService
    from publish.signals import enqueue_publish

    published = PublishedService.objects.filter(organization_id=organization.pk)
    enqueue_publish(list(published.values_list("pk", flat=True)))


def _organization_approve(
    *,
    actor: Any,
    change_request: ChangeRequest,
    accepted: list[str],
    edited: dict[str, Any] | None,
    reason: str,
    personal_data_confirmed: bool,
) -> Decision:
    """Apply the accepted fields of a change to an organisation's details.

    The organisation's whole document (without `services`) is imported with only the accepted
    fields replaced: an import empties the arrays a document leaves out, and one without a
    `services` array leaves the organisation's services alone, so nothing else changes. There
    is no version (versions are a service's; the audit entry keeps each field before and
    after) and no assured date (an organisation has none)."""
    proposer_fields = _proposer_fields(change_request)
    accepted = [f for f in ORGANIZATION_FIELDS if f in set(accepted)]
    if not accepted:
        raise ValidationError("Accept at least one change, or reject the proposal")
    if set(accepted) - set(proposer_fields) - set(edited or {}):
        raise ValidationError("Accept only the parts of the record the proposal changes")
    organization = Organization.objects.select_for_update().get(pk=change_request.organization_id)
    before = current_organization_document(organization)
    if organization_moved_on(change_request, before):
        raise Conflict(change_request, before)
    if edited:
        change_request.proposed = {**change_request.proposed, **edited}
    document = merged_document(
        before, change_request.proposed, accepted, subject=Subject.ORGANIZATION
    )
    flags = scan(document)
    if flags and not personal_data_confirmed:
        raise PersonalDataNotConfirmed(flags)
    try:
        import_document(
            document, kind="organization", actor=getattr(actor, "email", "") or "assurer"
        )
    except ImportFailed as failed:
        raise _problems_to_error(failed.report.problems) from failed
    after = current_organization_document(organization)
    _republish_organization(organization)
    _record_approval(
        actor=actor,
        change_request=change_request,
        proposer_fields=proposer_fields,
        accepted=accepted,
        reason=reason,
        personal_data_confirmed=bool(flags) and personal_data_confirmed,
        changes={
            field: [before.get(field), after.get(field)]
            for field in accepted
            if before.get(field) != after.get(field)
        },
    )
    return Decision(change_request, None)


def _decide_without_applying(
    *, actor: Any, change_request: ChangeRequest, state: str, reason: str, required: str
) -> ChangeRequest:
    _require_assurer(actor, change_request)
    if not reason.strip():
        raise ValidationError({"reason": required})
    change_request.move_to(state)
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.decision_reason = reason.strip()
    change_request.save()
    _audit(_DECISION_AUDIT[state], actor, change_request, reason=reason.strip())
    if change_request.contact_email:
        _notify(
            "workflow.tasks.notify_decided", change_request, f"Tell the proposer: {change_request}"
        )
    return change_request


@transaction.atomic
def change_request_reject(
    *, actor: Any, change_request: ChangeRequest, reason: str
) -> ChangeRequest:
    """Reject the whole proposal; the reason goes to the proposer."""
    return _decide_without_applying(
        actor=actor,
        change_request=change_request,
        state=State.REJECTED,
        reason=reason,
        required="Enter why the change is rejected: the proposer is told",
    )


@transaction.atomic
def change_request_ask(
    *, actor: Any, change_request: ChangeRequest, question: str
) -> ChangeRequest:
    """Ask the proposer for more information; they answer by editing and submitting again."""
    return _decide_without_applying(
        actor=actor,
        change_request=change_request,
        state=State.MORE_INFORMATION,
        reason=question,
        required="Enter what you need to know",
    )


@transaction.atomic
def change_request_rebase(*, actor: Any, change_request: ChangeRequest) -> ChangeRequest:
    """After a conflict: carry the proposer's changes onto the record as it is now, so the
    assurer decides them against the current version (nothing anyone approved is undone)."""
    _require_assurer(actor, change_request)
    if change_request.is_organization_change:
        return _organization_rebase(actor=actor, change_request=change_request)
    service = _locked_service(change_request)
    if service is None:
        return change_request
    fields = _proposer_fields(change_request)
    current = current_document(service)
    proposal = merged_document(current, change_request.proposed, fields)
    proposal.pop("assured_date", None)
    change_request.proposed = with_system_fields(
        proposal, service_id=service.pk, organization_id=change_request.organization_id
    )
    change_request.base = current
    change_request.base_modified = service.last_modified  # locked and fresh
    change_request.save()
    _audit(AuditAction.CHANGE_REBASED, actor, change_request, fields=fields)
    return change_request


def _organization_rebase(*, actor: Any, change_request: ChangeRequest) -> ChangeRequest:
    organization = Organization.objects.select_for_update().get(pk=change_request.organization_id)
    fields = _proposer_fields(change_request)
    current = current_organization_document(organization)
    proposal = merged_document(
        current, change_request.proposed, fields, subject=Subject.ORGANIZATION
    )
    change_request.proposed = with_organization_fields(proposal, organization_id=organization.pk)
    change_request.base = current
    change_request.save()
    _audit(AuditAction.CHANGE_REBASED, actor, change_request, fields=fields)
    return change_request


# --- the record itself --------------------------------------------------------------------------


@transaction.atomic
def service_reassure(*, actor: Any, service: Service, on: dt.date | None = None) -> ServiceVersion:
    """A periodic review found the record still right: it is assured again, unchanged."""
    _require(actor, Action.ASSURE, service)
    service = Service.objects.select_for_update().get(pk=service.pk)
    before = current_document(service)
    service.assured_date = on or timezone.localdate()
    service.save(update_fields=["assured_date"])
    version = _record_version(
        service=service, before=before, source=Source.REVIEW, actor=actor, change_request=None
    )
    audit_record(
        action=AuditAction.SERVICE_REASSURED,
        actor=actor,
        target=service,
        detail={"assured_date": service.assured_date, "version": version.number},
    )
    from .review_services import review_requests_close

    review_requests_close(actor=actor, service=service)  # "still accurate" requests answered
    return version


@transaction.atomic
def version_restore(*, actor: Any, version: ServiceVersion) -> ChangeRequest:
    """Propose the record as it was at `version`; it is assured like any other change."""
    service = version.service
    change_request = change_request_save(
        actor=actor,
        service=service,
        proposed=version.document,
        note=f"Restore version {version.number}",
    )
    change_request.source = Source.RESTORE
    change_request.save(update_fields=["source", "updated_at"])
    return change_request_submit(actor=actor, change_request=change_request)


def service_hide(*, actor: Any, service: Service, reason: str) -> None:
    """Withhold a service from every feed at once."""
    from publish.services import service_hide as publish_hide

    _require(actor, Action.PUBLISH, service)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the service is hidden"})
    with transaction.atomic():
        publish_hide(service=service, actor=actor, reason=reason.strip())
        audit_record(
            action=AuditAction.SERVICE_HIDDEN,
            actor=actor,
            target=service,
            detail={"reason": reason.strip()},
        )


def service_show(*, actor: Any, service: Service) -> bool:
    """Lift a hide; True if the service is back in the feed."""
    from publish.services import service_show as publish_show

    _require(actor, Action.PUBLISH, service)
    with transaction.atomic():
        published = publish_show(service=service, actor=actor)
        audit_record(
            action=AuditAction.SERVICE_SHOWN,
            actor=actor,
            target=service,
            detail={"published": published},
        )
    return published


def location_set_confidential(*, actor: Any, location: Location, confidential: bool) -> bool:
    """Withhold a location's address from the open data (only its postcode district and rounded
    coordinates are published), or publish it in full again; the services there are republished
    once this commits. Who may do which: `workflow.confidential`. True if the setting changed."""
    if not may_set_confidential(actor, location, confidential):
        raise NotAllowed(action=Action.ASSURE, obj=location)
    with transaction.atomic():
        service_ids = sorted(services_at([location.pk]).get(location.pk, set()))
        # Approving a change saves the whole location row while holding its service's lock:
        # holding the same locks keeps that save from undoing this setting.
        list(Service.objects.select_for_update().filter(pk__in=service_ids).values_list("pk"))
        stored = Location.objects.select_for_update().get(pk=location.pk)
        location.is_confidential = confidential
        if stored.is_confidential == confidential:
            return False
        now = timezone.now()
        Location.objects.filter(pk=location.pk).update(is_confidential=confidential, updated_at=now)
        Metadata.objects.create(
            resource_id=location.pk,
            resource_type="location",
            last_action_date=now,
            last_action_type=ActionType.UPDATE,
            field_name="is_confidential",
            previous_value=str(stored.is_confidential),
            replacement_value=str(confidential),
            updated_by=getattr(actor, "email", "") or "",
            user=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            action=AuditAction.CONFIDENTIAL_LOCATION_CHANGED,
            actor=actor,
            target=location,
            target_label=str(stored),
            detail={"confidential": confidential, "services": service_ids},
        )
        if service_ids:
            from publish.signals import enqueue_publish

            enqueue_publish(service_ids)
    return True

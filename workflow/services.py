"""The one writer of directory records and their assurance.

Every change to a service goes through here: a proposal is saved as a change request, submitted,
and decided by an assurer; approval applies the accepted fields through the ORUK mapping in one
transaction, sets the assured date, leaves a version and queues the republish. Re-assuring,
hiding, showing and restoring are here too. Each service asks `accounts.policy` first, validates,
writes in one transaction, records an audit entry, and queues its emails for after the commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
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
from directory.models import Organization, Service
from directory.oruk import ImportFailed, check_document, import_document

from .documents import (
    EDITABLE_FIELDS,
    FIELD_LABELS,
    changed_fields,
    current_document,
    merged_document,
    with_system_fields,
)
from .models import ChangeRequest, ReportPart, ServiceVersion, Source, State
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


def _subject(change_request: ChangeRequest) -> Service | Organization:
    """What the policy is asked about: the service, or the organisation of a new one."""
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


def _problems_to_error(problems: list) -> ValidationError:
    return ValidationError(
        [
            f"{FIELD_LABELS.get(p.path.split('/')[0], p.path) or 'The record'}: {p.message}"
            for p in problems
        ]
    )


def proposal_problems(document: dict[str, Any]) -> ValidationError | None:
    """What stops `document` from being written (None: nothing), in words for people."""
    problems = check_document(document, kind="service")
    return _problems_to_error(problems) if problems else None


def _audit(action: str, actor: Any, change_request: ChangeRequest, **detail: Any) -> None:
    audit_record(
        action=action,
        actor=actor,
        target=change_request,
        target_label=change_request.title,
        detail={"service": change_request.service_id, "source": change_request.source, **detail},
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
) -> ChangeRequest:
    """Save `actor`'s proposal for `service` (or a new service of `organization`) as their open
    change request (a later edit updates the same one), and submit it if `submit`."""
    if service is None and organization is None:
        raise ValueError("A change request is about a service, or a new service's organisation")
    subject: Service | Organization = (
        service if service is not None else Service(organization=organization)
    )
    source = _editing_source(actor, subject)
    change_request = None
    if service is not None:
        change_request = (
            ChangeRequest.objects.select_for_update()
            .open()
            .filter(service=service, proposer=actor)
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


@transaction.atomic
def change_request_submit(*, actor: Any, change_request: ChangeRequest) -> ChangeRequest:
    """Send a draft (or an answer to "more information") for assurance. A proposer who may
    assure the record themselves (a self-assuring provider, an assurer) is approved at once."""
    if change_request.proposer_id != getattr(actor, "pk", None):
        raise NotAllowed("Only the person who proposed a change can submit it")
    if change_request.state not in (State.DRAFT, State.MORE_INFORMATION):
        raise ValidationError("This change has already been sent")
    subject = _subject(change_request)
    _editing_source(actor, subject)  # still allowed to propose
    error = proposal_problems(change_request.proposed)
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
        flags = scan(merged_document(_current(change_request), change_request.proposed, fields))
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
    if change_request.proposer_id != getattr(actor, "pk", None):
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
    change_request = ChangeRequest(
        service=service,
        organization=service.organization,
        source=Source.PUBLIC,
        proposer=actor if getattr(actor, "is_authenticated", False) else None,
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
    _audit(AuditAction.PROBLEM_REPORTED, change_request.proposer, change_request, part=part)
    _notify(
        "workflow.tasks.notify_submitted", change_request, f"Tell the assurers: {change_request}"
    )
    return change_request


# --- deciding -----------------------------------------------------------------------------------


def _current(change_request: ChangeRequest) -> dict[str, Any]:
    if change_request.service is None:
        return {}
    return current_document(change_request.service)


def _proposer_fields(change_request: ChangeRequest) -> list[str]:
    """The fields the proposer changed (every filled field, for a new service)."""
    if change_request.is_new_service:
        return [f for f in EDITABLE_FIELDS if change_request.proposed.get(f) not in (None, "", [])]
    return changed_fields(change_request.base, change_request.proposed)


def proposal_fields(change_request: ChangeRequest) -> list[str]:
    return _proposer_fields(change_request)


def personal_data_flags(
    change_request: ChangeRequest, fields: list[str] | None = None
) -> list[Flag]:
    """Likely personal data in what approving `fields` (default: all proposed) would publish."""
    fields = _proposer_fields(change_request) if fields is None else fields
    return scan(merged_document(_current(change_request), change_request.proposed, fields))


def _require_assurer(actor: Any, change_request: ChangeRequest) -> None:
    _require(actor, Action.ASSURE, _subject(change_request))
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
    looks personal and `personal_data_confirmed` is not set, ValidationError if it is invalid."""
    _require_assurer(actor, change_request)
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
    state = State.APPROVED if set(proposer_fields) <= set(accepted) else State.PARTLY_APPROVED
    change_request.move_to(state)
    change_request.accepted_fields = accepted
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.decision_reason = reason
    change_request.personal_data_confirmed = bool(flags) and personal_data_confirmed
    change_request.save()
    _audit(
        _DECISION_AUDIT[state],
        actor,
        change_request,
        accepted=accepted,
        rejected=[f for f in proposer_fields if f not in accepted],
        version=version.number,
        personal_data_confirmed=change_request.personal_data_confirmed,
    )
    if change_request.contact_email and change_request.proposer_id != getattr(actor, "pk", None):
        _notify(
            "workflow.tasks.notify_decided", change_request, f"Tell the proposer: {change_request}"
        )
    return Decision(change_request, version)


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

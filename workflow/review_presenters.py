"""What the assurance pages show, prepared in Python: the queue's rows, a change request's
summary, the diff rows, the personal data flags and the conflict's three versions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.presenters import when
from core.components import cell, column, link, summary_rows

from .documents import FIELD_LABELS, FieldChange
from .models import ChangeRequest, Source
from .personal_data import Flag
from .presenters import NOTHING, change_title, field_label, field_value, state_tag


def waiting_for(change_request: ChangeRequest, *, now: Any = None) -> str:
    """How long it has waited for a decision, in whole days ("3 days")."""
    since = change_request.submitted_at or change_request.created_at
    if since is None:
        return ""
    days = ((now or timezone.now()) - since).days
    if days < 1:
        return "Less than a day"
    return f"{days} day{'s' if days != 1 else ''}"


def proposer(change_request: ChangeRequest) -> str:
    """Who proposed it, as the assurer reads it (a member of the public may leave no name)."""
    if change_request.proposer is not None:
        return change_request.proposer.display_name
    if change_request.proposer_name or change_request.proposer_email:
        return change_request.proposer_name or change_request.proposer_email
    if change_request.source == Source.PUBLIC:
        return "A member of the public"
    return "Not known"


def title(change_request: ChangeRequest) -> str:
    return change_title(change_request)


def queue_table(change_requests: Iterable[ChangeRequest]) -> dict[str, Any]:
    now = timezone.now()
    rows = []
    for change_request in change_requests:
        organisation = change_request.organization.name if change_request.organization else ""
        rows.append(
            [
                cell(
                    link(
                        reverse("workflow:review", args=[change_request.pk]),
                        title(change_request),
                    ),
                    header=True,
                ),
                cell(organisation),
                cell(waiting_for(change_request, now=now)),
                cell(change_request.get_source_display()),
                cell(proposer(change_request)),
            ]
        )
    return {
        "head": [
            column("Change to"),
            column("Organisation"),
            column("Waiting"),
            column("Source"),
            column("Proposed by"),
        ],
        "rows": rows,
    }


def change_request_summary(change_request: ChangeRequest) -> list[dict[str, Any]]:
    """Who proposed what, from where, and what they said."""
    rows = [
        {"key": "Source", "value": change_request.get_source_display()},
        {"key": "Proposed by", "value": proposer(change_request)},
        {"key": "Sent", "value": when(change_request.submitted_at or change_request.created_at)},
    ]
    if change_request.organization is not None:
        rows.insert(0, {"key": "Organisation", "value": change_request.organization.name})
    if change_request.report_part:
        rows.append(
            {"key": "What they say is wrong", "value": change_request.get_report_part_display()}
        )
    if change_request.note:
        rows.append({"key": "Their note", "value": change_request.note})
    if change_request.decided_at:
        rows.append({"key": "Decided", "value": when(change_request.decided_at)})
    if change_request.decision_reason:
        rows.append({"key": "Reason given", "value": change_request.decision_reason})
    return summary_rows(rows)


def state_summary(change_request: ChangeRequest) -> list[dict[str, Any]]:
    return summary_rows([{"key": "Status", "value": state_tag(change_request)}])


@dataclass(frozen=True)
class DiffRow:
    """One row of the review's diff: a field, as it is now and as proposed, and whether the
    assurer accepts it (the checkbox's state)."""

    index: int  # from 1, as the checkbox ids count
    field: str
    label: str
    before: SafeString | str
    after: SafeString | str
    checked: bool
    flagged: bool


def diff_rows(
    changes: list[FieldChange], *, accepted: Iterable[str], flagged: Iterable[str] = ()
) -> list[DiffRow]:
    accepted, flagged = set(accepted), set(flagged)
    return [
        DiffRow(
            index=number,
            field=change.field,
            label=change.label,
            before=field_value(change.field, change.before),
            after=field_value(change.field, change.after),
            checked=change.field in accepted,
            flagged=change.field in flagged,
        )
        for number, change in enumerate(changes, start=1)
    ]


def flag_field(flag: Flag) -> str:
    """The top-level field a flag is in ("contacts/0/phones/1/number" -> "contacts")."""
    return flag.path.split("/")[0]


def flag_items(flags: list[Flag]) -> list[dict[str, str]]:
    return [
        {"where": field_label(flag_field(flag)), "value": flag.value, "reason": flag.reason}
        for flag in flags
    ]


def conflict_table(
    *, fields: list[str], now: dict[str, Any], proposed: dict[str, Any], base: dict[str, Any]
) -> dict[str, Any]:
    """The proposer's fields in three versions: the record now, the proposal, and the record
    the proposal started from."""
    rows = []
    for field in fields:
        rows.append(
            [
                cell(FIELD_LABELS.get(field, field_label(field)), header=True),
                cell(field_value(field, now.get(field))),
                cell(field_value(field, proposed.get(field))),
                cell(field_value(field, base.get(field)) if base else NOTHING),
            ]
        )
    return {
        "head": [
            column("Part of the record"),
            column("The record now"),
            column("The proposal"),
            column("When the proposal was made"),
        ],
        "rows": rows,
    }

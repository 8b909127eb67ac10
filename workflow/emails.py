"""The emails the workflow sends, in plain English and plain text."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from accounts.emails import one_line

from .models import ChangeRequest, State


def _url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def send_submitted(change_request: ChangeRequest, recipients: list[str]) -> None:
    """To the assurers of the service: a change is waiting for them."""
    if not recipients:
        return
    kind = change_request.get_source_display().lower()
    review = _url(reverse("workflow:review", args=[change_request.pk]))
    body = (
        f"A change to {change_request.title} is waiting for your decision ({kind}).\n\n"
        f"Review it here:\n\n{review}\n\n"
        "Nothing is published until an assurer approves it.\n"
    )
    if change_request.note:
        body += f"\nThe proposer says:\n\n{change_request.note}\n"
    send_mail(
        subject=one_line(f"Change to {change_request.title} waiting for assurance"),
        message=body,
        from_email=None,
        recipient_list=recipients,
    )


OUTCOMES = {
    State.APPROVED: "has been approved and published",
    State.PARTLY_APPROVED: "has been partly approved: some of it is published",
    State.REJECTED: "has not been approved",
    State.MORE_INFORMATION: "needs more information before it can be decided",
}


def send_decided(change_request: ChangeRequest) -> None:
    """To the proposer: what happened to their change."""
    address = change_request.contact_email
    if not address or change_request.state not in OUTCOMES:
        return
    lines = [
        f"Thank you for your change to {change_request.title}. "
        f"It {OUTCOMES[change_request.state]}.",
    ]
    if change_request.state == State.PARTLY_APPROVED:
        from .documents import label

        accepted = ", ".join(label(f).lower() for f in change_request.accepted_fields)
        lines.append(f"These parts were accepted: {accepted}.")
    if change_request.decision_reason:
        heading = (
            "The assurer asks:"
            if change_request.state == State.MORE_INFORMATION
            else "The assurer's reason:"
        )
        lines.append(f"{heading}\n\n{change_request.decision_reason}")
    if change_request.proposer_id and change_request.state == State.MORE_INFORMATION:
        lines.append(
            "Answer by changing your proposal and sending it again:\n\n"
            + _url(reverse("workflow:change-request", args=[change_request.pk]))
        )
    send_mail(
        subject=one_line(f"Your change to {change_request.title}"),
        message="\n\n".join(lines) + "\n",
        from_email=None,
        recipient_list=[address],
    )

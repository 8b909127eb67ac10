"""Background work of the workflow (django-q2). Tasks take ids and read what they need."""

from __future__ import annotations

from accounts.policy import Action, users_who_can
from directory.models import Service

from . import emails
from .models import ChangeRequest


def notify_submitted(change_request_id: int) -> int:
    """Email the people who may assure the change; directory admins when nobody else can (an
    unallocated service, a new service). Returns how many were told."""
    change_request = ChangeRequest.objects.select_related("service", "organization").get(
        pk=change_request_id
    )
    subject = change_request.service or Service(organization=change_request.organization)
    if change_request.service is None:
        subject = change_request.organization
    recipients = (
        list(
            users_who_can(Action.ASSURE, subject)
            .exclude(pk=change_request.proposer_id)
            .values_list("email", flat=True)
        )
        if subject is not None
        else []
    )
    if not recipients:
        recipients = list(users_who_can(Action.PUBLISH).values_list("email", flat=True))
    emails.send_submitted(change_request, sorted(set(recipients)))
    return len(set(recipients))


def notify_decided(change_request_id: int) -> bool:
    change_request = ChangeRequest.objects.select_related("service", "proposer").get(
        pk=change_request_id
    )
    emails.send_decided(change_request)
    return bool(change_request.contact_email)

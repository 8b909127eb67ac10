"""Writes of the periodic review: the one-click "still accurate" link a provider gets in a
reminder, and closing the requests it leaves for an assurer.

The link carries a signed reminder id (`django.core.signing`, its own salt), expires after
PORTAL_STILL_ACCURATE_LINK_DAYS and works once: using it records `used_at` on the reminder.
It asks for no password, so what it may do is narrow: confirm that one service's listing is
still right, as the person it was sent to, if the policy still lets them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.exceptions import NotAllowed
from accounts.models import AuditAction
from accounts.policy import Action, user_can
from accounts.services import audit_record
from core.concurrency import check_version
from directory.models import Service

from . import services as ws
from .documents import current_document
from .models import (
    ChangeRequest,
    ReminderThreshold,
    ReviewInterval,
    ReviewReminder,
    ServiceReview,
    Source,
    State,
)

SALT = "workflow.review.still-accurate"
STILL_ACCURATE_NOTE = "The provider says the listing is still accurate."


class LinkProblem(Exception):
    """A "still accurate" link that cannot be used; `message` says why, for the page."""

    status = 400
    message = "This link is not right. Check it was copied in full from the email."


class LinkForged(LinkProblem):
    pass


class LinkExpired(LinkProblem):
    status = 410
    message = "This link has expired. Sign in to check the service, or wait for your next reminder."


class LinkUsed(LinkProblem):
    status = 410
    message = "This link has already been used. Each link works once."


class LinkRefused(LinkProblem):
    status = 403
    message = (
        "You can no longer confirm this service: your role may have changed. "
        "Ask your partner admin or the directory team."
    )


def link_days() -> int:
    return int(getattr(settings, "PORTAL_STILL_ACCURATE_LINK_DAYS", 30))


def still_accurate_token(reminder: ReviewReminder) -> str:
    return signing.dumps({"r": reminder.pk, "u": reminder.recipient_id}, salt=SALT)


def still_accurate_url(reminder: ReviewReminder) -> str:
    path = reverse("workflow:still-accurate", args=[still_accurate_token(reminder)])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def link_expires(reminder: ReviewReminder) -> dt.datetime:
    return reminder.created_at + dt.timedelta(days=link_days())


def reminder_for_token(token: str) -> ReviewReminder:
    """The unused reminder a link names; raises a LinkProblem saying why it cannot be used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=link_days()))
    except signing.SignatureExpired as expired:
        raise LinkExpired() from expired
    except signing.BadSignature as bad:
        raise LinkForged() from bad
    if not isinstance(data, dict):
        raise LinkForged()
    reminder = (
        ReviewReminder.objects.select_related("service__organization", "recipient")
        .filter(
            pk=data.get("r"),
            recipient_id=data.get("u"),
            threshold=ReminderThreshold.DUE_SOON,
        )
        .first()
    )
    if reminder is None:
        raise LinkForged()
    if reminder.used_at is not None:
        raise LinkUsed()
    return reminder


@dataclass(frozen=True)
class Confirmed:
    """What a used link did: re-assured the service, queued a request, or nothing (someone had
    reviewed the service since the reminder)."""

    outcome: str  # "reassured", "queued", "already_reviewed"
    service: Service
    change_request: ChangeRequest | None = None


def _may_confirm(user: Any, service: Service) -> bool:
    return user.is_active and (
        user_can(user, Action.ASSURE, service) or user_can(user, Action.SUBMIT, service)
    )


@transaction.atomic
def reminder_confirm_accurate(*, token: str) -> Confirmed:
    """The provider says the listing is still right: a self-assuring provider's service is
    assured again today (version, audit entry, republish); any other's goes to its assurers as
    a periodic-review request. The link is used up either way."""
    reminder = reminder_for_token(token)
    reminder = ReviewReminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.used_at is not None:  # two clicks at once: the second finds it used
        raise LinkUsed()
    user, service = reminder.recipient, Service.objects.get(pk=reminder.service_id)
    if not _may_confirm(user, service):
        raise LinkRefused()
    reminder.used_at = timezone.now()
    reminder.save(update_fields=["used_at", "updated_at"])
    due = ServiceReview.objects.filter(service=service).values_list("due_date", flat=True).first()
    if due is None or due > reminder.due_date:
        return Confirmed("already_reviewed", service)
    if user_can(user, Action.ASSURE, service):
        version = ws.service_reassure(actor=user, service=service)
        return Confirmed("reassured", version.service)
    waiting = (
        ChangeRequest.objects.open()
        .filter(service=service, proposer=user)
        .select_for_update()
        .first()
    )
    if waiting is not None:
        # Their own change in progress says more than "still accurate": leave it be.
        return Confirmed("queued", service, waiting)
    change_request = ws.change_request_save(
        actor=user, service=service, proposed=current_document(service), note=STILL_ACCURATE_NOTE
    )
    change_request.source = Source.REVIEW
    change_request.save(update_fields=["source", "updated_at"])
    change_request = ws.change_request_submit(actor=user, change_request=change_request)
    return Confirmed("queued", service, change_request)


def review_requests_close(*, actor: Any, service: Service) -> int:
    """When an assurer re-assures a service, the open periodic-review requests that propose no
    change are answered by it: they are approved (nothing to apply). Returns how many."""
    if not user_can(actor, Action.ASSURE, service):
        raise NotAllowed(action=Action.ASSURE, obj=service)
    closed = 0
    requests = (
        ChangeRequest.objects.select_for_update()
        .filter(service=service, source=Source.REVIEW, state=State.SUBMITTED)
        .order_by("pk")
    )
    for change_request in requests:
        if ws.proposal_fields(change_request):
            continue  # it proposes a change after all: an assurer decides it as usual
        ws._record_approval(
            actor=actor,
            change_request=change_request,
            proposer_fields=[],
            accepted=[],
            reason="Checked and assured again, unchanged.",
            personal_data_confirmed=False,
        )
        closed += 1
    return closed


# --- review policy ----------------------------------------------------------------------------


def review_interval_state(interval: ReviewInterval | None) -> dict[str, Any]:
    """What the interval form shows of an interval, for its version (core.concurrency)."""
    return {"days": interval.days if interval is not None else None}


@transaction.atomic
def review_interval_set(
    *,
    actor: Any,
    days: int | None,
    partner: Any = None,
    service_type: Any = None,
    expected_version: str | None = None,
) -> ReviewInterval | None:
    """Set how often the services of `partner` (allocated to it) or of `service_type` are
    reviewed; `days` None goes back to the default. Only directory admins may (the policy is
    site-wide, like allocation rules). The covered services' due dates are recomputed in a
    task after the commit (see `workflow.reviews`)."""
    if not user_can(actor, Action.MANAGE_RULES):
        raise NotAllowed(action=Action.MANAGE_RULES)
    if (partner is None) == (service_type is None):
        raise ValueError("A review interval is for a partner or for a service type")
    lookup = {"partner": partner} if partner is not None else {"service_type": service_type}
    interval = ReviewInterval.objects.select_for_update().filter(**lookup).order_by().first()
    check_version(expected_version, review_interval_state(interval))
    before = interval.days if interval is not None else None
    if days is None:
        if interval is not None:
            interval.delete()
        interval = None
    else:
        interval = interval or ReviewInterval(**lookup)
        interval.days = days
        interval.full_clean()
        interval.save()
    if before != days:
        subject = partner if partner is not None else service_type
        # No audit action of its own yet: a partner's interval is a partner setting; a service
        # type's is logged with the allocation rules, the other site-wide policy.
        audit_record(
            action=AuditAction.PARTNER_UPDATED if partner is not None else AuditAction.RULE_UPDATED,
            actor=actor,
            target=subject,
            target_label=f"Review interval of {subject}",
            partner=partner,
            detail={"review_interval_days": [before, days]},
        )
    return interval

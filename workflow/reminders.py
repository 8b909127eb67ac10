"""Review reminders, sent by a daily scheduled job (`send_review_reminders`).

Three thresholds, each a digest per person (one email listing all their services):

- 14 days before a service's review is due: the provider editors of its organisation, each
  service with a one-click "still accurate" link (see `workflow.review_services`);
- once it is overdue: the assurers of the partner it is allocated to;
- 30 days overdue: that partner's partner admins.

Every reminder is recorded (service, threshold, due date, person) before its email is queued,
so a rerun, or a job that runs twice, sends nothing twice; a review moves the due date on, and
the next reminders are about the new date. Emails go after the commit, through django-q2.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.emails import one_line
from accounts.models import Membership, Role
from accounts.policy import Action, users_who_can
from core.services import enqueue
from directory.models import Organization, Service

from . import reviews
from .models import ReminderThreshold, ReviewReminder
from .review_services import link_expires, still_accurate_url

DUE_SOON_DAYS = 14
LONG_OVERDUE_DAYS = 30


def _candidates(threshold: str, today: dt.date) -> models.QuerySet[Service]:
    services = Service.objects.all()
    if threshold == ReminderThreshold.DUE_SOON:
        services = services.filter(reviews.due_within_filter(DUE_SOON_DAYS, today))
    elif threshold == ReminderThreshold.OVERDUE:
        services = services.filter(reviews.overdue_filter(today))
    else:
        late = today - dt.timedelta(days=LONG_OVERDUE_DAYS)
        services = services.filter(review__due_date__lte=late)
    return services.exclude(review__due_date__isnull=True)


def _editors_by_organization(organization_ids: set) -> dict[Any, list[int]]:
    """The provider editors of each organisation (one query per organisation)."""
    found: dict[Any, list[int]] = {}
    for organization in Organization.objects.filter(pk__in=organization_ids):
        found[organization.pk] = list(
            users_who_can(Action.SUBMIT, organization).values_list("pk", flat=True)
        )
    return found


def _members_by_partner(partner_ids: set, role: str) -> dict[Any, list[int]]:
    """The active members holding `role` at each partner (one query)."""
    found: dict[Any, list[int]] = defaultdict(list)
    rows = (
        Membership.objects.active()
        .with_role(role)
        .filter(partner_id__in=partner_ids)
        .values_list("partner_id", "user_id")
    )
    for partner_id, user_id in rows:
        found[partner_id].append(user_id)
    return found


def _recipients(threshold: str, rows: list[tuple]) -> dict[Any, list[int]]:
    """service id -> the people to remind. `rows` are (service id, organisation id, partner id)."""
    if threshold == ReminderThreshold.DUE_SOON:
        editors = _editors_by_organization({org for _, org, _ in rows if org})
        return {pk: editors.get(org, []) for pk, org, _ in rows}
    role = Role.ASSURER if threshold == ReminderThreshold.OVERDUE else Role.PARTNER_ADMIN
    members = _members_by_partner({partner for _, _, partner in rows if partner}, role)
    return {pk: members.get(partner, []) for pk, _, partner in rows}


def send_review_reminders(*, today: dt.date | str | None = None) -> dict[str, int]:
    """Record and queue every reminder due today that was not sent before. Returns how many
    reminders each threshold recorded (emails are one per person per threshold)."""
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    today = today or timezone.localdate()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for threshold in ReminderThreshold.values:
            rows = list(
                _candidates(threshold, today).values_list(
                    "pk", "organization_id", "allocation__partner_id", "review__due_date"
                )
            )
            due = {pk: due_date for pk, _, _, due_date in rows}
            recipients = _recipients(threshold, [row[:3] for row in rows])
            sent = set(
                ReviewReminder.objects.filter(
                    threshold=threshold, service_id__in=list(due)
                ).values_list("service_id", "due_date", "recipient_id")
            )
            new = [
                ReviewReminder(
                    service_id=pk, threshold=threshold, due_date=due[pk], recipient_id=user_id
                )
                for pk, user_ids in recipients.items()
                for user_id in dict.fromkeys(user_ids)
                if (pk, due[pk], user_id) not in sent
            ]
            created = ReviewReminder.objects.bulk_create(new, batch_size=1000)
            by_person: dict[int, list[int]] = defaultdict(list)
            for reminder in created:
                by_person[reminder.recipient_id].append(reminder.pk)
            for _person, reminder_ids in sorted(by_person.items()):
                enqueue(
                    func="workflow.reminders.send_digest",
                    args=[reminder_ids, today.isoformat()],
                    label=f"Review reminder ({threshold}) for {len(reminder_ids)} services",
                    group="workflow",
                )
            counts[threshold] = len(created)
    return counts


# --- the emails -----------------------------------------------------------------------------


def _url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


SUBJECTS = {
    ReminderThreshold.DUE_SOON: "{n} of your services {are} due for review",
    ReminderThreshold.OVERDUE: "{n} service{s} overdue for review",
    ReminderThreshold.LONG_OVERDUE: "{n} service{s} more than 30 days overdue for review",
}

OPENINGS = {
    ReminderThreshold.DUE_SOON: (
        "These services' listings on {portal} are due for review in the next 14 days. Check "
        'each one. If everything in it is still right, open its "still accurate" link: you do '
        "not need to sign in. If something has changed, sign in and edit the service."
    ),
    ReminderThreshold.OVERDUE: (
        "These services allocated to your partner are overdue for review. Check each one and "
        "mark it as checked, or edit it. Your list of overdue reviews:\n\n{overdue}"
    ),
    ReminderThreshold.LONG_OVERDUE: (
        "These services allocated to your partner have been overdue for review for 30 days or "
        "more. Services assured more than a year ago leave the open data. Ask your assurers "
        "to check them, or tell the directory team who should. The overdue reviews:\n\n{overdue}"
    ),
}


def send_digest(reminder_ids: list[int], today: str | None = None) -> int:
    """One email to one person about the reminders `reminder_ids` (all one threshold), as of the
    day the job ran (`today`, ISO). Returns how many services it listed (0: nothing to send,
    e.g. the person has no address)."""
    reminders = list(
        ReviewReminder.objects.filter(pk__in=reminder_ids)
        .select_related("service__review", "recipient")
        .order_by("due_date", "service__name", "pk")
    )
    if not reminders:
        return 0
    person = reminders[0].recipient
    if not person.email or not person.is_active:
        return 0
    threshold = reminders[0].threshold
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    n = len(reminders)
    subject = SUBJECTS[threshold].format(
        n=n, s="" if n == 1 else "s", are="is" if n == 1 else "are"
    )
    lines = [
        OPENINGS[threshold].format(
            portal=settings.PORTAL_NAME, overdue=_url(reverse("workflow:overdue-reviews"))
        ),
        "",
    ]
    for reminder in reminders:
        service = reminder.service
        words = reviews.due_words(reminder.due_date, today=day)
        lines.append(f"{service.name}: {words.lower()} ({reviews.day(reminder.due_date)})")
        if threshold == ReminderThreshold.DUE_SOON:
            lines.append(f"Still accurate: {still_accurate_url(reminder)}")
        lines.append(
            f"See or edit it: {_url(reverse('workflow:service-detail', args=[service.pk]))}"
        )
        lines.append("")
    if threshold == ReminderThreshold.DUE_SOON:
        expires = reviews.day(timezone.localtime(link_expires(reminders[0])).date())
        lines.append(
            f'Each "still accurate" link works once, only for you, until {expires}. If you '
            "did not expect this email, tell the directory team."
        )
    send_mail(
        subject=one_line(subject),
        message="\n".join(lines).rstrip() + "\n",
        from_email=None,
        recipient_list=[person.email],
    )
    return n

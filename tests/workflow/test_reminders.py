"""Review reminders with frozen time: the right people get exactly one email at each threshold
(14 days before due, overdue, 30 days overdue), a rerun sends nothing, a new due date starts
afresh; the one-click "still accurate" link works once, expires, and cannot be forged.

`timezone.now` answers TODAY at noon; signing's clock is moved for the expiry test."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent, PartnerKind, Role
from accounts.services import allocation_recompute_all
from accounts.services.memberships import membership_remove
from directory.models import Service
from tests.accounts.matrix import World, build_world
from tests.auth import sign_in
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    ServiceFactory,
    ServiceTypeAttributeFactory,
)
from workflow import reminders, reviews
from workflow import services as ws
from workflow.models import ChangeRequest, ReminderThreshold, ReviewReminder, Source, State
from workflow.review_services import SALT, still_accurate_token

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)
LINK = re.compile(r"Still accurate: \S+(/review/still-accurate/[^/\s]+/)")


@pytest.fixture
def frozen(monkeypatch) -> dt.date:
    moment = dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return TODAY


def due_in(service: Service, days: int) -> Service:
    """Assure `service` so that its review (every 90 days) falls due `days` from TODAY."""
    service.assured_date = TODAY + dt.timedelta(days=days - 90)
    service.save()
    return service


@pytest.fixture
def world(frozen) -> World:
    """own: 35 days overdue (its assurer and partner admin are told); self_assured: due in 10
    days (its self-assuring editor); a second service of own's organisation due in 3 days (its
    provider editor); a provider partner that may not self-assure, due in 12 days."""
    world = build_world()
    for service in world.services.values():
        due_in(service, 80)  # nothing near due
    due_in(world.services["own"], -35)
    due_in(world.services["self_assured"], 10)
    soon = ServiceFactory(name="Soup run", organization=world.services["own"].organization)
    ServiceTypeAttributeFactory(service=soon, taxonomy_term=world.extra["type_a"])
    due_in(soon, 3)
    checked_org = OrganizationFactory(name="Checked provider")
    PartnerFactory(name="Checked", kind=PartnerKind.PROVIDER, organizations=[checked_org])
    checked = ServiceFactory(name="Warm space", organization=checked_org)
    ServiceTypeAttributeFactory(service=checked, taxonomy_term=world.extra["type_a"])
    due_in(checked, 12)
    world.users["checked_editor"] = MembershipFactory(
        partner=checked_org.partners.get(),
        role=Role.PROVIDER_EDITOR,
        user__email="checked-editor@example.org",
    ).user
    allocation_recompute_all()
    world.services.update(soon=soon, checked=checked)
    return world


def run(django_capture_on_commit_callbacks, today: dt.date = TODAY) -> dict[str, int]:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return reminders.send_review_reminders(today=today)


def inbox() -> dict[str, list]:
    found: dict[str, list] = {}
    for message in mail.outbox:
        for address in message.to:
            found.setdefault(address, []).append(message)
    return found


def test_each_threshold_reaches_the_right_people_once(world, django_capture_on_commit_callbacks):
    counts = run(django_capture_on_commit_callbacks)
    emails = inbox()
    assert sorted(emails) == [
        "assurer@example.org",
        "checked-editor@example.org",
        "partner-admin@example.org",
        "provider-editor@example.org",
        "self-assuring-provider-editor@example.org",
    ]
    assert all(len(messages) == 1 for messages in emails.values())
    (editor,) = emails["provider-editor@example.org"]
    assert editor.subject == "1 of your services is due for review"
    assert "Soup run: due in 3 days (13 March 2026)" in editor.body
    assert LINK.search(editor.body)
    assert "Own service" not in editor.body  # overdue: that is for the assurers now
    (assurer,) = emails["assurer@example.org"]
    assert assurer.subject == "1 service overdue for review"
    assert "Own service: overdue by 5 weeks (3 February 2026)" in assurer.body
    assert "/staff/reviews/" in assurer.body and not LINK.search(assurer.body)
    (admin,) = emails["partner-admin@example.org"]
    assert admin.subject == "1 service more than 30 days overdue for review"
    assert "Own service" in admin.body
    assert "Self-assured service" in emails["self-assuring-provider-editor@example.org"][0].body
    assert counts == {"due_soon": 3, "overdue": 1, "long_overdue": 1}


def test_a_digest_lists_all_of_a_persons_services_in_one_email(
    world, django_capture_on_commit_callbacks
):
    due_in(world.services["own"], 5)  # now due soon as well as Soup run, both own_org's
    run(django_capture_on_commit_callbacks)
    (editor,) = inbox()["provider-editor@example.org"]
    assert editor.subject == "2 of your services are due for review"
    assert editor.body.index("Soup run") < editor.body.index("Own service")  # soonest first
    assert len(LINK.findall(editor.body)) == 2


def test_a_rerun_sends_nothing_twice(world, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    first = ReviewReminder.objects.count()
    assert run(django_capture_on_commit_callbacks) == {
        "due_soon": 0,
        "overdue": 0,
        "long_overdue": 0,
    }
    assert mail.outbox == [] and ReviewReminder.objects.count() == first
    # A day later still nothing new: the same services, the same due dates.
    run(django_capture_on_commit_callbacks, TODAY + dt.timedelta(days=1))
    assert mail.outbox == []


def test_thresholds_are_crossed_as_days_pass(world, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    # Soup run (due 13 March) becomes overdue on 14 March: its assurers are told.
    run(django_capture_on_commit_callbacks, dt.date(2026, 3, 14))
    emails = inbox()
    assert list(emails) == ["assurer@example.org"]
    assert "Soup run" in emails["assurer@example.org"][0].body
    # ...and 30 days overdue on 12 April: the partner admin.
    run(django_capture_on_commit_callbacks, dt.date(2026, 4, 12))
    assert "Soup run" in inbox()["partner-admin@example.org"][0].body


def test_a_new_due_date_after_a_review_starts_afresh(world, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    own = world.services["own"]
    ws.service_reassure(actor=world.user("assurer"), service=own)  # due 8 June now
    later = dt.date(2026, 5, 30)
    run(django_capture_on_commit_callbacks, later)
    assert "Own service: due in 9 days" in inbox()["provider-editor@example.org"][0].body
    assert ReviewReminder.objects.filter(service=own, due_date=dt.date(2026, 6, 8)).count() == 1


def test_services_not_reviewed_get_no_reminders(world, django_capture_on_commit_callbacks):
    Service.objects.exclude(pk=world.services["soon"].pk).update(assured_date=None)
    reviews.recompute_all()
    world.services["soon"].status = "inactive"
    world.services["soon"].save()
    run(django_capture_on_commit_callbacks)
    assert mail.outbox == []


# --- the one-click link ----------------------------------------------------------------------


def link_for(address: str) -> str:
    (message,) = inbox()[address]
    return LINK.search(message.body).group(1)


def test_the_link_reassures_a_self_assuring_providers_service_once(
    client, world, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)
    url = link_for("self-assuring-provider-editor@example.org")
    service = world.services["self_assured"]
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Is the listing of Self-assured service still accurate?" in html
    assert "Confirm it is still accurate" in html
    service.refresh_from_db()
    assert service.assured_date != TODAY  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)
    assert done.status_code == 200
    assert "the service is assured again" in done.content.decode()
    service.refresh_from_db()
    assert service.assured_date == TODAY
    version = service.versions.get()
    assert version.source == Source.REVIEW
    assert version.actor.email == "self-assuring-provider-editor@example.org"
    assert AuditEvent.objects.filter(action=AuditAction.SERVICE_REASSURED).count() == 1
    assert reviews.due_date(Service.objects.get(pk=service.pk)) == TODAY + dt.timedelta(days=90)
    again = client.post(url)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert client.get(url).status_code == 410
    assert service.versions.count() == 1


def test_the_link_queues_a_review_for_a_provider_that_may_not_self_assure(
    client, world, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)
    url = link_for("checked-editor@example.org")
    service = world.services["checked"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)
    assert "an assurer will check the service" in done.content.decode()
    change = ChangeRequest.objects.get(service=service)
    assert (change.source, change.state) == (Source.REVIEW, State.SUBMITTED)
    assert change.note == "The provider says the listing is still accurate."
    assert change.proposer == world.user("checked_editor")
    service.refresh_from_db()
    assert service.assured_date == TODAY - dt.timedelta(days=78)  # not assured by the link
    assert "assurer@example.org" in inbox()  # the assurers are told, as for any change
    # The assurer reads it in their queue: nothing is proposed, so they check the service and
    # mark it as checked, which answers the request.
    sign_in(client, world.user("assurer"))
    html = client.get(reverse("workflow:review", args=[change.pk])).content.decode()
    assert "The provider says the listing is still accurate: nothing is proposed" in html
    assert reverse("workflow:service-reassure", args=[service.pk]) in html
    client.post(reverse("workflow:service-reassure", args=[service.pk]))
    change.refresh_from_db()
    assert change.state == State.APPROVED and change.decided_by == world.user("assurer")


def test_the_link_does_nothing_when_someone_reviewed_the_service_meanwhile(
    client, world, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)
    url = link_for("provider-editor@example.org")
    ws.service_reassure(actor=world.user("assurer"), service=world.services["soon"])
    done = client.post(url)
    assert "already reviewed" in done.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_link_expires(client, world, django_capture_on_commit_callbacks, monkeypatch, settings):
    run(django_capture_on_commit_callbacks)
    url = link_for("self-assuring-provider-editor@example.org")
    later = time.time() + 31 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(url)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert client.post(url).status_code == 410
    settings.PORTAL_STILL_ACCURATE_LINK_DAYS = 60  # a longer setting lets it work again
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("how", ["tampered", "other salt", "not signed", "other person"])
def test_a_forged_link_is_refused(client, world, django_capture_on_commit_callbacks, how):
    run(django_capture_on_commit_callbacks)
    url = link_for("self-assuring-provider-editor@example.org")
    token = url.rstrip("/").rsplit("/", 1)[1]
    reminder = ReviewReminder.objects.get(recipient__email="provider-editor@example.org")
    forged = {
        "tampered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "other salt": signing.dumps({"r": reminder.pk, "u": reminder.recipient_id}, salt="x"),
        "not signed": "hello",
        "other person": signing.dumps({"r": reminder.pk, "u": world.user("assurer").pk}, salt=SALT),
    }[how]
    target = reverse("workflow:still-accurate", args=[forged])
    response = client.get(target)
    assert response.status_code == 400 and "not right" in response.content.decode()
    assert client.post(target).status_code == 400
    assert not ChangeRequest.objects.exists()
    assert ReviewReminder.objects.filter(used_at__isnull=False).count() == 0


def test_only_due_soon_reminders_carry_a_working_link(
    client, world, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)
    overdue = ReviewReminder.objects.get(threshold=ReminderThreshold.OVERDUE)
    url = reverse("workflow:still-accurate", args=[still_accurate_token(overdue)])
    assert client.get(url).status_code == 400


def test_a_person_who_lost_their_role_cannot_use_the_link(
    client, world, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)
    url = link_for("checked-editor@example.org")
    user = world.user("checked_editor")
    membership_remove(membership=user.memberships.get(), actor=world.user("directory_admin"))
    response = client.post(url)
    assert response.status_code == 403 and "no longer confirm" in response.content.decode()
    assert not ChangeRequest.objects.exists()

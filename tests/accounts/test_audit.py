from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import authenticate, login
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.policy import audit_events_visible_to
from accounts.services import audit_record
from tests.factories import TEST_PASSWORD, UserFactory


def test_a_sign_in_is_audited_with_the_address(db):
    user = UserFactory()
    request = RequestFactory().post("/accounts/sign-in/", REMOTE_ADDR="198.51.100.7")
    request.session = SessionStore()
    login(request, user, backend="accounts.backends.PortalModelBackend")
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_IN)
    assert event.actor == user and event.actor_email == user.email and event.ip == "198.51.100.7"


def test_a_failed_sign_in_names_the_address_tried_and_never_the_password(db):
    user = UserFactory(email="someone@example.org")
    request = RequestFactory().post("/accounts/sign-in/", REMOTE_ADDR="203.0.113.9")
    assert authenticate(request, email="Someone@example.org", password="wrong-password") is None
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.actor is None and event.actor_email == "someone@example.org"
    assert event.target_id == str(user.pk) and event.ip == "203.0.113.9"
    assert "wrong-password" not in str(event.detail)


def test_sign_in_is_by_email_in_any_case(db):
    user = UserFactory(email="casey@example.org")
    request = RequestFactory().post("/accounts/sign-in/")
    assert authenticate(request, email="CASEY@example.org", password=TEST_PASSWORD) == user


def test_signing_out_is_audited(client, db):
    client.force_login(UserFactory())
    client.logout()
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT).count() == 1


def test_the_log_is_filtered_by_named_queryset_methods(directory_admin, partner, partner_admin):
    old = audit_record(action=AuditAction.SIGNED_IN, actor=partner_admin)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=10))
    audit_record(
        action=AuditAction.PARTNER_UPDATED, actor=directory_admin, target=partner, partner=partner
    )
    audit_record(action=AuditAction.SIGN_IN_FAILED, actor_email="stranger@example.org")
    events = AuditEvent.objects
    assert events.for_partner(partner).get().action == AuditAction.PARTNER_UPDATED
    assert events.for_target(partner).count() == 1
    assert events.by_actor(partner_admin).get() == events.get(pk=old.pk)
    assert events.sign_ins().count() == 2
    assert events.between(start=timezone.now() - timedelta(days=1)).count() == 2
    assert events.search("stranger").get().action == AuditAction.SIGN_IN_FAILED


def test_only_directory_admins_read_the_log(directory_admin, partner_admin):
    audit_record(action=AuditAction.SIGNED_IN, actor=partner_admin)
    assert audit_events_visible_to(directory_admin).count() == 1
    assert not audit_events_visible_to(partner_admin).exists()


def test_details_are_stored_as_json(db):
    import uuid

    key = uuid.uuid4()
    event = audit_record(
        action=AuditAction.RULE_UPDATED, detail={"ids": {key}, "when": timezone.now()}
    )
    event.refresh_from_db()
    assert event.detail["ids"] == [str(key)] and isinstance(event.detail["when"], str)

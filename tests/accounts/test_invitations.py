from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.exceptions import (
    InvitationExpired,
    InvitationForAnotherAccount,
    InvitationInvalid,
    InvitationRevoked,
    InvitationUsed,
    NotAllowed,
)
from accounts.models import AuditAction, AuditEvent, Invitation, Membership, Role, User
from accounts.policy import Action, user_can
from accounts.services import (
    invitation_accept,
    invitation_create,
    invitation_get,
    invitation_revoke,
)
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def invite(partner_admin, partner, django_capture_on_commit_callbacks):
    def make(email="new.person@example.org", roles=(Role.ASSURER,)):
        with django_capture_on_commit_callbacks(execute=True):
            return invitation_create(partner=partner, email=email, roles=roles, actor=partner_admin)

    return make


def test_an_invitation_emails_a_single_use_link_and_stores_only_a_hash(invite, settings):
    settings.PORTAL_BASE_URL = "https://directory.example.gov.uk"
    invitation = invite(email="New.Person@Example.org ")
    assert invitation.email == "new.person@example.org"
    assert invitation.token not in invitation.token_hash
    [email] = mail.outbox
    assert email.to == ["new.person@example.org"]
    assert "Hull CVS" in email.subject
    link = re.search(r"https://directory\.example\.gov\.uk/accounts/invitations/(\S+)/", email.body)
    assert link and link.group(1) == invitation.token
    assert "as an assurer" in email.body
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_SENT)
    assert event.detail["roles"] == [Role.ASSURER] and event.target_label == invitation.email


def test_accepting_makes_the_account_and_the_membership(invite, partner):
    invitation = invite(roles=[Role.ASSURER, Role.FRONTLINE_WORKER])
    assert invitation_get(token=invitation.token) == invitation
    user = invitation_accept(token=invitation.token, password=PASSWORD, first_name="Ada")
    assert user.check_password(PASSWORD) and user.first_name == "Ada"
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.ASSURER,
        Role.FRONTLINE_WORKER,
    }
    assert user_can(user, Action.SUGGEST)
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.status == "accepted"
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_ACCEPTED)
    assert event.actor == user and event.partner == partner


def test_an_invitation_works_once(invite):
    invitation = invite()
    invitation_accept(token=invitation.token, password=PASSWORD)
    with pytest.raises(InvitationUsed):
        invitation_accept(token=invitation.token, password="another-long-password")
    assert User.objects.filter(email=invitation.email).get().check_password(PASSWORD)


def test_an_expired_invitation_is_refused(invite):
    invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(InvitationExpired):
        invitation_accept(token=invitation.token, password=PASSWORD)
    assert not User.objects.filter(email=invitation.email).exists()


def test_an_unknown_token_is_refused(db):
    with pytest.raises(InvitationInvalid):
        invitation_accept(token="not-a-token", password=PASSWORD)


def test_a_revoked_invitation_is_refused(invite, partner_admin):
    invitation = invite()
    invitation_revoke(invitation=invitation, actor=partner_admin)
    with pytest.raises(InvitationRevoked):
        invitation_accept(token=invitation.token, password=PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_REVOKED).count() == 1


def test_a_new_invitation_supersedes_the_open_one(invite):
    first = invite()
    second = invite()
    with pytest.raises(InvitationRevoked):
        invitation_accept(token=first.token, password=PASSWORD)
    assert invitation_accept(token=second.token, password=PASSWORD)


def test_a_weak_password_is_refused_and_nothing_is_made(invite):
    invitation = invite()
    with pytest.raises(ValidationError) as error:
        invitation_accept(token=invitation.token, password="password")
    assert "password" in error.value.message_dict
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_an_existing_account_accepts_signed_in_not_by_setting_a_password(invite):
    existing = UserFactory(email="new.person@example.org")
    invitation = invite()
    with pytest.raises(InvitationForAnotherAccount):
        invitation_accept(token=invitation.token, password="take-over-the-account")
    existing.refresh_from_db()
    assert not existing.check_password("take-over-the-account")
    someone_else = UserFactory()
    with pytest.raises(InvitationForAnotherAccount):
        invitation_accept(token=invitation.token, user=someone_else)
    assert invitation_accept(token=invitation.token, user=existing) == existing
    assert Membership.objects.filter(user=existing, role=Role.ASSURER).exists()


def test_a_partner_admin_cannot_invite_to_another_partner(partner_admin, other_partner):
    with pytest.raises(NotAllowed):
        invitation_create(
            partner=other_partner, email="x@example.org", roles=[Role.ASSURER], actor=partner_admin
        )
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_partner_admin_cannot_revoke_another_partners_invitation(
    directory_admin, partner_admin, other_partner
):
    invitation = invitation_create(
        partner=other_partner, email="x@example.org", roles=[Role.ASSURER], actor=directory_admin
    )
    with pytest.raises(NotAllowed):
        invitation_revoke(invitation=invitation, actor=partner_admin)
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_inviting_someone_to_roles_they_hold_is_refused(partner_admin, partner):
    member = MembershipFactory(partner=partner, role=Role.ASSURER).user
    with pytest.raises(ValidationError, match="already has these roles"):
        invitation_create(
            partner=partner, email=member.email, roles=[Role.ASSURER], actor=partner_admin
        )
    with pytest.raises(ValidationError, match="Select at least one role"):
        invitation_create(partner=partner, email="a@example.org", roles=[], actor=partner_admin)

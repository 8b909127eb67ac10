"""Setting up a second factor needs more than the password; recovery codes; an admin's reset.

Whoever holds the password of an account that owes two-factor authentication and has no device
must not be able to enrol their own phone: the session must also have come through an emailed
invitation, a password-reset link, or a set-up link a directory admin had sent.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.exceptions import NotAllowed, SetupLinkExpired, SetupLinkUsed
from accounts.models import AuditAction, AuditEvent, Role, TwoFactorSetupLink, hash_token
from accounts.services import (
    invitation_create,
    recovery_code_use,
    recovery_codes_make,
    two_factor_link_get,
    two_factor_reset,
)
from tests.auth import current_code, sign_in, totp_device
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")
SETUP = reverse("accounts:two-factor-setup")
VERIFY = reverse("accounts:two-factor-verify")
RECOVERY = reverse("accounts:two-factor-recovery")
CODES = reverse("accounts:two-factor-recovery-codes")
NEEDS_LINK = b"You need a link to set up two-factor authentication"


def _reset_url(user) -> str:
    return reverse("accounts:user-two-factor-reset", args=[user.pk])


def _emailed_path(pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+({pattern})", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def _enrol(client, user, *, next_url: str = "") -> list[str]:
    """Set up an app on the set-up page (which must show its secret); the codes shown next."""
    page = client.get(SETUP)
    assert page.status_code == 200 and b'id="secret-key"' in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": current_code(device), "next": next_url})
    assert response.status_code == 302 and response["Location"] == CODES
    codes_page = client.get(CODES).content.decode()
    return re.findall(r"<code[^>]*>([a-z0-9]{5}-[a-z0-9]{5})</code>", codes_page)


# --- the password alone cannot enrol ------------------------------------------------------------


def test_the_password_alone_cannot_set_up_a_device(client, assurer):
    sign_in(client, assurer, verified=False)
    # Every page still leads to set-up, which now explains how to get a link, with no secret.
    assert client.get(ACCOUNT)["Location"].startswith(SETUP)
    page = client.get(SETUP)
    assert page.status_code == 403 and NEEDS_LINK in page.content
    html = page.content.decode()
    assert "Ask a directory admin for a set-up link, or reset your password" in html
    assert "secret-key" not in html and "<svg" not in html
    assert not TOTPDevice.objects.filter(user=assurer).exists()
    # Posting a code does nothing either.
    assert client.post(SETUP, {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=assurer).exists()


def test_someone_who_does_not_owe_it_may_still_opt_in_with_a_full_sign_in(client, frontline_worker):
    sign_in(client, frontline_worker, verified=False)
    codes = _enrol(client, frontline_worker)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=frontline_worker).confirmed


def test_replacing_a_device_needs_a_verified_session(client, assurer):
    totp_device(assurer)
    sign_in(client, assurer, verified=False)
    assert client.get(SETUP)["Location"] == VERIFY


def test_demo_accounts_keep_their_debug_behaviour(client, settings, partner):
    demo = MembershipFactory(
        partner=partner, role=Role.ASSURER, user=UserFactory(email="assurer@demo.example")
    ).user
    settings.DEBUG = True
    sign_in(client, demo, verified=False)
    # Let off two-factor while DEBUG is on, and so free to try set-up like anyone who opts in.
    assert client.get(ACCOUNT).status_code == 200
    assert client.get(SETUP).status_code == 200


# --- each of the three proofs can --------------------------------------------------------------


def test_an_emailed_invitation_lets_the_new_account_enrol(
    client, partner, directory_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            partner=partner,
            email="new.assurer@example.org",
            roles=[Role.ASSURER],
            actor=directory_admin,
        )
    link = _emailed_path(r"/accounts/invitations/[\w-]+/")
    password = "tangerine-bicycle-lantern-9"
    client.post(
        link,
        {
            "first_name": "Alex",
            "last_name": "Morgan",
            "password": password,
            "password_again": password,
        },
    )
    person = partner.memberships.get(role=Role.ASSURER, user__email="new.assurer@example.org").user
    assert client.get(ACCOUNT)["Location"].startswith(SETUP)
    assert len(_enrol(client, person)) == 10
    assert client.get(ACCOUNT).status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_CHANGED).get()
    assert event.detail["proof"] == "invitation"


def test_an_existing_account_accepting_an_invitation_may_enrol(
    client, partner, directory_admin, frontline_worker
):
    invitation = invitation_create(
        partner=partner, email=frontline_worker.email, roles=[Role.ASSURER], actor=directory_admin
    )
    sign_in(client, frontline_worker, verified=False)
    client.post(f"/accounts/invitations/{invitation.token}/")
    assert two_factor.two_factor_required(frontline_worker)
    assert len(_enrol(client, frontline_worker)) == 10


def test_a_password_reset_link_lets_the_browser_that_used_it_enrol(client, assurer, settings):
    client.post(reverse("accounts:password-reset"), {"email": assurer.email})
    form = client.get(_emailed_path(r"/accounts/password/reset/\S+/"), follow=True)
    new_password = "a fresh and private passphrase"
    client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    response = client.post(
        reverse("accounts:sign-in"), {"username": assurer.email, "password": new_password}
    )
    assert response.status_code == 302
    assert len(_enrol(client, assurer)) == 10
    event = AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_CHANGED).get()
    assert event.detail["proof"] == "password reset"


def test_a_reset_link_used_in_another_browser_proves_nothing_here(client, assurer):
    reader = type(client)()
    reader.post(reverse("accounts:password-reset"), {"email": assurer.email})
    form = reader.get(_emailed_path(r"/accounts/password/reset/\S+/"), follow=True)
    new_password = "a fresh and private passphrase"
    reader.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    client.post(reverse("accounts:sign-in"), {"username": assurer.email, "password": new_password})
    assert client.get(SETUP).status_code == 403


def test_the_proof_is_for_one_person_and_does_not_last(client, assurer, partner):
    other = MembershipFactory(partner=partner, role=Role.ASSURER).user
    sign_in(client, assurer, verified=False)
    session = client.session
    session[two_factor.SETUP_PROOF_SESSION_KEY] = {
        "user": str(other.pk),
        "how": "set-up link",
        "until": 4_000_000_000,
    }
    session.save()
    assert client.get(SETUP).status_code == 403
    session[two_factor.SETUP_PROOF_SESSION_KEY] = {
        "user": str(assurer.pk),
        "how": "set-up link",
        "until": 1_000_000_000,  # 2001: long gone
    }
    session.save()
    assert client.get(SETUP).status_code == 403
    session[two_factor.SETUP_PROOF_SESSION_KEY]["until"] = 4_000_000_000
    session.save()
    assert client.get(SETUP).status_code == 200


def test_an_admin_issued_set_up_link_lets_its_owner_enrol_once(
    client, assurer, directory_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        two_factor_reset(user=assurer, actor=directory_admin)
    assert mail.outbox[-1].to == [assurer.email]
    link = _emailed_path(r"/accounts/two-factor/set-up/[\w-]+/")

    # Signed out: the page asks to sign in first, and comes back here.
    page = client.get(link)
    assert page.status_code == 200 and b"Sign in" in page.content
    sign_in_url = reverse("accounts:sign-in") + "?next=" + link.replace("/", "%2F")
    assert sign_in_url.encode() in page.content
    response = client.post(
        sign_in_url, {"username": assurer.email, "password": TEST_PASSWORD, "next": link}
    )
    assert response["Location"] == link
    # The link page is open to someone who still owes a second factor; GET spends nothing.
    assert client.get(link).status_code == 200
    assert TwoFactorSetupLink.objects.get().used_at is None
    assert client.get(SETUP).status_code == 403
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == SETUP
    assert len(_enrol(client, assurer)) == 10
    assert TwoFactorSetupLink.objects.get().used_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_LINK_USED).count() == 1
    # Used once: a second visit says so.
    again = client.get(link)
    assert again.status_code == 410 and b"already been used" in again.content


def test_the_proof_is_spent_by_enrolling(client, assurer, directory_admin):
    link = two_factor_reset(user=assurer, actor=directory_admin)
    sign_in(client, assurer, verified=False)
    client.post(f"/accounts/two-factor/set-up/{link.token}/")
    _enrol(client, assurer)
    assert two_factor.SETUP_PROOF_SESSION_KEY not in client.session


def test_a_set_up_link_expires(client, assurer, directory_admin):
    link = two_factor_reset(user=assurer, actor=directory_admin)
    TwoFactorSetupLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(SetupLinkExpired):
        two_factor_link_get(token=link.token)
    sign_in(client, assurer, verified=False)
    url = f"/accounts/two-factor/set-up/{link.token}/"
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410
    assert client.get(SETUP).status_code == 403


def test_a_set_up_link_works_for_72_hours_by_default(assurer, directory_admin):
    before = timezone.now()
    link = two_factor_reset(user=assurer, actor=directory_admin)
    after = timezone.now()
    assert before + timedelta(hours=72) <= link.expires_at <= after + timedelta(hours=72)
    # Only a hash is kept.
    assert link.token not in link.token_hash and link.token_hash == hash_token(link.token)


def test_a_forged_or_someone_elses_link_is_refused(client, assurer, partner, directory_admin):
    link = two_factor_reset(user=assurer, actor=directory_admin)
    sign_in(client, assurer, verified=False)
    forged = client.get("/accounts/two-factor/set-up/not-a-real-token/")
    assert forged.status_code == 404 and b"not valid" in forged.content
    assert client.post("/accounts/two-factor/set-up/not-a-real-token/").status_code == 404
    other = MembershipFactory(partner=partner, role=Role.ASSURER).user
    client.logout()
    sign_in(client, other, verified=False)
    url = f"/accounts/two-factor/set-up/{link.token}/"
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert TwoFactorSetupLink.objects.get().used_at is None
    assert client.get(SETUP).status_code == 403


def test_a_new_link_replaces_the_open_one(assurer, directory_admin):
    first = two_factor_reset(user=assurer, actor=directory_admin)
    second = two_factor_reset(user=assurer, actor=directory_admin)
    assert two_factor_link_get(token=second.token).pk == second.pk
    first.refresh_from_db()
    assert first.revoked_at is not None


def test_a_used_link_cannot_be_used_again(client, assurer, directory_admin):
    link = two_factor_reset(user=assurer, actor=directory_admin)
    sign_in(client, assurer, verified=False)
    client.post(f"/accounts/two-factor/set-up/{link.token}/")
    with pytest.raises(SetupLinkUsed):
        two_factor_link_get(token=link.token)


# --- recovery codes ------------------------------------------------------------------------------


def test_recovery_codes_are_shown_once_and_stored_hashed(client, frontline_worker):
    sign_in(client, frontline_worker, verified=False)
    codes = _enrol(client, frontline_worker)
    assert len(codes) == len(set(codes)) == 10
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
    assert stored == {two_factor.recovery_code_hash(code) for code in codes}
    # Shown once: the page now only counts them.
    again = client.get(CODES).content.decode()
    assert codes[0] not in again and "You have 10 recovery codes left" in again
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODES_MADE).count() == 1


def test_a_recovery_code_signs_in_once(client, assurer):
    device = totp_device(assurer)
    codes = recovery_codes_make(user=assurer)
    sign_in(client, assurer, verified=False)
    page = client.get(VERIFY)
    assert RECOVERY.encode() in page.content
    response = client.post(RECOVERY, {"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get(ACCOUNT).status_code == 200
    used = AuditEvent.objects.get(action=AuditAction.RECOVERY_CODE_USED)
    assert used.target_id == str(assurer.pk) and used.detail == {"codes_left": 9}
    assert StaticToken.objects.count() == 9
    # The same code again, in a new sign-in, is refused; another works.
    client.logout()
    sign_in(client, assurer, verified=False)
    refused = client.post(RECOVERY, {"code": codes[3]})
    assert refused.status_code == 200 and b"already been used" in refused.content
    assert b"govuk-error-summary" in refused.content
    assert AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED).detail == {
        "step": "recovery code"
    }
    assert client.get(ACCOUNT).status_code == 302
    StaticDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post(RECOVERY, {"code": codes[4]}).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODE_USED).count() == 2
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_badly_formed_recovery_codes_are_explained(client, assurer):
    totp_device(assurer)
    recovery_codes_make(user=assurer)
    sign_in(client, assurer, verified=False)
    assert b"Enter a recovery code" in client.post(RECOVERY, {"code": ""}).content
    assert b"10 letters and numbers" in client.post(RECOVERY, {"code": "abc"}).content
    long = client.post(RECOVERY, {"code": "x" * 500})
    assert long.status_code == 200 and b"govuk-error-summary" in long.content


def test_wrong_recovery_codes_are_throttled(assurer):
    totp_device(assurer)
    codes = recovery_codes_make(user=assurer)
    assert recovery_code_use(user=assurer, code="aaaaa-aaaaa") is None
    # Straight after a failure even a right code waits (django-otp's back-off).
    assert recovery_code_use(user=assurer, code=codes[0]) is None
    StaticDevice.objects.update(throttling_failure_timestamp=None)
    assert recovery_code_use(user=assurer, code=codes[0]) is not None


def test_new_recovery_codes_replace_the_old_and_need_a_verified_session(client, assurer):
    totp_device(assurer)
    old = recovery_codes_make(user=assurer)
    sign_in(client, assurer, verified=False)
    # Half signed in: the page and its button lead to verification first.
    assert client.post(CODES)["Location"].startswith(VERIFY)
    assert StaticToken.objects.count() == 10
    client.logout()
    sign_in(client, assurer)
    page = client.get(CODES)
    assert page.status_code == 200 and b"Make new recovery codes" in page.content
    response = client.post(CODES)
    assert response["Location"] == CODES
    new = re.findall(r"<code[^>]*>([a-z0-9-]{11})</code>", client.get(CODES).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert recovery_code_use(user=assurer, code=old[0]) is None
    StaticDevice.objects.update(throttling_failure_timestamp=None)
    assert recovery_code_use(user=assurer, code=new[0]) is not None
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODES_MADE).count() == 2


def test_the_account_page_counts_recovery_codes(client, assurer):
    sign_in(client, assurer)
    recovery_codes_make(user=assurer)
    html = client.get(ACCOUNT).content.decode()
    assert "10 left" in html and CODES in html


def test_turning_two_factor_off_removes_the_recovery_codes(client, frontline_worker):
    sign_in(client, frontline_worker)
    recovery_codes_make(user=frontline_worker)
    client.post(reverse("accounts:two-factor-remove"), {"password": TEST_PASSWORD})
    assert not StaticDevice.objects.filter(user=frontline_worker).exists()


def test_recovery_codes_alone_do_not_count_as_a_device(assurer):
    recovery_codes_make(user=assurer)
    assert not two_factor.has_device(assurer)


# --- a directory admin resets someone's second factor -------------------------------------------


def test_a_directory_admin_resets_someone_and_a_link_is_emailed(
    client, assurer, directory_admin, django_capture_on_commit_callbacks
):
    totp_device(assurer)
    recovery_codes_make(user=assurer)
    sign_in(client, directory_admin)
    page = client.get(_reset_url(assurer))
    html = page.content.decode()
    assert page.status_code == 200 and "govuk-warning-text" in html
    assert "10 recovery codes" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_reset_url(assurer))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=assurer).exists()
    assert not StaticDevice.objects.filter(user=assurer).exists()
    assert not StaticToken.objects.exists()
    (email,) = [m for m in mail.outbox if m.to == [assurer.email]]
    assert "/accounts/two-factor/set-up/" in email.body
    link = TwoFactorSetupLink.objects.get(user=assurer)
    assert link.issued_by == directory_admin and link.used_at is None
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert event.actor == directory_admin and event.target_id == str(assurer.pk)
    assert event.detail["apps_removed"] == 1 and event.detail["recovery_codes_removed"] == 10


def test_a_reset_ends_the_persons_verified_sessions(client, assurer, directory_admin):
    sign_in(client, assurer)
    assert client.get(ACCOUNT).status_code == 200
    two_factor_reset(user=assurer, actor=directory_admin)
    assert client.get(ACCOUNT)["Location"].startswith(SETUP)


@pytest.mark.parametrize("role", ["partner_admin", "assurer", "frontline_worker"])
def test_people_who_are_not_directory_admins_cannot_reset(client, request, role, partner):
    actor = request.getfixturevalue(role)
    victim = MembershipFactory(partner=partner, role=Role.ASSURER).user
    device = totp_device(victim)
    sign_in(client, actor)
    assert client.get(_reset_url(victim)).status_code == 403
    assert client.post(_reset_url(victim)).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not TwoFactorSetupLink.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_RESET).exists()
    assert mail.outbox == []
    with pytest.raises(NotAllowed):
        two_factor_reset(user=victim, actor=actor)


def test_an_admin_cannot_reset_their_own_from_there(client, directory_admin):
    device = totp_device(directory_admin)
    sign_in(client, directory_admin)
    assert client.get(_reset_url(directory_admin)).status_code == 403
    assert client.post(_reset_url(directory_admin)).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not TwoFactorSetupLink.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, assurer):
    response = client.post(_reset_url(assurer))
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_the_members_list_offers_admins_the_reset(client, directory_admin, assurer, partner):
    totp_device(assurer)
    sign_in(client, directory_admin)
    html = client.get(reverse("accounts:partner-detail", args=[partner.pk])).content.decode()
    assert _reset_url(assurer) in html


def test_the_members_list_does_not_offer_partner_admins_the_reset(
    client, partner_admin, assurer, partner
):
    totp_device(assurer)
    sign_in(client, partner_admin)
    html = client.get(reverse("accounts:partner-detail", args=[partner.pk])).content.decode()
    assert _reset_url(assurer) not in html


def test_the_members_list_keeps_a_constant_number_of_queries(
    client, directory_admin, partner, django_assert_max_num_queries
):
    for _ in range(3):
        totp_device(MembershipFactory(partner=partner, role=Role.ASSURER).user)
    sign_in(client, directory_admin)
    url = reverse("accounts:partner-detail", args=[partner.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for _ in range(10):
        totp_device(MembershipFactory(partner=partner, role=Role.ASSURER).user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_a_reset_from_a_half_signed_in_session_signs_out_and_keeps_the_proof(client, assurer):
    sign_in(client, assurer, verified=False)
    assert client.get(SETUP).status_code == 403
    client.post(reverse("accounts:password-reset"), {"email": assurer.email})
    form = client.get(_emailed_path(r"/accounts/password/reset/\S+/"), follow=True)
    new_password = "a fresh and private passphrase"
    client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    # Signed out, as every session of the old password is.
    assert client.get(ACCOUNT)["Location"].startswith(reverse("accounts:sign-in"))
    client.post(reverse("accounts:sign-in"), {"username": assurer.email, "password": new_password})
    assert len(_enrol(client, assurer)) == 10

"""The emails the accounts app sends, as plain text."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import formats, timezone

from accounts import conf
from accounts.models import Invitation, TwoFactorSetupLink


def invitation_url(token: str) -> str:
    """The accept link; the staff pages serve it (URL name `accounts:invitation-accept`)."""
    path = conf.get("PORTAL_INVITATION_PATH").format(token=token)
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def send_invitation(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by.display_name if invitation.invited_by else "The directory team"
    roles = " and ".join(role.lower() for role in invitation.role_labels)
    expires = formats.date_format(timezone.localtime(invitation.expires_at), "j F Y, H:i")
    body = (
        f"{inviter} has invited you to join {invitation.partner.name} on "
        f"{settings.PORTAL_NAME} as {_article(roles)} {roles}.\n\n"
        "To accept, open this link and choose a password:\n\n"
        f"{invitation_url(token)}\n\n"
        f"The link works once and stops working on {expires}. If you were not expecting this "
        "invitation, you can ignore this email.\n"
    )
    send_mail(
        subject=one_line(
            f"You're invited to join {invitation.partner.name} on {settings.PORTAL_NAME}"
        ),
        message=body,
        from_email=None,
        recipient_list=[invitation.email],
    )


def two_factor_link_url(token: str) -> str:
    """The set-up link; the staff pages serve it (URL name `accounts:two-factor-link`)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + f"/accounts/two-factor/set-up/{token}/"


def send_two_factor_link(link: TwoFactorSetupLink, token: str) -> None:
    """The email a directory admin's reset of someone's second factor sends them."""
    admin = link.issued_by.display_name if link.issued_by else "The directory team"
    expires = formats.date_format(timezone.localtime(link.expires_at), "j F Y, H:i")
    body = (
        f"{admin} has reset the two-factor authentication of your account on "
        f"{settings.PORTAL_NAME}. Your old authenticator app and recovery codes no longer work.\n\n"
        "To set up an authenticator app again, open this link and sign in:\n\n"
        f"{two_factor_link_url(token)}\n\n"
        f"The link works once and stops working on {expires}. If you did not ask for this, "
        "tell the directory team.\n"
    )
    send_mail(
        subject=one_line(f"Set up two-factor authentication on {settings.PORTAL_NAME}"),
        message=body,
        from_email=None,
        recipient_list=[link.user.email],
    )


def one_line(text: str) -> str:
    """A header value on one line (names are refused with line breaks, but older rows may
    hold them: a broken header would leave the email unsent)."""
    return " ".join(text.split())


def _article(words: str) -> str:
    return "an" if words[:1] in "aeiou" else "a"

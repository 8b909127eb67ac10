"""Domain failures of the accounts services; views show them as form errors or a 403 page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class AccountsError(Exception):
    """Base of the accounts domain failures; `message` is a sentence fit to show the user."""

    message = "Something went wrong"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(self.message)


class NotAllowed(AccountsError, PermissionDenied):
    """The actor may not do this. A `PermissionDenied`, so an uncaught one is a 403."""

    message = "You do not have permission to do that"

    def __init__(self, message: str | None = None, *, action=None, obj=None) -> None:
        self.action = action
        self.obj = obj
        super().__init__(message)


class InvitationInvalid(AccountsError):
    """No invitation has this token (mistyped, or never existed)."""

    message = "This invitation link is not valid. Ask for a new invitation"


class InvitationExpired(AccountsError):
    message = "This invitation has expired. Ask for a new invitation"


class InvitationUsed(AccountsError):
    message = "This invitation has already been used. Sign in instead"


class InvitationRevoked(AccountsError):
    message = "This invitation has been withdrawn. Ask for a new invitation"


class InvitationForAnotherAccount(AccountsError):
    """The invited address already has an account: its owner must be signed in to accept."""

    message = "An account already uses this email address. Sign in as that account to accept"


class SetupLinkUnusable(AccountsError):
    """A two-factor set-up link that cannot be used; `title` heads the page that says so."""

    title = "This set-up link cannot be used"
    message = "Ask a directory admin for a new set-up link"


class SetupLinkInvalid(SetupLinkUnusable):
    title = "This set-up link is not valid"
    message = "Check that you copied the whole link from the email, or ask for a new one"


class SetupLinkExpired(SetupLinkUnusable):
    title = "This set-up link has expired"


class SetupLinkUsed(SetupLinkUnusable):
    title = "This set-up link has already been used"


class SetupLinkRevoked(SetupLinkUnusable):
    title = "This set-up link has been replaced"
    message = "A newer link has been sent to you. Use the link in the latest email"


class SetupLinkForAnotherAccount(SetupLinkUnusable):
    title = "This set-up link is for another account"
    message = "Sign out, then open the link again and sign in as the person it was sent to"

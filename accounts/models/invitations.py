from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.models import TimestampedModel

from .partners import Partner, Role


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so one SHA-256 is enough: nothing to brute-force."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Not yet accepted nor revoked (an open invitation may still have expired)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self, *, now=None) -> InvitationQuerySet:
        """Open and not expired: the link in the email still works."""
        return self.open().filter(expires_at__gt=now or timezone.now())

    def for_partner(self, partner: Partner) -> InvitationQuerySet:
        return self.filter(partner=partner)


class Invitation(TimestampedModel):
    """An emailed, single-use, expiring link that makes someone a member of a partner.

    Only a hash of the token is stored; the token itself exists in the email alone.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    roles = models.JSONField(default=list, help_text="Role values the invitee will hold")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A new invitation to the same person supersedes (revokes) the open one.
            models.UniqueConstraint(
                "partner",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_partner_email",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.partner}"

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles if role in Role.values]

    def is_expired(self, *, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def status(self) -> str:
        if self.is_used:
            return "accepted"
        if self.is_revoked:
            return "revoked"
        return "expired" if self.is_expired() else "pending"

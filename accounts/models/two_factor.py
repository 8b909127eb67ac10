from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TimestampedModel


class TwoFactorSetupLinkQuerySet(models.QuerySet["TwoFactorSetupLink"]):
    def open(self) -> TwoFactorSetupLinkQuerySet:
        """Not yet used nor withdrawn (an open link may still have expired)."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True)


class TwoFactorSetupLink(TimestampedModel):
    """An emailed, single-use, expiring link that lets someone set up two-factor authentication.

    A directory admin issues one when they reset someone's second factor. Someone who owes
    two-factor authentication and has no device cannot set one up with their password alone
    (whoever stole it would enrol their own phone); opening this link, signed in as its owner,
    is the proof that they also hold the mailbox. Only a hash of the token is stored.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_setup_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="two_factor_setup_links_issued",
    )

    objects = TwoFactorSetupLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A new link supersedes (withdraws) the open one: only the latest email works.
            models.UniqueConstraint(
                "user",
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True),
                name="two_factor_link_one_open_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="two_factor_link_not_both_used_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"Two-factor set-up link for {self.user}"

    def is_expired(self, *, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

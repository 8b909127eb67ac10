from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TimestampedModel

from .partners import Partner


class AuditAction(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGNED_OUT = "signed_out", "Signed out"
    LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    TWO_FACTOR_CHANGED = "two_factor_changed", "Two-factor authentication changed"
    TWO_FACTOR_RESET = "two_factor_reset", "Two-factor authentication reset by an admin"
    TWO_FACTOR_LINK_USED = "two_factor_link_used", "Two-factor set-up link used"
    RECOVERY_CODES_MADE = "recovery_codes_made", "Recovery codes made"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used to sign in"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    MEMBERSHIP_ADDED = "membership_added", "Member added"
    MEMBERSHIP_ROLE_CHANGED = "membership_role_changed", "Member's role changed"
    MEMBERSHIP_REMOVED = "membership_removed", "Member removed"
    DIRECTORY_ADMIN_CHANGED = "directory_admin_changed", "Directory admin role changed"
    PARTNER_CREATED = "partner_created", "Partner created"
    PARTNER_UPDATED = "partner_updated", "Partner updated"
    RULE_CREATED = "rule_created", "Allocation rule created"
    RULE_UPDATED = "rule_updated", "Allocation rule updated"
    RULE_DELETED = "rule_deleted", "Allocation rule deleted"
    RULES_REORDERED = "rules_reordered", "Allocation rules reordered"
    PERMISSIONS_CHANGED = "permissions_changed", "Service permissions changed"
    PERMISSIONS_RECOMPUTED = "permissions_recomputed", "All service permissions recomputed"
    TASK_RETRIED = "task_retried", "Background task retried"
    IMPORT_QUEUED = "import_queued", "Import of a file queued"
    LEGACY_CATEGORIES_UPLOADED = "legacy_categories_uploaded", "Legacy categories uploaded"
    LEGACY_CATEGORY_MAPPED = "legacy_category_mapped", "Legacy category mapped"
    # The workflow: change requests and assurance of directory records
    CHANGE_SAVED = "change_saved", "Change saved as a draft"
    CHANGE_SUBMITTED = "change_submitted", "Change submitted for assurance"
    CHANGE_APPROVED = "change_approved", "Change approved"
    CHANGE_PARTLY_APPROVED = "change_partly_approved", "Change partly approved"
    CHANGE_REJECTED = "change_rejected", "Change rejected"
    CHANGE_MORE_INFORMATION = "change_more_information", "More information asked for"
    CHANGE_WITHDRAWN = "change_withdrawn", "Change withdrawn"
    CHANGE_REBASED = "change_rebased", "Change compared again with the current record"
    PROBLEM_REPORTED = "problem_reported", "Problem reported by the public"
    SERVICE_REASSURED = "service_reassured", "Service re-assured unchanged"
    SERVICE_HIDDEN = "service_hidden", "Service hidden from the feeds"
    SERVICE_SHOWN = "service_shown", "Service shown in the feeds again"
    CONFIDENTIAL_LOCATION_CHANGED = (
        "confidential_location_changed",
        "Confidential address setting changed",
    )


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def by_actor(self, user) -> AuditEventQuerySet:
        return self.filter(actor=user)

    def for_partner(self, partner: Partner) -> AuditEventQuerySet:
        return self.filter(partner=partner)

    def for_target(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))

    def of_action(self, *actions: str) -> AuditEventQuerySet:
        return self.filter(action__in=actions)

    def between(self, start=None, end=None) -> AuditEventQuerySet:
        qs = self
        if start is not None:
            qs = qs.filter(at__gte=start)
        if end is not None:
            qs = qs.filter(at__lt=end)
        return qs

    def sign_ins(self) -> AuditEventQuerySet:
        return self.of_action(
            AuditAction.SIGNED_IN, AuditAction.SIGN_IN_FAILED, AuditAction.LOCKED_OUT
        )

    def search(self, text: str) -> AuditEventQuerySet:
        """Free text over who did it and what it was done to (the admin screen's search box)."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(actor_email__icontains=text) | models.Q(target_label__icontains=text)
        )


class AuditEvent(TimestampedModel):
    """One entry of the audit log: who did what to what, when and from where. Never edited."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # Kept as written, so the log still names people whose account has gone, and failed
    # sign-ins (which have no user) show the address that was tried.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["partner", "-at"], name="audit_partner_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at_idx"),
        ]

    def __str__(self) -> str:
        who = self.actor_email or "system"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.get_action_display()} {self.target_label}"

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models

from core.models import TimestampedModel
from directory.models import Organization


class PartnerKind(models.TextChoices):
    COUNCIL_DEPARTMENT = "council_department", "Council department"
    NHS = "nhs", "NHS or integrated care board"
    CVS = "cvs", "Council for voluntary service"
    POLICE = "police", "Police"
    HOUSING_ASSOCIATION = "housing_association", "Housing association"
    SCHOOL = "school", "School"
    PROVIDER = "provider", "Provider organisation"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    """What a member does for their partner (the site-wide role is `User.is_directory_admin`)."""

    PROVIDER_EDITOR = "provider_editor", "Provider editor"
    FRONTLINE_WORKER = "frontline_worker", "Frontline worker"
    ASSURER = "assurer", "Assurer"
    PARTNER_ADMIN = "partner_admin", "Partner admin"


class PartnerQuerySet(models.QuerySet["Partner"]):
    def active(self) -> PartnerQuerySet:
        return self.filter(is_active=True)

    def running(self, organization: Organization) -> PartnerQuerySet:
        """The partners that run (and so edit the services of) an organisation."""
        return self.filter(organizations=organization)

    def of_user(self, user, role: str | None = None) -> PartnerQuerySet:
        memberships = Membership.objects.filter(user=user)
        if role:
            memberships = memberships.filter(role=role)
        return self.filter(pk__in=memberships.values("partner_id"))


class Partner(TimestampedModel):
    """An agency taking part in the directory: a council team, the NHS, the CVS, a provider...

    A provider partner is linked to the directory organisations it runs; its provider editors edit
    those organisations' services, and it may be trusted to assure them itself (`can_self_assure`).
    """

    name = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        error_messages={"unique": "Another partner already uses this short name"},
    )
    kind = models.CharField(max_length=30, choices=PartnerKind.choices)
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="partners",
        verbose_name="organisations it runs",
    )
    can_self_assure = models.BooleanField(
        "may assure its own services",
        default=False,
        help_text="Trusted providers assure their own organisations' services.",
    )
    is_active = models.BooleanField("active", default=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PartnerKind.values), name="partner_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The name goes into email subjects and headers: a line break there would split the
        # header (the invitation was saved but never sent), so it is refused where it is typed.
        if any(unicodedata.category(character) == "Cc" for character in self.name):
            raise ValidationError({"name": "The name must be on one line, without tabs"})


class PartnerGroup(TimestampedModel):
    """The auth group holding one role of one partner: object permissions are granted to it.

    Memberships only add people to and remove them from these groups, so granting or revoking a
    permission for a whole role is one row per record, not one per person.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="role_groups")
    role = models.CharField(max_length=30, choices=Role.choices)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="partner_role")

    class Meta:
        ordering = ["partner", "role"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "role"], name="partner_group_one_per_role"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="partner_group_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.get_role_display()}"

    @staticmethod
    def group_name(partner: Partner, role: str) -> str:
        # The partner's id, not its name or slug, so that renaming a partner renames no group.
        return f"partner-{partner.pk}-{role}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        """Memberships that give rights: of active people in active partners."""
        return self.filter(user__is_active=True, partner__is_active=True)

    def for_partner(self, partner: Partner) -> MembershipQuerySet:
        return self.filter(partner=partner)

    def with_role(self, *roles: str) -> MembershipQuerySet:
        return self.filter(role__in=roles)


class Membership(TimestampedModel):
    """One role a person holds at a partner; a person with two roles there has two rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partner", "role"],
                name="membership_one_row_per_role",
                violation_error_message="This person already has this role at this partner",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}, {self.get_role_display().lower()} at {self.partner}"

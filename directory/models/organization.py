from __future__ import annotations

from django.db import models

from .base import RecordModel


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def search_name(self, text: str) -> OrganizationQuerySet:
        return self.filter(name__icontains=text)


class Organization(RecordModel):
    """An organisation that runs services (ORUK `organization`)."""

    name = models.CharField(max_length=255)
    description = models.TextField()
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    logo = models.CharField(max_length=500, blank=True)
    uri = models.URLField(max_length=500, blank=True)
    # ORUK allows a parent the same feed does not hold, so the id is kept without a constraint.
    parent_organization = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="child_organizations",
        db_constraint=False,
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta(RecordModel.Meta):
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="organization_name_idx")]

    def __str__(self) -> str:
        return self.name


class OrganizationIdentifier(RecordModel):
    """A registered identifier of an organisation (charity or company number, per org-id.guide)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="organization_identifiers"
    )
    identifier_scheme = models.CharField(max_length=50, blank=True, help_text="e.g. GB-COH, GB-CHC")
    identifier_type = models.CharField(max_length=100)
    identifier = models.CharField(max_length=100)

    class Meta(RecordModel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "identifier_scheme", "identifier_type", "identifier"],
                name="organization_identifier_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier_scheme or self.identifier_type} {self.identifier}"

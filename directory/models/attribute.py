from __future__ import annotations

from django.db import models

from .base import RecordModel
from .taxonomy import TaxonomyTerm


class LinkEntity(models.TextChoices):
    """The kinds of record a taxonomy term can be attached to (HSDS `link_entity`)."""

    SERVICE = "service", "Service"
    ORGANIZATION = "organization", "Organisation"
    LOCATION = "location", "Location"
    SERVICE_AT_LOCATION = "service_at_location", "Service at location"
    CONTACT = "contact", "Contact"
    ADDRESS = "address", "Address"
    ACCESSIBILITY = "accessibility", "Accessibility"
    ORGANIZATION_IDENTIFIER = "organization_identifier", "Organisation identifier"
    COST_OPTION = "cost_option", "Cost option"
    SERVICE_AREA = "service_area", "Service area"


class AttributeQuerySet(models.QuerySet["Attribute"]):
    def for_record(self, entity: str, record_id) -> AttributeQuerySet:
        return self.filter(link_entity=entity, link_id=record_id)


class Attribute(RecordModel):
    """A taxonomy term attached to any record (ORUK `attribute`): tags a service with a type."""

    link_entity = models.CharField(max_length=30, choices=LinkEntity.choices)
    link_id = models.UUIDField()
    link_type = models.CharField(max_length=100, blank=True)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.CASCADE, related_name="attributes"
    )
    value = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=255, blank=True)

    objects = AttributeQuerySet.as_manager()

    class Meta(RecordModel.Meta):
        indexes = [models.Index(fields=["link_id", "link_entity"], name="attribute_link_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(link_entity__in=LinkEntity.values),
                name="attribute_link_entity_valid",
            ),
            models.UniqueConstraint(
                fields=["link_entity", "link_id", "taxonomy_term", "link_type", "value"],
                name="attribute_unique_per_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link_entity} {self.link_id}: {self.taxonomy_term_id}"

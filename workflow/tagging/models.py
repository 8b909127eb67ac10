"""A legacy directory's classification and how each of its categories maps to LGA service types.

A directory that moves to the portal brings services tagged with its own categories ("Old FIS
categories": "Holiday clubs", "Parenting support" ...). A directory admin uploads those categories
once and maps each to LGA service types; imports then add the mapped types to every service that
carries a mapped category (`legacy_import.LegacyTermMapper`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from core.models import TimestampedModel
from directory.models import TaxonomyTerm


class LegacySchemeQuerySet(models.QuerySet["LegacyScheme"]):
    def with_counts(self) -> LegacySchemeQuerySet:
        """Each scheme with `category_count` and `mapped_count` (categories with a type)."""
        return self.annotate(
            category_count=models.Count("categories", distinct=True),
            mapped_count=models.Count(
                "categories",
                filter=models.Q(categories__service_types__isnull=False),
                distinct=True,
            ),
        )

    def named(self, name: str) -> LegacySchemeQuerySet:
        """The scheme called `name`, whatever its case (imports match taxonomy names so)."""
        return self.filter(name__iexact=name.strip())


class LegacyScheme(TimestampedModel):
    """The classification of an old directory, as its categories were uploaded."""

    name = models.CharField(
        max_length=255,
        help_text="The name the old directory's taxonomy has in its ORUK files",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LegacySchemeQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="legacy_scheme_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflow:classification-detail", args=[self.pk])

    @property
    def unmapped_count(self) -> int:
        """Needs `with_counts()`."""
        return self.category_count - self.mapped_count


class LegacyCategoryQuerySet(models.QuerySet["LegacyCategory"]):
    def mapped(self) -> LegacyCategoryQuerySet:
        through = LegacyCategory.service_types.through.objects.filter(
            legacycategory=models.OuterRef("pk")
        )
        return self.filter(models.Exists(through))

    def unmapped(self) -> LegacyCategoryQuerySet:
        through = LegacyCategory.service_types.through.objects.filter(
            legacycategory=models.OuterRef("pk")
        )
        return self.exclude(models.Exists(through))

    def in_file_order(self) -> LegacyCategoryQuerySet:
        return self.order_by("position", "pk")


class LegacyCategory(TimestampedModel):
    """One category of a legacy scheme (a row of the uploaded CSV) and the LGA service types it
    maps to; none yet means unmapped."""

    scheme = models.ForeignKey(LegacyScheme, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(max_length=255)
    label = models.CharField(max_length=255)
    parent_label = models.CharField(max_length=255, blank=True)
    # The row's place in the first file that brought it, so the mapping page follows the file.
    position = models.PositiveIntegerField(default=0)
    service_types = models.ManyToManyField(
        TaxonomyTerm, blank=True, related_name="legacy_categories"
    )
    mapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    mapped_at = models.DateTimeField(null=True, blank=True)

    objects = LegacyCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "position", "pk"]
        verbose_name_plural = "legacy categories"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="legacy_category_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("workflow:classification-category", args=[self.scheme_id, self.pk])

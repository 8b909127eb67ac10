"""What the finder keeps: anonymous search records (for search insight) and training personas."""

from __future__ import annotations

from django.db import models

from directory.models import TaxonomyTerm
from directory.taxonomies.identity import LGA_CIRCUMSTANCES, LGA_NEEDS


class SearchKind(models.TextChoices):
    KEYWORD = "keyword", "Keyword search"
    NEEDS = "needs", "Needs-based finding"
    BROWSE = "browse", "Browsing a category"


class SearchRecord(models.Model):
    """One search, without personal data: the words, the filters, the postcode district (never
    the full postcode) and how many services it found. Read by the search insight page."""

    searched_at = models.DateTimeField(auto_now_add=True, db_index=True)
    month = models.DateField(help_text="The first day of the month of the search")
    kind = models.CharField(max_length=20, choices=SearchKind.choices, default=SearchKind.KEYWORD)
    text = models.CharField(max_length=200, blank=True, help_text="The words, lower case")
    filters = models.JSONField(default=dict, blank=True)
    postcode_district = models.CharField(max_length=4, blank=True)
    result_count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["month", "postcode_district"], name="finder_search_area_idx"),
            models.Index(fields=["month", "result_count"], name="finder_search_zero_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.text or '(no words)'}: {self.result_count}"


class Persona(models.Model):
    """A made-up person for training frontline workers in needs-based finding ("older person
    living alone"): the needs, circumstances and age the finder's questions would be answered
    with. Kept by directory admins in the Django admin."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(help_text="Who they are, in a sentence or two")
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    needs = models.ManyToManyField(
        TaxonomyTerm,
        blank=True,
        related_name="+",
        limit_choices_to={"taxonomy__vocabulary": LGA_NEEDS},
    )
    circumstances = models.ManyToManyField(
        TaxonomyTerm,
        blank=True,
        related_name="+",
        limit_choices_to={"taxonomy__vocabulary": LGA_CIRCUMSTANCES},
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from .base import RecordModel

if TYPE_CHECKING:
    from collections.abc import Iterable


class Taxonomy(RecordModel):
    """A published vocabulary (LGA service types, OpenActive activities, ...)."""

    name = models.CharField(max_length=255)
    description = models.TextField()
    uri = models.URLField(max_length=500, blank=True)
    version = models.CharField(max_length=50, blank=True)
    # Our stable key for a vocabulary (the ORUK CURIE prefix, e.g. esdServiceTypes) for loaders.
    vocabulary = models.SlugField(max_length=100, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name_plural = "taxonomies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary"],
                condition=~models.Q(vocabulary=""),
                name="taxonomy_vocabulary_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


PATH_STEP = 32  # one UUID as 32 hex digits per tree level


class TaxonomyTermQuerySet(models.QuerySet["TaxonomyTerm"]):
    def roots(self) -> TaxonomyTermQuerySet:
        return self.filter(depth=0)

    def in_tree_order(self) -> TaxonomyTermQuerySet:
        """Depth-first order: every term follows its parent, so one query loads a whole tree."""
        return self.order_by("path")

    def descendants_of(
        self, term: TaxonomyTerm, *, include_self: bool = True
    ) -> TaxonomyTermQuerySet:
        qs = self.filter(path__startswith=term.path)
        return qs if include_self else qs.exclude(pk=term.pk)

    def with_descendants(self, terms: Iterable[TaxonomyTerm]) -> TaxonomyTermQuerySet:
        condition = models.Q(pk__in=[])
        for term in terms:
            condition |= models.Q(path__startswith=term.path)
        return self.filter(condition)


class TaxonomyTerm(RecordModel):
    """A term of a taxonomy, in a tree kept as a materialised path for cheap subtree queries."""

    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.CASCADE, null=True, blank=True, related_name="terms"
    )
    name = models.CharField(max_length=255)
    description = models.TextField()
    # ORUK allows a parent that the same feed does not hold, so the id is kept without a constraint.
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        db_constraint=False,
    )
    # ORUK's free-text `taxonomy` field, kept as published.
    taxonomy_label = models.CharField(max_length=255, blank=True)
    term_uri = models.URLField(max_length=500, blank=True)
    term = models.CharField(max_length=255, blank=True, help_text="The code of the term")
    # Plain-English label (e.g. GOV.UK's wording) shown to the public beside the official name.
    alt_label = models.CharField(max_length=255, blank=True)
    discontinued = models.BooleanField(default=False)
    # Other words people search with for this term ("food parcel" for Food banks): the finder
    # finds the term's services for a query that names one.
    synonyms = models.JSONField(
        default=list,
        blank=True,
        help_text='Other words and phrases people search with, as a JSON list: ["food parcel"]',
    )
    path = models.CharField(max_length=PATH_STEP * 12, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    objects = TaxonomyTermQuerySet.as_manager()

    class Meta(RecordModel.Meta):
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "term"],
                condition=~models.Q(term=""),
                name="taxonomy_term_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path, self.depth = self._compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            self._move_subtree(old_path)

    def _compute_path(self) -> tuple[str, int]:
        parent = (
            TaxonomyTerm.objects.filter(pk=self.parent_id).values("path", "depth").first()
            if self.parent_id
            else None
        )
        if parent is None or not parent["path"]:
            return self.id.hex, 0
        if parent["path"].startswith(self.id.hex) or self.id.hex in parent["path"]:
            # A cycle (a term under its own descendant) would loop for ever; refuse it.
            from django.core.exceptions import ValidationError

            raise ValidationError({"parent": "A term cannot sit under itself or its own child"})
        return parent["path"] + self.id.hex, parent["depth"] + 1

    def _move_subtree(self, old_path: str) -> None:
        for child in TaxonomyTerm.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            child.path = self.path + child.path[len(old_path) :]
            child.depth = len(child.path) // PATH_STEP - 1
            TaxonomyTerm.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)

    _move_subtree.alters_data = True

    @classmethod
    def rebuild_paths(cls, terms: Iterable[TaxonomyTerm] | None = None) -> int:
        """Recompute path and depth of many terms (after bulk loads); returns the rows changed."""
        rows = list(terms if terms is not None else cls.objects.only("id", "parent_id", "path"))
        by_id = {t.id: t for t in rows}
        known_parent_paths = dict(
            cls.objects.filter(
                pk__in={t.parent_id for t in rows if t.parent_id and t.parent_id not in by_id}
            ).values_list("id", "path")
        )
        resolved: dict = {}

        def path_of(term: TaxonomyTerm, seen: frozenset = frozenset()) -> str:
            if term.id in resolved:
                return resolved[term.id]
            parent_path = ""
            if term.parent_id in by_id and term.parent_id not in seen:
                parent_path = path_of(by_id[term.parent_id], seen | {term.id})
            elif term.parent_id:
                parent_path = known_parent_paths.get(term.parent_id, "")
            resolved[term.id] = parent_path + term.id.hex
            return resolved[term.id]

        changed = []
        for term in rows:
            new_path = path_of(term)
            if new_path != term.path:
                term.path, term.depth = new_path, len(new_path) // PATH_STEP - 1
                changed.append(term)
        cls.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
        return len(changed)

    rebuild_paths.alters_data = True

    def ancestors(self) -> TaxonomyTermQuerySet:
        ids = [
            self.path[i : i + PATH_STEP] for i in range(0, len(self.path) - PATH_STEP, PATH_STEP)
        ]
        return TaxonomyTerm.objects.filter(pk__in=ids).in_tree_order()


class TermMapping(RecordModel):
    """Links an LGA need or circumstance term to a service type term that answers it."""

    from_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.CASCADE, related_name="mappings_out"
    )
    service_type = models.ForeignKey(
        TaxonomyTerm, on_delete=models.CASCADE, related_name="mappings_in"
    )

    class Meta(RecordModel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["from_term", "service_type"], name="term_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_term} → {self.service_type}"

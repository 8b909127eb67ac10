"""Needs and circumstances: our own model of the LGA esdNeeds and esdCircumstances vocabularies.

LGA publishes these lists and their mappings to service types only through live APIs, so we keep
them as ordinary taxonomy terms in two taxonomies of our own and link them to LGA service types
with `TermMapping`. The proxies give the admin and the importer a model per vocabulary.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models

from directory.taxonomies.identity import (
    LGA_CIRCUMSTANCES,
    LGA_NEEDS,
    taxonomy_uuid,
    term_uuid,
)

from .taxonomy import Taxonomy, TaxonomyTerm, TaxonomyTermQuerySet


class VocabularyTermManager(models.Manager.from_queryset(TaxonomyTermQuerySet)):
    """Only the terms of the model's vocabulary, so a proxy never shows another taxonomy's terms."""

    def get_queryset(self) -> TaxonomyTermQuerySet:
        return super().get_queryset().filter(taxonomy__vocabulary=self.model.vocabulary)


class VocabularyTermMixin:
    """Behaviour shared by the proxies of a taxonomy we own (needs, circumstances)."""

    vocabulary: ClassVar[str]
    taxonomy_name: ClassVar[str]
    taxonomy_description: ClassVar[str]

    @classmethod
    def vocabulary_taxonomy(cls) -> Taxonomy:
        """The taxonomy holding this vocabulary, created with its stable id on first use."""
        taxonomy = Taxonomy.objects.filter(vocabulary=cls.vocabulary).first()
        if taxonomy is None:
            taxonomy, _ = Taxonomy.objects.get_or_create(
                pk=taxonomy_uuid(cls.vocabulary),
                defaults={
                    "vocabulary": cls.vocabulary,
                    "name": cls.taxonomy_name,
                    "description": cls.taxonomy_description,
                },
            )
        return taxonomy

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.parent_id and not type(self).objects.filter(pk=self.parent_id).exists():
            errors["parent"] = (
                f"Choose a parent from the same list ({self._meta.verbose_name_plural})"
            )
        # The code's uniqueness is a constraint on (taxonomy, term), but forms leave `taxonomy`
        # out and so skip that constraint: check it here to give a form error, not a crash.
        if self.term and type(self).objects.filter(term=self.term).exclude(pk=self.pk).exists():
            errors["term"] = f"Another {self._meta.verbose_name} already has this code"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        self.taxonomy = self.vocabulary_taxonomy()
        self.taxonomy_label = self.vocabulary
        if not self.description:
            self.description = self.name  # ORUK requires a description
        if self._state.adding and self.term:
            # The same id the CSV importer gives this code, so the two never make duplicates.
            self.id = term_uuid(self.vocabulary, self.term)
        super().save(*args, **kwargs)


class Need(VocabularyTermMixin, TaxonomyTerm):
    """Something a person needs help with (loneliness, debt, ...), mapped to LGA service types."""

    vocabulary = LGA_NEEDS
    taxonomy_name = "Needs"
    taxonomy_description = (
        "What people need help with. Our own list modelled on the LGA needs list (esdNeeds), "
        "which the LGA publishes only through live APIs; each need maps to LGA service types."
    )

    objects = VocabularyTermManager()

    class Meta:
        proxy = True
        verbose_name = "need"


class Circumstance(VocabularyTermMixin, TaxonomyTerm):
    """A person's circumstance (carer, older person, ...), mapped to LGA service types."""

    vocabulary = LGA_CIRCUMSTANCES
    taxonomy_name = "Circumstances"
    taxonomy_description = (
        "People's circumstances. Our own list modelled on the LGA circumstances list "
        "(esdCircumstances), which the LGA publishes only through live APIs; each circumstance "
        "maps to LGA service types."
    )

    objects = VocabularyTermManager()

    class Meta:
        proxy = True
        verbose_name = "circumstance"

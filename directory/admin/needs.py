"""Admin for needs and circumstances, and their mappings to LGA service types."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from directory.models import Circumstance, Need, TaxonomyTerm, TermMapping
from directory.taxonomies.identity import LGA_SERVICE_TYPES


def service_types() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(taxonomy__vocabulary=LGA_SERVICE_TYPES)


def restrict_mapping_autocomplete(request: HttpRequest, queryset: QuerySet) -> QuerySet:
    """Narrow admin autocomplete suggestions for `TermMapping.service_type` to LGA service types.

    Django asks the admin of the *target* model (`TaxonomyTermAdmin`) for suggestions, so that
    admin's `get_search_results` has to call this (see `MappingAutocompleteMixin`); the inline
    below still refuses anything else on save.
    """
    if (
        request.GET.get("app_label") == TermMapping._meta.app_label
        and request.GET.get("model_name") == TermMapping._meta.model_name
        and request.GET.get("field_name") == "service_type"
    ):
        return queryset.filter(taxonomy__vocabulary=LGA_SERVICE_TYPES)
    return queryset


class MappingAutocompleteMixin:
    """For the `TaxonomyTerm` admin: restricts the service type autocomplete of mapping inlines."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        queryset = restrict_mapping_autocomplete(request, queryset)
        return super().get_search_results(request, queryset, search_term)


class ServiceTypeMappingInline(admin.TabularInline):
    model = TermMapping
    fk_name = "from_term"
    fields = ["service_type"]
    autocomplete_fields = ["service_type"]
    extra = 1
    verbose_name = "LGA service type"
    verbose_name_plural = "LGA service types that answer this"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("service_type")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "service_type":
            kwargs["queryset"] = service_types()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VocabularyTermAdmin(admin.ModelAdmin):
    """Shared admin for the proxies of a taxonomy we own (`Need`, `Circumstance`)."""

    list_display = ["name", "code", "service_type_count", "discontinued"]
    list_filter = ["discontinued"]
    search_fields = ["name", "term", "alt_label", "description"]
    fields = ["name", "term", "description", "parent", "alt_label", "discontinued"]
    inlines = [ServiceTypeMappingInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(service_type_total=Count("mappings_out", distinct=True))
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        # A code is what the CSV import and the stable id are keyed on, so it is required here.
        form.base_fields["term"].required = True
        form.base_fields["term"].label = "Code"
        return form

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "parent":
            kwargs["queryset"] = self.model.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Code", ordering="term")
    def code(self, obj: TaxonomyTerm) -> str:
        return obj.term

    @admin.display(description="Service types", ordering="service_type_total")
    def service_type_count(self, obj: TaxonomyTerm) -> int:
        return obj.service_type_total


@admin.register(Need)
class NeedAdmin(VocabularyTermAdmin):
    pass


@admin.register(Circumstance)
class CircumstanceAdmin(VocabularyTermAdmin):
    pass

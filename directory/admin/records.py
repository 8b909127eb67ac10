"""The directory's records in the Django admin: to look at, for support, never to change.

Records change through the staff pages (`/staff/services/<id>/`), where every change is a change
request that the policy allows, an assurer decides, and the audit log and version history keep.
An edit here would skip all three, so every record model is read-only in the admin: lists and
views stay. Taxonomies and their terms are reference data, not records, and stay editable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from directory import models

from .needs import MappingAutocompleteMixin

STAFF_SERVICES_PATH = "/staff/services/"


def staff_page(obj: Model | None) -> str:
    """The staff page where `obj` (or the service or organisation it belongs to) is changed."""
    try:
        if isinstance(obj, models.Service):
            return reverse("workflow:service-detail", args=[obj.pk])
        if isinstance(obj, models.Organization):
            return reverse("workflow:organization-detail", args=[obj.pk])
        if getattr(obj, "service_id", None):
            return reverse("workflow:service-detail", args=[obj.service_id])
        if getattr(obj, "organization_id", None):
            return reverse("workflow:organization-detail", args=[obj.organization_id])
    except NoReverseMatch:  # the staff pages are not installed (directory used on its own)
        pass
    return STAFF_SERVICES_PATH


class ReadOnlyRecordMixin:
    """No adding, changing or deleting (a permission refused to superusers too); each page says
    where the record is changed instead."""

    change_form_template = "admin/directory/record_change_form.html"
    change_list_template = "admin/directory/record_change_list.html"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {"staff_url": STAFF_SERVICES_PATH, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        extra_context = {"staff_url": staff_page(obj), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)


class ReadOnlyRecordAdmin(ReadOnlyRecordMixin, admin.ModelAdmin):
    pass


class ReadOnlyInlineMixin:
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordInline(ReadOnlyInlineMixin, admin.TabularInline):
    pass


class OrganizationIdentifierInline(RecordInline):
    model = models.OrganizationIdentifier


class PhoneInline(RecordInline):
    model = models.Phone
    fields = ["number", "extension", "type", "description"]


class UrlInline(RecordInline):
    model = models.Url
    fields = ["label", "url"]


@admin.register(models.Organization)
class OrganizationAdmin(ReadOnlyRecordAdmin):
    list_display = ["name", "email", "website", "service_count"]
    search_fields = ["name", "description", "organization_identifiers__identifier"]
    raw_id_fields = ["parent_organization"]
    inlines = [OrganizationIdentifierInline, PhoneInline, UrlInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(service_total=Count("services"))

    @admin.display(description="Services", ordering="service_total")
    def service_count(self, obj: models.Organization) -> int:
        return obj.service_total


class ServiceAreaInline(RecordInline):
    model = models.ServiceArea
    fields = ["name", "local_authority_code", "extent_type", "uri"]


class ServiceAtLocationInline(RecordInline):
    model = models.ServiceAtLocation
    raw_id_fields = ["location"]
    fields = ["location", "description"]


class ScheduleInline(ReadOnlyInlineMixin, admin.StackedInline):
    model = models.Schedule
    fk_name = "service"
    exclude = ["service_at_location", "location"]


class CostOptionInline(RecordInline):
    model = models.CostOption


class ContactInline(RecordInline):
    model = models.Contact
    fk_name = "service"
    fields = ["name", "title", "department", "email"]


class LanguageInline(RecordInline):
    model = models.Language
    fk_name = "service"
    fields = ["name", "code", "note"]


class FundingInline(RecordInline):
    model = models.Funding
    fk_name = "service"
    fields = ["source"]


@admin.register(models.Service)
class ServiceAdmin(ReadOnlyRecordAdmin):
    list_display = ["name", "organization", "status", "assured_date", "last_modified"]
    list_filter = ["status", "assured_date"]
    list_select_related = ["organization"]
    search_fields = ["name", "description", "organization__name"]
    raw_id_fields = ["organization"]
    readonly_fields = ["last_modified", "created_at", "updated_at"]
    date_hierarchy = "last_modified"
    inlines = [
        ServiceAtLocationInline,
        ScheduleInline,
        ServiceAreaInline,
        CostOptionInline,
        ContactInline,
        PhoneInline,
        LanguageInline,
        FundingInline,
        UrlInline,
    ]


class AddressInline(RecordInline):
    model = models.Address


class AccessibilityInline(RecordInline):
    model = models.Accessibility


@admin.register(models.Location)
class LocationAdmin(ReadOnlyRecordAdmin):
    list_display = ["__str__", "location_type", "latitude", "longitude", "local_authority_code"]
    list_filter = ["location_type"]
    search_fields = ["name", "addresses__postal_code", "addresses__address_1"]
    inlines = [AddressInline, AccessibilityInline, PhoneInline]


@admin.register(models.ServiceAtLocation)
class ServiceAtLocationAdmin(ReadOnlyRecordAdmin):
    list_display = ["service", "location"]
    list_select_related = ["service", "location"]
    raw_id_fields = ["service", "location"]
    search_fields = ["service__name", "location__name"]


class TaxonomyTermInline(admin.TabularInline):
    """Reference data, not a record: editable here."""

    model = models.TaxonomyTerm
    extra = 0
    fields = ["name", "term", "parent", "discontinued"]
    raw_id_fields = ["parent"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Thousands of LGA terms: the inline shows top-level terms only.
        return super().get_queryset(request).filter(depth=0)


@admin.register(models.Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "vocabulary", "version", "term_count"]
    search_fields = ["name", "vocabulary"]
    inlines = [TaxonomyTermInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(term_total=Count("terms"))

    @admin.display(description="Terms", ordering="term_total")
    def term_count(self, obj: models.Taxonomy) -> int:
        return obj.term_total


@admin.register(models.TaxonomyTerm)
class TaxonomyTermAdmin(MappingAutocompleteMixin, admin.ModelAdmin):
    list_display = ["indented_name", "term", "taxonomy", "discontinued"]
    list_filter = ["taxonomy", "discontinued", "depth"]
    list_select_related = ["taxonomy"]
    search_fields = ["name", "term", "alt_label"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]

    @admin.display(description="Name", ordering="path")
    def indented_name(self, obj: models.TaxonomyTerm) -> str:
        return "\u2003" * obj.depth + obj.name


@admin.register(models.Attribute)
class AttributeAdmin(ReadOnlyRecordAdmin):
    list_display = ["link_entity", "link_id", "taxonomy_term", "link_type", "value"]
    list_filter = ["link_entity"]
    list_select_related = ["taxonomy_term"]
    raw_id_fields = ["taxonomy_term"]
    search_fields = ["link_id", "taxonomy_term__name"]


@admin.register(models.Metadata)
class MetadataAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "last_action_date",
        "last_action_type",
        "resource_type",
        "resource_id",
        "field_name",
        "updated_by",
    ]
    list_filter = ["last_action_type", "resource_type"]
    search_fields = ["resource_id", "field_name", "updated_by"]
    date_hierarchy = "last_action_date"


for model in (
    models.Address,
    models.Accessibility,
    models.Schedule,
    models.ServiceArea,
    models.CostOption,
    models.Funding,
    models.Contact,
    models.Phone,
    models.Language,
    models.Url,
    models.OrganizationIdentifier,
):
    admin.site.register(model, ReadOnlyRecordAdmin)

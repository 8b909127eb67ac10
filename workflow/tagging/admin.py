"""Legacy classifications in the Django admin, for support: read here, changed on the staff pages
(/staff/classifications/), where uploads and mappings go through `legacy.py` and are audited.
Deleting a scheme that is no longer imported is allowed here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import LegacyCategory, LegacyScheme


class _ReadMostlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LegacyCategoryInline(admin.TabularInline):
    model = LegacyCategory
    fields = ["code", "label", "parent_label", "mapped_by", "mapped_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LegacyScheme)
class LegacySchemeAdmin(_ReadMostlyAdmin):
    list_display = ["name", "uploaded_by", "created_at", "updated_at"]
    search_fields = ["name"]
    inlines = [LegacyCategoryInline]


@admin.register(LegacyCategory)
class LegacyCategoryAdmin(_ReadMostlyAdmin):
    list_display = ["label", "code", "scheme", "mapped_by", "mapped_at"]
    list_filter = ["scheme"]
    list_select_related = ["scheme", "mapped_by"]
    search_fields = ["code", "label", "parent_label"]
    filter_horizontal = ["service_types"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Django admin for the finder: the training personas of needs-based finding, kept by directory
admins (the policy's site-wide role), not by any member with admin access."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.policy import is_directory_admin

from .models import Persona


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ["name", "age", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["needs", "circumstances"]
    fields = ["name", "slug", "description", "age", "needs", "circumstances", "order", "is_active"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_directory_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_directory_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_directory_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_directory_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_directory_admin(request.user)

"""The Django admin for accounts: people are edited here (the break-glass screen); partners,
rules, allocations and the audit log are read-only, because their changes must go through the
services (policy check, audit entry, permission recompute) that the staff pages call."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts import models as m


@admin.register(m.User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_directory_admin", "is_active"]
    list_filter = ["is_directory_admin", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "is_directory_admin"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Access",
            {
                "fields": ("is_active", "is_directory_admin", "is_staff", "is_superuser"),
                "description": "Partner roles and the directory admin role are given on the "
                "staff pages, which record them in the audit log.",
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(m.Partner)
class PartnerAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "can_self_assure", "is_active"]
    list_filter = ["kind", "can_self_assure", "is_active"]
    search_fields = ["name"]


@admin.register(m.Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "partner", "role"]
    list_filter = ["role", "partner"]
    search_fields = ["user__email", "partner__name"]


@admin.register(m.AllocationRule)
class AllocationRuleAdmin(ReadOnlyAdmin):
    list_display = ["position", "partner", "kind", "describe", "is_active"]
    list_filter = ["kind", "is_active", "partner"]


@admin.register(m.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_email", "action", "target_label", "partner", "ip"]
    list_filter = ["action", "partner"]
    search_fields = ["actor_email", "target_label"]
    date_hierarchy = "at"

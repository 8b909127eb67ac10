"""Change requests and versions in the Django admin: listed and viewed, for support, never
changed. Every move of a change request goes through `workflow.services` and the staff pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ChangeRequest, ReviewInterval, ReviewReminder, ServiceVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "source", "state", "proposer", "submitted_at", "decided_at"]
    list_filter = ["state", "source", "subject"]
    list_select_related = ["service", "organization", "proposer"]
    search_fields = ["service__name", "organization__name", "proposer__email", "proposer_email"]
    raw_id_fields = ["service", "organization", "proposer", "decided_by"]
    date_hierarchy = "created_at"


@admin.register(ServiceVersion)
class ServiceVersionAdmin(ReadOnlyAdmin):
    list_display = ["service", "number", "source", "actor_email", "created_at"]
    list_filter = ["source"]
    list_select_related = ["service"]
    search_fields = ["service__name", "actor_email"]
    raw_id_fields = ["service", "change_request", "actor"]
    date_hierarchy = "created_at"


@admin.register(ReviewInterval)
class ReviewIntervalAdmin(ReadOnlyAdmin):
    """Review policy overrides, listed; directory admins change them on the staff page
    /staff/reviews/policy/ (policy check, audit entry, due dates recomputed)."""

    list_display = ["__str__", "partner", "service_type", "days"]
    list_select_related = ["partner", "service_type"]
    raw_id_fields = ["service_type"]
    search_fields = ["partner__name", "service_type__name"]


@admin.register(ReviewReminder)
class ReviewReminderAdmin(ReadOnlyAdmin):
    list_display = ["service", "threshold", "due_date", "recipient", "created_at", "used_at"]
    list_filter = ["threshold"]
    list_select_related = ["service", "recipient"]
    raw_id_fields = ["service", "recipient"]
    date_hierarchy = "created_at"

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts.exceptions import NotAllowed
from workflow import services as workflow

from .feedcheck import ClientTransport, check_feed
from .models import Feed, HiddenService, PublishedService


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_default", "max_assurance_age_days", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["taxonomy_terms"]
    actions = ["check_against_oruk"]

    @admin.action(description="Check the selected feeds against ORUK 3.0")
    def check_against_oruk(self, request: HttpRequest, queryset: QuerySet[Feed]) -> HttpResponse:
        reports = [
            (
                feed,
                check_feed(
                    ClientTransport(
                        "/api/v3/" if feed.is_default else f"/api/v3/feeds/{feed.slug}/",
                        # The address this admin page was asked on, which the portal answers to.
                        origin=request.build_absolute_uri("/"),
                    )
                ),
            )
            for feed in queryset
        ]
        return TemplateResponse(
            request,
            "admin/publish/feed_check.html",
            {**self.admin_site.each_context(request), "title": "Feed check", "reports": reports},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HiddenService)
class HiddenServiceAdmin(ReadOnlyAdmin):
    """Which services are hidden, by whom and why. Read-only: hiding and showing go through
    `workflow.services` (the policy and the audit log); services are hidden from their staff
    page, and shown again from there or with this list's action."""

    list_display = ["service", "reason", "hidden_by", "created_at"]
    list_select_related = ["service", "hidden_by"]
    raw_id_fields = ["service"]
    actions = ["show_again"]

    @admin.action(description="Show the selected services in the feeds again")
    def show_again(self, request: HttpRequest, queryset: QuerySet[HiddenService]) -> None:
        shown, refused = 0, []
        for hidden in queryset.select_related("service"):
            try:
                workflow.service_show(actor=request.user, service=hidden.service)
            except (NotAllowed, ValidationError):
                refused.append(hidden.service.name)
            else:
                shown += 1
        if shown:
            self.message_user(request, f"{shown} service(s) shown again", messages.SUCCESS)
        if refused:
            self.message_user(request, "You may not show: " + ", ".join(refused), messages.ERROR)


@admin.register(PublishedService)
class PublishedServiceAdmin(ReadOnlyAdmin):
    """What the feed serves, as published (read-only: publishing is a step, not an edit)."""

    list_display = ["name", "status", "assured_date", "last_modified", "published_at"]
    search_fields = ["name"]
    date_hierarchy = "published_at"
    fields = ["name", "status", "assured_date", "last_modified", "published_at", "document"]
    readonly_fields = fields
    actions = ["hide_from_feeds"]

    @admin.action(description="Hide the selected services from every feed")
    def hide_from_feeds(
        self, request: HttpRequest, queryset: QuerySet[PublishedService]
    ) -> HttpResponse | None:
        """Asks why first (the reason is kept and audited), then hides each service through
        `workflow.services.service_hide`, which asks the policy."""
        reason = request.POST.get("reason", "").strip()
        if "apply" not in request.POST or not reason:
            return TemplateResponse(
                request,
                "admin/publish/hide_services.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Hide services from every feed",
                    "snapshots": queryset,
                    "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                    "error": "Enter why the services are hidden" if "apply" in request.POST else "",
                },
            )
        hidden, refused = 0, []
        for snapshot in queryset.select_related("service"):
            try:
                workflow.service_hide(actor=request.user, service=snapshot.service, reason=reason)
            except (NotAllowed, ValidationError):
                refused.append(snapshot.name)
            else:
                hidden += 1
        if hidden:
            self.message_user(request, f"{hidden} service(s) hidden", messages.SUCCESS)
        if refused:
            self.message_user(request, "You may not hide: " + ", ".join(refused), messages.ERROR)
        return None

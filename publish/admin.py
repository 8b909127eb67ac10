from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .feedcheck import ClientTransport, check_feed
from .models import Feed, HiddenService, PublishedService
from .services import service_hide, service_show


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


@admin.register(HiddenService)
class HiddenServiceAdmin(admin.ModelAdmin):
    """Hiding here takes the service out of every feed at once; deleting the row shows it again."""

    list_display = ["service", "reason", "hidden_by", "created_at"]
    raw_id_fields = ["service"]
    readonly_fields = ["hidden_by"]

    def save_model(self, request, obj, form, change) -> None:
        service_hide(service=obj.service, actor=request.user, reason=obj.reason)

    def delete_model(self, request, obj) -> None:
        service_show(service=obj.service, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for hidden in queryset.select_related("service"):
            service_show(service=hidden.service, actor=request.user)


@admin.register(PublishedService)
class PublishedServiceAdmin(admin.ModelAdmin):
    """What the feed serves, as published (read-only: publishing is a step, not an edit)."""

    list_display = ["name", "status", "assured_date", "last_modified", "published_at"]
    search_fields = ["name"]
    date_hierarchy = "published_at"
    fields = ["name", "status", "assured_date", "last_modified", "published_at", "document"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

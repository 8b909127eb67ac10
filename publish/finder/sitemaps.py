"""sitemap.xml: the finder's pages that search engines should know, through Django's sitemap
framework (an index at /sitemap.xml, each section paged by `limit` so that 100,000 services make
a handful of small files).

Only what the finder shows the public is listed: the services of the default feed (the published
snapshots, never the live records) and the organisations that run them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db import models
from django.urls import reverse

from publish.models import Feed, PublishedOrganization, PublishedService

# URLs per sitemap file. The protocol allows 50,000; smaller files render quickly and cheaply.
PAGE_SIZE = 10_000


def finder_services() -> models.QuerySet[PublishedService]:
    """The published services the finder shows: those of the default feed (none without one)."""
    feed = Feed.objects.filter(is_default=True, is_active=True).first()
    if feed is None:
        return PublishedService.objects.none()
    return PublishedService.objects.for_feed(feed)


class PagesSitemap(Sitemap):
    """The finder's fixed pages: home and the ways in to browsing."""

    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["finder:home", "finder:browse", "finder:browse-needs"]

    def location(self, item: str) -> str:
        return reverse(item)


class ServiceSitemap(Sitemap):
    """Every published service's page, with when its snapshot last changed."""

    changefreq = "weekly"
    priority = 0.8
    limit = PAGE_SIZE

    def items(self) -> models.QuerySet:
        # Two columns only: the documents are large and the sitemap needs none of them.
        return finder_services().order_by("service_id").values_list("service_id", "last_modified")

    def location(self, item: tuple) -> str:
        return reverse("finder:service", args=[item[0]])

    def lastmod(self, item: tuple) -> datetime:
        return item[1]

    def get_latest_lastmod(self) -> datetime | None:
        # One aggregate, rather than the framework's walk over every item.
        return finder_services().aggregate(latest=models.Max("last_modified"))["latest"]


class OrganisationSitemap(Sitemap):
    """The page of every organisation that runs a service the finder shows."""

    changefreq = "weekly"
    priority = 0.5
    limit = PAGE_SIZE

    def _organisations(self) -> models.QuerySet[PublishedOrganization]:
        return PublishedOrganization.objects.filter(
            organization_id__in=finder_services()
            .filter(organization_id__isnull=False)
            .values("organization_id")
        )

    def items(self) -> models.QuerySet:
        return (
            self._organisations()
            .order_by("organization_id")
            .values_list("organization_id", "published_at")
        )

    def location(self, item: tuple) -> str:
        return reverse("finder:organisation", args=[item[0]])

    def lastmod(self, item: tuple) -> datetime:
        return item[1]

    def get_latest_lastmod(self) -> datetime | None:
        return self._organisations().aggregate(latest=models.Max("published_at"))["latest"]


SITEMAPS: dict[str, Any] = {
    "pages": PagesSitemap,
    "services": ServiceSitemap,
    "organisations": OrganisationSitemap,
}

"""Finder URLs: search insight (a staff page), sitemap.xml and robots.txt."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from publish.finder.sitemaps import SITEMAPS
from publish.finder.views import insight as views

urlpatterns = [
    path("staff/search-insight/", views.SearchInsightView.as_view(), name="search-insight"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "finder:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]

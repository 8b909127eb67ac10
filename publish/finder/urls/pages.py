"""Finder URLs: pages (home, results, service and organisation pages, browsing)."""

from django.urls import path

from publish.finder.views import pages as views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("services/<uuid:pk>/", views.ServiceView.as_view(), name="service"),
    path("organisations/<uuid:pk>/", views.OrganisationView.as_view(), name="organisation"),
    path("browse/", views.BrowseView.as_view(), name="browse"),
    path("browse/needs/", views.BrowseNeedsView.as_view(), name="browse-needs"),
    path("browse/<uuid:pk>/", views.BrowseCategoryView.as_view(), name="browse-category"),
]

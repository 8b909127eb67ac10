from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from . import docs, views

app_name = "publish-api"

endpoints = [
    path("", views.ApiDetailsView.as_view(), name="api-details"),
    path("services", views.ServiceListView.as_view(), name="service-list"),
    path("services/<str:pk>", views.ServiceDetailView.as_view(), name="service-detail"),
    path(
        "service_at_locations",
        views.ServiceAtLocationListView.as_view(),
        name="service-at-location-list",
    ),
    path(
        "service_at_locations/<str:pk>",
        views.ServiceAtLocationDetailView.as_view(),
        name="service-at-location-detail",
    ),
    path("organizations", views.OrganizationListView.as_view(), name="organization-list"),
    path(
        "organizations/<str:pk>",
        views.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path("taxonomies", views.TaxonomyListView.as_view(), name="taxonomy-list"),
    path("taxonomies/<str:pk>", views.TaxonomyDetailView.as_view(), name="taxonomy-detail"),
    path("taxonomy_terms", views.TaxonomyTermListView.as_view(), name="taxonomy-term-list"),
    path(
        "taxonomy_terms/<str:pk>",
        views.TaxonomyTermDetailView.as_view(),
        name="taxonomy-term-detail",
    ),
]

# The document describes the default feed's endpoints; every feed has the same ones.
OPENAPI_URLCONF = [path("api/v3/", include((endpoints, app_name)))]

urlpatterns = [
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(urlconf=OPENAPI_URLCONF),
        name="openapi",
    ),
    path("docs/", docs.ApiDocsView.as_view(), name="docs"),
    path("feeds/<slug:feed>/", include((endpoints, "feed"))),
    *endpoints,
    re_path(r"^(?P<rest>.*)$", views.not_found),
]

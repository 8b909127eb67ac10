"""`/api/v1/`: every endpoint with or without its trailing slash, and with the doubled slash a base
URL ending in `/` produces (`BASE + "/services/?"` in ServiceFinder's `src/settings/settings.js`).
The LGA Service Finder is given the services URL itself and asks for `{url}?...` and `{url}/{id}`
(`src/shared/api/search.ts`, `src/shared/components/Results/ServiceInfo.tsx`)."""

from django.urls import include, path, re_path

from . import views

app_name = "publish-api-v1"

endpoints = [
    re_path(r"^(?:/*)$", views.ApiRootView.as_view(), name="root"),
    re_path(r"^(?:/*)services/?$", views.ServiceListView.as_view(), name="service-list"),
    re_path(
        r"^(?:/*)services/(?P<pk>[^/]+)/?$",
        views.ServiceDetailView.as_view(),
        name="service-detail",
    ),
    re_path(r"^(?:/*)taxonomies/?$", views.TaxonomyListView.as_view(), name="taxonomy-list"),
    re_path(
        r"^(?:/*)taxonomies/(?P<pk>[^/]+)/?$",
        views.TaxonomyDetailView.as_view(),
        name="taxonomy-detail",
    ),
]

urlpatterns = [
    path("feeds/<slug:feed>/", include((endpoints, "feed"))),
    *endpoints,
    re_path(r"^(?P<rest>.*)$", views.not_found),
]

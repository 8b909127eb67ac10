"""Staff home, the directory's services and organisations, history and versions."""

from django.urls import path

from workflow.views import records as views

urlpatterns = [
    path("staff/", views.HomeView.as_view(), name="home"),
    path("staff/services/", views.ServiceListView.as_view(), name="service-list"),
    path("staff/services/<uuid:pk>/", views.ServiceDetailView.as_view(), name="service-detail"),
    path(
        "staff/services/<uuid:pk>/history/",
        views.ServiceHistoryView.as_view(),
        name="service-history",
    ),
    path(
        "staff/services/<uuid:pk>/versions/<int:number>/",
        views.VersionDetailView.as_view(),
        name="version-detail",
    ),
    path(
        "staff/services/<uuid:pk>/versions/<int:number>/restore/",
        views.VersionRestoreView.as_view(),
        name="version-restore",
    ),
    path(
        "staff/services/<uuid:pk>/reassure/",
        views.ServiceReassureView.as_view(),
        name="service-reassure",
    ),
    path("staff/services/<uuid:pk>/hide/", views.ServiceHideView.as_view(), name="service-hide"),
    path("staff/services/<uuid:pk>/show/", views.ServiceShowView.as_view(), name="service-show"),
    path(
        "staff/locations/<uuid:pk>/confidential/",
        views.LocationConfidentialView.as_view(),
        name="location-confidential",
    ),
    path("staff/organisations/", views.OrganizationListView.as_view(), name="organization-list"),
    path(
        "staff/organisations/<uuid:pk>/",
        views.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
]

"""Legacy classification pages for directory admins, under /staff/classifications/."""

from django.urls import path

from . import legacy_views as views

urlpatterns = [
    path(
        "staff/classifications/",
        views.LegacySchemeListView.as_view(),
        name="classification-list",
    ),
    path(
        "staff/classifications/upload/",
        views.LegacyUploadView.as_view(),
        name="classification-upload",
    ),
    path(
        "staff/classifications/<int:pk>/",
        views.LegacySchemeDetailView.as_view(),
        name="classification-detail",
    ),
    path(
        "staff/classifications/<int:pk>/categories/<int:category>/",
        views.LegacyCategoryMapView.as_view(),
        name="classification-category",
    ),
]

"""The data quality dashboard, under /staff/quality/."""

from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("staff/quality/", views.QualityDashboardView.as_view(), name="dashboard"),
    path(
        "staff/quality/<slug:problem>/",
        views.QualityProblemListView.as_view(),
        name="problem-list",
    ),
]

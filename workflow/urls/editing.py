"""Proposing changes: start a proposal, edit it section by section, check and submit it."""

from django.urls import path

from workflow.views import editing as views

urlpatterns = [
    path("staff/services/<uuid:pk>/propose/", views.ProposeChangeView.as_view(), name="propose"),
    path(
        "staff/organisations/<uuid:pk>/propose-service/",
        views.ProposeServiceView.as_view(),
        name="propose-service",
    ),
    path(
        "staff/organisations/<uuid:pk>/propose/",
        views.ProposeOrganizationView.as_view(),
        name="propose-organization",
    ),
    path("staff/changes/", views.ChangeListView.as_view(), name="change-list"),
    path("staff/changes/<int:pk>/", views.ChangeRequestView.as_view(), name="change-request"),
    path(
        "staff/changes/<int:pk>/withdraw/",
        views.ChangeWithdrawView.as_view(),
        name="change-withdraw",
    ),
    path("staff/changes/<int:pk>/edit/", views.TaskListView.as_view(), name="edit"),
    path(
        "staff/changes/<int:pk>/edit/<slug:section>/",
        views.SectionView.as_view(),
        name="edit-section",
    ),
    path("staff/changes/<int:pk>/check/", views.CheckAnswersView.as_view(), name="check"),
]

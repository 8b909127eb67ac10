"""Periodic review: an assurer's overdue list and the reminder's one-click link."""

from django.urls import path

from workflow.views import reviews as views

urlpatterns = [
    path("staff/reviews/", views.OverdueReviewListView.as_view(), name="overdue-reviews"),
    path("staff/reviews/policy/", views.ReviewPolicyView.as_view(), name="review-policy"),
    path(
        "staff/reviews/policy/partners/<int:partner>/",
        views.IntervalChangeView.as_view(),
        name="review-policy-partner",
    ),
    path(
        "staff/reviews/policy/types/add/",
        views.ServiceTypeIntervalAddView.as_view(),
        name="review-policy-type-add",
    ),
    path(
        "staff/reviews/policy/types/<uuid:term>/",
        views.IntervalChangeView.as_view(),
        name="review-policy-type",
    ),
    path(
        "review/still-accurate/<str:token>/",
        views.StillAccurateView.as_view(),
        name="still-accurate",
    ),
]

"""Assurance: the queue of changes waiting for a decision, the review and conflict screens."""

from django.urls import path

from workflow.views import assurance as views

urlpatterns = [
    path("staff/assurance/", views.QueueView.as_view(), name="queue"),
    path("staff/changes/<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("staff/changes/<int:pk>/conflict/", views.ConflictView.as_view(), name="conflict"),
]

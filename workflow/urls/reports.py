"""The public "report a problem" form of a published service."""

from django.urls import path

from workflow.views import reports as views

urlpatterns = [
    path("services/<uuid:pk>/report/", views.ReportView.as_view(), name="report"),
    path("services/<uuid:pk>/report/sent/", views.ReportSentView.as_view(), name="report-sent"),
]

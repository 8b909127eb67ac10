"""PLACEHOLDER: to be written (issue 8)."""

from django.views import View


class ReportView(View):
    pass


class ReportSentView(View):
    pass

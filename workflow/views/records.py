"""PLACEHOLDER: to be written (issue 8)."""

from django.views import View


class HomeView(View):
    pass


class ServiceListView(View):
    pass


class ServiceDetailView(View):
    pass


class ServiceHistoryView(View):
    pass


class VersionDetailView(View):
    pass


class VersionRestoreView(View):
    pass


class ServiceReassureView(View):
    pass


class ServiceHideView(View):
    pass


class ServiceShowView(View):
    pass


class OrganizationListView(View):
    pass


class OrganizationDetailView(View):
    pass

"""PLACEHOLDER: to be written (issue 8)."""

from django.views import View


class ProposeChangeView(View):
    pass


class ProposeServiceView(View):
    pass


class ChangeListView(View):
    pass


class ChangeRequestView(View):
    pass


class ChangeWithdrawView(View):
    pass


class TaskListView(View):
    pass


class SectionView(View):
    pass


class CheckAnswersView(View):
    pass

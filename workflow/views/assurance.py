"""PLACEHOLDER: to be written (issue 8)."""

from django.views import View


class QueueView(View):
    pass


class ReviewView(View):
    pass


class ConflictView(View):
    pass

"""Background tasks (directory admins): what is queued, running or failed, and retrying."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accounts import presenters
from accounts.policy import Action, objects_user_can
from accounts.services import background_task_retry
from core.components import pagination
from core.models import BackgroundTask

from .mixins import StaffPageMixin


def _tasks_visible_to(user: Any):
    return objects_user_can(user, Action.MANAGE_TASKS, BackgroundTask.objects.all())


class BackgroundTaskListView(StaffPageMixin, TemplateView):
    """Queued, running and failed tasks, newest first (`?all=1` adds the finished ones)."""

    permission_action = Action.MANAGE_TASKS
    title = "Background tasks"
    template_name = "accounts/backgroundtask_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        show_all = self.request.GET.get("all") == "1"
        tasks = _tasks_visible_to(self.request.user).select_related("requested_by")
        if not show_all:
            tasks = tasks.needing_attention()
        page = Paginator(tasks.newest_first(), settings.PORTAL_STAFF_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            table=presenters.background_task_table(
                page.object_list, csrf_token=get_token(self.request)
            ),
            count=page.paginator.count,
            pagination=pagination(page, self.request),
            show_all=show_all,
            **kwargs,
        )


class BackgroundTaskRetryView(StaffPageMixin, View):
    """Queue a failed task again (POST)."""

    permission_action = Action.MANAGE_TASKS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        task = get_object_or_404(_tasks_visible_to(request.user), pk=kwargs["pk"])
        try:
            task = background_task_retry(task=task, actor=request.user)
        except ValueError:
            messages.error(
                request, f"“{task.label}” has not failed (it is {task.get_status_display()})"
            )
        else:
            messages.success(
                request,
                f"“{task.label}” has been queued again. Refresh this page to see how it goes",
            )
        return redirect(reverse("accounts:task-list"))

"""Background tasks as directory admins see them: retrying one that failed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import AuditAction
from accounts.policy import Action
from core.models import BackgroundTask
from core.services import background_task_requeue

from ._base import require
from .audit import audit_record


def background_task_retry(*, task: BackgroundTask, actor: Any) -> BackgroundTask:
    """Queue a failed background task again (same function, same arguments) and log who did.

    Only people the policy allows to manage tasks may; raises ValueError unless the task failed.
    """
    require(actor, Action.MANAGE_TASKS)
    with transaction.atomic():
        previous_error = task.error_summary
        attempts = task.attempts
        task = background_task_requeue(task=task)
        audit_record(
            action=AuditAction.TASK_RETRIED,
            actor=actor,
            target=task,
            target_label=task.label,
            detail={"function": task.func, "attempts": attempts, "error": previous_error},
        )
    return task

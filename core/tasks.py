"""The one django-q2 task the portal queues: it runs a recorded `BackgroundTask`."""

from __future__ import annotations

from typing import Any

from core.services import background_task_run


def run_background_task(task_id: int) -> Any:
    """Run the recorded task `task_id` (see `core.services.enqueue`)."""
    return background_task_run(task_id=task_id)

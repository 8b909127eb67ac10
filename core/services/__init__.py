"""Domain-free services: background work with a record (see `background`)."""

from .background import (
    Progress,
    background_task_requeue,
    background_task_run,
    enqueue,
)

__all__ = ["Progress", "background_task_requeue", "background_task_run", "enqueue"]

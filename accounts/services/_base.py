"""Helpers shared by the accounts services."""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.exceptions import NotAllowed
from accounts.policy import user_can


def require(actor: Any, action: Any, obj: Any = None) -> None:
    """Raise NotAllowed unless the policy lets `actor` do `action` to `obj`."""
    if not user_can(actor, action, obj):
        raise NotAllowed(action=action, obj=obj)


def apply_changes(
    instance: models.Model, data: dict[str, Any], allowed: tuple[str, ...]
) -> dict[str, tuple[Any, Any]]:
    """Set the `allowed` fields from `data` on `instance`; return {field: (before, after)} changed.

    Unknown keys are refused (a typo must not pass silently). Nothing is saved.
    """
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"Cannot update {', '.join(sorted(unknown))} on {type(instance).__name__}")
    changes = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        before = getattr(instance, field.attname)
        after = value.pk if isinstance(value, models.Model) else value
        if before != after:
            setattr(instance, name, value)
            changes[name] = (before, after)
    return changes

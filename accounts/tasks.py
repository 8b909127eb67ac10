"""Background work of the accounts app (django-q2). Tasks take ids and call a service."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib.auth import get_user_model

from accounts.services import allocation_recompute_all


def recompute_all_allocations(requested_by_id: int | None = None) -> dict[str, Any]:
    """Re-resolve every service's assuring partner and rewrite the derived permissions.

    Queued after a rule or a partner changes, and run nightly as a safety net for writes that
    bypass signals (bulk loads, queryset updates). `requested_by_id` names the person whose
    change queued it, for the audit log; their change was checked when they made it.
    """
    user_model = get_user_model()
    requested_by = (
        user_model.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    )
    return asdict(allocation_recompute_all(requested_by=requested_by))

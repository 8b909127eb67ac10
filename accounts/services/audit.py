"""The audit log: every accounts service writes here, and so do sign-in hooks."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.models import AuditEvent, Partner

# The client address of the request being served, set by accounts.middleware.AuditMiddleware,
# so services called from views record it without passing the request down.
current_ip: ContextVar[str | None] = ContextVar("accounts_audit_ip", default=None)


def client_ip(request: Any) -> str | None:
    """The address the request came from, as the web server saw it (REMOTE_ADDR).

    Deployments behind a proxy should make the proxy set REMOTE_ADDR (e.g. gunicorn's
    --forwarded-allow-ips); X-Forwarded-For is not trusted here because anyone can send it.
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    target_label: str = "",
    partner: Partner | None = None,
    detail: dict[str, Any] | None = None,
    request: Any = None,
    ip: str | None = None,
    actor_email: str = "",
) -> AuditEvent:
    """Write one audit entry.

    `action` is an `AuditAction` value. `actor` is the person who acted (None for the system);
    `actor_email` names someone without a user row (a failed sign-in). The client address is
    taken from `ip`, else `request`, else the current request (AuditMiddleware).
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is not None and not actor_email:
        actor_email = actor.email
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_email=actor_email[:254],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label or (str(target) if target is not None else ""))[:255],
        partner=partner,
        detail=_jsonable(detail or {}),
        ip=ip or client_ip(request) or current_ip.get(),
    )


def _jsonable(value: Any) -> Any:
    """UUIDs, dates and other non-JSON values become strings, recursively."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    try:
        return DjangoJSONEncoder().default(value)
    except TypeError:
        return str(value)

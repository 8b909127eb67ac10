"""Receivers that keep accounts in step with the directory and record sign-ins.

The directory does not know accounts exists (imports go one way), so accounts listens to its
model signals: a service created, retagged (Attribute), moved (ServiceAtLocation, Address,
Location) or given another area (ServiceArea) is recomputed once the transaction commits.
Imports switch per-record signals off (`bulk_writing`) and announce their services afterwards
(`services_imported`); many services at once go to the bulk task.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save

from accounts.models import AuditAction, normalise_email
from accounts.services import audit_record, queue_allocation_recompute
from directory import models as directory
from directory.signals import is_bulk_writing, services_imported


def _skip(raw: bool) -> bool:
    # Fixtures load raw rows; bulk writers (imports) announce their services when done instead.
    return raw or is_bulk_writing()


def _service_saved(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    if _skip(raw):
        return
    # Saves that leave the organisation alone (the common edit) cannot change permissions,
    # except for a new service, which Django saves without update_fields.
    if update_fields is not None and "organization" not in update_fields:
        return
    queue_allocation_recompute(service_ids=[instance.pk], using=kwargs.get("using"))


def _attribute_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if _skip(raw) or instance.link_entity != directory.LinkEntity.SERVICE:
        return
    queue_allocation_recompute(service_ids=[instance.link_id], using=kwargs.get("using"))


def _service_part_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if _skip(raw):
        return
    queue_allocation_recompute(service_ids=[instance.service_id], using=kwargs.get("using"))


def _location_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if _skip(raw):
        return
    location_id = instance.pk if isinstance(instance, directory.Location) else instance.location_id
    queue_allocation_recompute(location_ids=[location_id], using=kwargs.get("using"))


def _services_imported(sender, service_ids: list, **kwargs) -> None:
    queue_allocation_recompute(service_ids=service_ids)


def _signed_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditAction.SIGNED_IN, actor=user, request=request)


def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action=AuditAction.SIGNED_OUT, actor=user, request=request)


def _sign_in_failed(sender, credentials: dict[str, Any], request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the address is kept.
    email = normalise_email(credentials.get("email") or credentials.get("username") or "")
    account = get_user_model().objects.filter(email=email).first() if email else None
    # The account tried is the target, not the actor: the attempt may not be its owner's.
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        actor_email=email,
        target=account,
        request=request,
    )


def connect() -> None:
    for model, receiver in (
        (directory.Service, _service_saved),
        (directory.Attribute, _attribute_changed),
        (directory.ServiceAtLocation, _service_part_changed),
        (directory.ServiceArea, _service_part_changed),
        (directory.Address, _location_changed),
        (directory.Location, _location_changed),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"accounts-alloc-{model.__name__}")
    for model, receiver in (
        (directory.Attribute, _attribute_changed),
        (directory.ServiceAtLocation, _service_part_changed),
        (directory.ServiceArea, _service_part_changed),
        (directory.Address, _location_changed),
    ):
        post_delete.connect(
            receiver, sender=model, dispatch_uid=f"accounts-alloc-del-{model.__name__}"
        )
    services_imported.connect(_services_imported, dispatch_uid="accounts-alloc-imported")
    user_logged_in.connect(_signed_in, dispatch_uid="accounts-audit-signed-in")
    user_logged_out.connect(_signed_out, dispatch_uid="accounts-audit-signed-out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="accounts-audit-sign-in-failed")

"""Imports queued from the staff pages: the file is kept, a background task imports it."""

from __future__ import annotations

import gzip
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import AuditAction
from accounts.policy import Action
from core.services import enqueue
from directory.models import ImportUpload

from ._base import require
from .audit import audit_record

IMPORT_TASK = "directory.oruk.run.import_upload_run"


class UploadTooLarge(ValueError):
    pass


def import_upload_create(
    *,
    actor: Any,
    file: UploadedFile,
    dialect: str = "auto",
    source_name: str = "",
    skip_invalid: bool = False,
) -> ImportUpload:
    """Keep an uploaded ORUK file and queue its import (all or nothing, as `import_oruk`)."""
    require(actor, Action.IMPORT_RECORDS)
    limit = settings.PORTAL_IMPORT_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise UploadTooLarge(f"The file must be smaller than {limit // 1_000_000} MB")
    data = b"".join(file.chunks())
    with transaction.atomic():
        upload = ImportUpload.objects.create(
            file_name=(file.name or "upload.json")[:255],
            content=gzip.compress(data, compresslevel=6),
            size=len(data),
            dialect=dialect,
            source_name=source_name,
            skip_invalid=skip_invalid,
            uploaded_by=actor,
        )
        upload.task = enqueue(
            func=IMPORT_TASK,
            label=f"Import {upload.file_name}",
            kwargs={"upload_id": upload.pk},
            requested_by=actor,
        )
        upload.save(update_fields=["task", "updated_at"])
        audit_record(
            action=AuditAction.IMPORT_QUEUED,
            actor=actor,
            target=upload,
            target_label=upload.file_name,
            detail={
                "bytes": upload.size,
                "format": dialect,
                "skip_invalid": skip_invalid,
                "source_name": source_name,
            },
        )
    return upload

"""One import, whatever its source: a file or an API, ORUK 3.0 or 1.0. `manage.py import_oruk`
and the staff import page's background task both run it, so both read, check and report alike."""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from directory.models import ImportUpload

from .load import ImportFailed, ImportReport, ProgressBar, import_documents
from .sources import SourceError, harvest_api, is_url, read_file, spool_reader
from .v1 import ORUK1, ORUK3, SourceNameNeeded, detect_dialect, import_oruk1
from .v1_api import api_base, detect_api_dialect, harvest_oruk1_api

AUTO = "auto"
DIALECTS = (AUTO, ORUK3, ORUK1)


def import_source(
    source: str | Path,
    *,
    dialect: str = AUTO,
    source_name: str | None = None,
    skip_invalid: bool = False,
    per_page: int = 100,
    actor: str = "import",
    progress: ProgressBar | None = None,
    fetched: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Import every record `source` (a file path or an ORUK API base URL) holds, all or nothing.

    Raises SourceError (unreadable), SourceNameNeeded (ORUK 1.0 ids need a source name) or
    ImportFailed (with every problem; nothing written). `fetched(n)` hears of records fetched
    from an API before the import starts.
    """
    spool = None
    asked = dialect
    try:
        if isinstance(source, str) and is_url(source):
            base = api_base(source)
            if dialect == AUTO:
                dialect = detect_api_dialect(base)
            harvest = harvest_oruk1_api if dialect == ORUK1 else harvest_api
            spool = harvest(base, per_page=per_page, progress=fetched)
            documents, partial = spool_reader(spool), False
            source_name = source_name or base
        else:
            documents, partial = read_file(Path(source))
            if dialect == AUTO:
                dialect = detect_dialect(documents)
        common: dict[str, Any] = {
            "partial": partial,
            "skip_invalid": skip_invalid,
            "actor": actor,
            "progress": progress,
        }
        if dialect == ORUK1:
            return import_oruk1(documents, source_name=source_name, **common)
        try:
            return import_documents(documents, **common)
        except ImportFailed as failed:
            if asked == AUTO:
                failed.oruk1_likely = _looks_like_oruk1(failed)
            raise
    finally:
        if spool is not None:
            spool.close()


def _looks_like_oruk1(failed: ImportFailed) -> bool:
    """Records read as ORUK 3.0 whose own ids are not UUIDs may well be ORUK 1.0."""
    return any(p.path == "id" and "uuid" in p.message.lower() for p in failed.report.problems)


# Problems kept on an upload's report; the count says how many there were in all.
REPORT_PROBLEMS_KEPT = 1000


def report_of(report: ImportReport, *, ok: bool) -> dict[str, Any]:
    """An import's report as JSON an upload keeps (the first REPORT_PROBLEMS_KEPT problems)."""
    return {
        "ok": ok,
        "documents": report.documents,
        "imported": report.imported if ok else 0,
        "skipped": report.skipped,
        "summary": report.summary() if ok else "nothing was imported",
        "notes": report.notes if ok else [],
        "problem_count": len(report.problems),
        "problems": [
            {"record_id": p.record_id, "path": p.path, "message": p.message}
            for p in report.problems[:REPORT_PROBLEMS_KEPT]
        ],
    }


def import_upload_run(upload_id: int) -> dict[str, Any]:
    """The background task of the staff import page: import an upload's file and keep the
    report on the upload (a refused import is a finished task with a report, not a failure)."""
    upload = ImportUpload.objects.get(pk=upload_id)
    suffix = Path(upload.file_name).suffix.lower()[:10]
    with tempfile.NamedTemporaryFile(suffix=suffix) as file:
        file.write(gzip.decompress(bytes(upload.content)))
        file.flush()
        try:
            result = report_of(
                import_source(
                    file.name,
                    dialect=upload.dialect,
                    source_name=upload.source_name or None,
                    skip_invalid=upload.skip_invalid,
                    actor=f"import of {upload.file_name} (upload {upload.pk})",
                ),
                ok=True,
            )
        except ImportFailed as failed:
            result = report_of(failed.report, ok=False)
            if failed.oruk1_likely:
                result["hint"] = "If these are ORUK 1.0 records, import the file as ORUK 1.0."
        except (SourceError, SourceNameNeeded) as exc:
            message = str(exc).replace(file.name, upload.file_name)
            result = report_of(ImportReport(), ok=False)
            result["problems"] = [{"record_id": "", "path": "", "message": message}]
            result["problem_count"] = 1
    ImportUpload.objects.filter(pk=upload_id).update(report=result)
    return {key: result[key] for key in ("ok", "documents", "imported", "problem_count")}

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from directory.oruk import ImportFailed, import_documents
from directory.oruk.sources import SourceError, harvest_api, is_url, read_file, spool_reader
from directory.oruk.v1 import ORUK1, ORUK3, SourceNameNeeded, detect_dialect, import_oruk1
from directory.oruk.v1_api import api_base, detect_api_dialect, harvest_oruk1_api


class Command(BaseCommand):
    help = (
        "Import ORUK 3.0 services, organisations, locations or taxonomies from a file (a JSON list "
        "page, a JSON array, one document, or ndjson) or from the base URL of an ORUK 3.0 API; "
        "or ORUK 1.0 services from a file (a JSON array, a page with `content`, or ndjson) or "
        "the base URL of an ORUK 1.0 API (its /services/ pages and each /services/{id}). "
        "The dialect is recognised from the records (or, for an API, its first page); "
        "--format says it outright. "
        "All or nothing: any invalid record is reported and nothing changes (see --skip-invalid)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a file path, or an ORUK API base URL")
        parser.add_argument(
            "--format",
            choices=["auto", ORUK3, ORUK1],
            default="auto",
            help="the dialect of the source: ORUK 3.0 or ORUK 1.0 (default: recognise it)",
        )
        parser.add_argument(
            "--source-name",
            help=(
                "ORUK 1.0 only: the directory the records come from (default: the API's base "
                "URL; required for a file whose ids are not UUIDs). Ids that are not UUIDs "
                "become UUIDs derived from it, so give the same name each time the same "
                "directory is imported, from its API or from a file"
            ),
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid records and report the invalid ones",
        )
        parser.add_argument(
            "--per-page", type=int, default=100, help="page size when walking an API"
        )

    def handle(
        self,
        *args,
        source: str,
        skip_invalid: bool,
        per_page: int,
        format: str,
        source_name: str | None,
        **options,
    ) -> None:
        spool = None
        dialect = format
        try:
            if is_url(source):
                base = api_base(source)
                if dialect == "auto":
                    dialect = detect_api_dialect(base)
                harvest = harvest_oruk1_api if dialect == ORUK1 else harvest_api
                with tqdm(desc="Fetching services", unit=" services", disable=None) as bar:
                    spool = harvest(base, per_page=per_page, progress=bar.update)
                documents, partial = spool_reader(spool), False
                source_name = source_name or base
            else:
                documents, partial = read_file(Path(source))
                if dialect == "auto":
                    dialect = detect_dialect(documents)
            common = {
                "partial": partial,
                "skip_invalid": skip_invalid,
                "actor": f"import_oruk {source}",
                "progress": lambda stream: tqdm(
                    stream, desc="Importing", unit=" records", disable=None
                ),
            }
            if dialect == ORUK1:
                report = import_oruk1(documents, source_name=source_name, **common)
            else:
                report = import_documents(documents, **common)
        except (SourceError, SourceNameNeeded) as exc:
            raise CommandError(str(exc)) from exc
        except ImportFailed as failed:
            self._print_problems(failed.report.problems)
            raise CommandError(
                f"Nothing was imported: {len(failed.report.problems)} problems in "
                f"{failed.report.skipped or 1} of {failed.report.documents} records. "
                "Fix them, or rerun with --skip-invalid to import the valid records."
                + self._hint(failed, format, dialect)
            ) from None
        finally:
            if spool is not None:
                spool.close()
        if report.problems:
            self._print_problems(report.problems)
            self.stdout.write(
                self.style.WARNING(f"Skipped {report.skipped} invalid records (listed above).")
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.imported} of {report.documents} records: {report.summary()}."
            )
        )

    def _print_problems(self, problems) -> None:
        for problem in problems:
            self.stderr.write(f"{problem.record_id}\t{problem.path or '-'}\t{problem.message}")

    @staticmethod
    def _hint(failed: ImportFailed, asked: str, dialect: str) -> str:
        """Records read as ORUK 3.0 whose own ids are not UUIDs may well be ORUK 1.0."""
        if (
            asked == "auto"
            and dialect == ORUK3
            and any(p.path == "id" and "uuid" in p.message.lower() for p in failed.report.problems)
        ):
            return " If these are ORUK 1.0 records, rerun with --format oruk1."
        return ""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from directory.oruk import ImportFailed
from directory.oruk.run import DIALECTS, import_source
from directory.oruk.sources import SourceError, is_url
from directory.oruk.v1 import SourceNameNeeded


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
            choices=DIALECTS,
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
        fetching = None
        if is_url(source):
            fetching = tqdm(desc="Fetching services", unit=" services", disable=None)
        try:
            report = import_source(
                source,
                dialect=format,
                source_name=source_name,
                skip_invalid=skip_invalid,
                per_page=per_page,
                actor=f"import_oruk {source}",
                progress=lambda stage, total: tqdm(
                    desc=stage, total=total, unit=" records", disable=None
                ),
                fetched=fetching.update if fetching is not None else None,
            )
        except (SourceError, SourceNameNeeded) as exc:
            raise CommandError(str(exc)) from exc
        except ImportFailed as failed:
            self._print_problems(failed.report.problems)
            hint = " If these are ORUK 1.0 records, rerun with --format oruk1."
            raise CommandError(
                f"Nothing was imported: {len(failed.report.problems)} problems in "
                f"{failed.report.skipped or 1} of {failed.report.documents} records. "
                "Fix them, or rerun with --skip-invalid to import the valid records."
                + (hint if failed.oruk1_likely else "")
            ) from None
        finally:
            if fetching is not None:
                fetching.close()
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
        for note in report.notes:
            self.stdout.write(note)

    def _print_problems(self, problems) -> None:
        for problem in problems:
            self.stderr.write(f"{problem.record_id}\t{problem.path or '-'}\t{problem.message}")

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from directory.oruk import ImportFailed, import_documents
from directory.oruk.sources import SourceError, harvest_api, is_url, read_file, spool_reader


class Command(BaseCommand):
    help = (
        "Import ORUK 3.0 services, organisations, locations or taxonomies from a file (a JSON list "
        "page, a JSON array, one document, or ndjson) or from the base URL of an ORUK 3.0 API. "
        "All or nothing: any invalid record is reported and nothing changes (see --skip-invalid)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a file path, or an ORUK API base URL")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid records and report the invalid ones",
        )
        parser.add_argument(
            "--per-page", type=int, default=100, help="page size when walking an API"
        )

    def handle(self, *args, source: str, skip_invalid: bool, per_page: int, **options) -> None:
        spool = None
        try:
            if is_url(source):
                with tqdm(desc="Fetching services", unit=" services", disable=None) as bar:
                    spool = harvest_api(source, per_page=per_page, progress=bar.update)
                documents, partial = spool_reader(spool), False
            else:
                documents, partial = read_file(Path(source))
            report = import_documents(
                documents,
                partial=partial,
                skip_invalid=skip_invalid,
                actor=f"import_oruk {source}",
                progress=lambda stream: tqdm(
                    stream, desc="Importing", unit=" records", disable=None
                ),
            )
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        except ImportFailed as failed:
            self._print_problems(failed.report.problems)
            raise CommandError(
                f"Nothing was imported: {len(failed.report.problems)} problems in "
                f"{failed.report.skipped or 1} of {failed.report.documents} records. "
                "Fix them, or rerun with --skip-invalid to import the valid records."
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

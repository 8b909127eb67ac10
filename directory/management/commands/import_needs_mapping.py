"""Import needs, circumstances and their LGA service type mappings from a CSV file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.taxonomies.needs import import_needs_mapping


class Command(BaseCommand):
    help = (
        "Import needs and circumstances from a CSV with columns kind, code, label, description, "
        "parent_code, service_type_codes (LGA ids separated by ;). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file to import.")

    def handle(self, *args, file: Path, **options) -> None:
        if not file.is_file():
            raise CommandError(f"{file} not found")
        report = import_needs_mapping(path=file)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(report.problems)} problems in {file}; nothing was changed.")
        self.stdout.write(
            f"Terms: created {report.created}, updated {report.updated}, unchanged "
            f"{report.unchanged}. Mappings: created {report.mappings_created}, removed "
            f"{report.mappings_removed}."
        )

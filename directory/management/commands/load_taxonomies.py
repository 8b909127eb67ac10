"""Load the published vocabularies from the shared taxonomy folder (see its README.md)."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.models import TaxonomyTerm
from directory.taxonomies.identity import LGA_SERVICE_TYPES
from directory.taxonomies.loaders import LOADERS

# The demo seeder's compact list has a few dozen LGA service types; more means a full load ran.
LOADED_THRESHOLD = 100


class Command(BaseCommand):
    help = "Load LGA, OpenActive, ORUK 1.0 and Open Eligibility vocabularies into taxonomies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from",
            dest="source_dir",
            type=Path,
            default=None,
            help="Folder holding the taxonomy files (default: settings.PORTAL_TAXONOMY_DIR).",
        )
        parser.add_argument(
            "--only",
            nargs="+",
            choices=list(LOADERS),
            metavar="NAME",
            help=f"Load only these sources: {', '.join(LOADERS)}.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Do nothing if the LGA service types are already loaded, or if the folder is "
                "missing (so a fresh clone without the shared files still sets up)."
            ),
        )

    def handle(
        self, *args, source_dir: Path | None, only: list[str] | None, if_empty: bool, **options
    ) -> None:
        source_dir = Path(source_dir or settings.PORTAL_TAXONOMY_DIR)
        if not source_dir.is_dir():
            message = f"Taxonomy folder {source_dir} not found"
            if if_empty:
                self.stdout.write(f"{message}; skipping the taxonomy load.")
                return
            raise CommandError(f"{message}. Pass --from DIR or set PORTAL_TAXONOMY_DIR.")
        if if_empty:
            loaded = TaxonomyTerm.objects.filter(taxonomy__vocabulary=LGA_SERVICE_TYPES).count()
            if loaded > LOADED_THRESHOLD:
                self.stdout.write(
                    f"{loaded} LGA service type terms already loaded; skipping the taxonomy load."
                )
                return

        for name in only or LOADERS:
            started = time.perf_counter()
            try:
                result = LOADERS[name](source_dir=source_dir)
            except FileNotFoundError as error:
                raise CommandError(f"{name}: {error.strerror}: {error.filename}") from error
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"{name}: {result.total} terms (created {result.created}, updated "
                f"{result.updated}, unchanged {result.unchanged}, discontinued "
                f"{result.discontinued}) in {seconds:.2f}s"
            )
            for warning in result.warnings:
                self.stdout.write(self.style.WARNING(f"  {warning}"))

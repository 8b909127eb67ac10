"""`manage.py restore PATH --yes`: replace the database's contents with a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, restore_database


class Command(BaseCommand):
    help = (
        "Replace everything in the database with the backup at PATH (made by manage.py backup). "
        "Stop the web processes and clusters first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: the database's contents are replaced"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("Restoring replaces the whole database: add --yes to confirm")
        try:
            restore_database(options["path"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the database from {options['path']}")

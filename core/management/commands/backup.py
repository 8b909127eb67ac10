"""`manage.py backup PATH`: a consistent copy of the database (see core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_database


class Command(BaseCommand):
    help = "Write a consistent backup of the database to PATH (pg_dump, or SQLite's backup API)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup_database(options["path"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up the database to {path} ({path.stat().st_size:,} bytes)")

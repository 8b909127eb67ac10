"""Consistent backups of the portal's database, and restoring one (README, Deploying).

PostgreSQL: `pg_dump --format=custom`, one transaction-consistent snapshot of the database
while the portal keeps running; restored with `pg_restore --clean --if-exists --no-owner`.
SQLite: the SQLite online backup API (a consistent copy even while the portal writes), and the
same API copying back. The database's connection settings come from `DATABASES["default"]`.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections


class BackupError(Exception):
    pass


def _settings(alias: str) -> dict[str, Any]:
    return connections[alias].settings_dict


def _postgres_env(config: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if config.get(key):
            env[variable] = str(config[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed: {error}") from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def backup_database(path: Path, *, alias: str = "default") -> Path:
    """Write a consistent copy of the database to `path` (overwritten)."""
    connection = connections[alias]
    config = _settings(alias)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(path)],
            _postgres_env(config),
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"No backup method for {connection.vendor}")
    return path


def restore_database(path: Path, *, alias: str = "default") -> None:
    """Replace the database's contents with the backup at `path`."""
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}")
    connection = connections[alias]
    config = _settings(alias)
    if connection.vendor == "postgresql":
        connection.close()  # an idle session of ours must not hold locks the restore needs
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                str(config["NAME"]),
                str(path),
            ],
            _postgres_env(config),
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        raise BackupError(f"No restore method for {connection.vendor}")

"""Shared set-up for benchmarks: a PostgreSQL database with the national-scale demo data."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def ensure_database() -> None:
    url = urllib.parse.urlparse(database_url())
    name = url.path.lstrip("/")
    exists = subprocess.run(
        ["psql", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        subprocess.run(
            ["psql", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
             "-U", url.username or "postgres", "-c", f'CREATE DATABASE "{name}"', "postgres"],
            check=True, capture_output=True,
        )  # fmt: skip


def setup_django() -> None:
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_national_data(services: int = 100_000) -> None:
    """Migrate, seed `services` demo services and publish them, unless already there."""
    from django.core.management import call_command

    from directory.models import Service
    from publish.models import PublishedService

    call_command("migrate", verbosity=0)
    if Service.objects.count() < services:
        started = time.perf_counter()
        call_command("seed_demo", services=services, national=True, verbosity=0)
        print(f"seeded {services:,} services in {time.perf_counter() - started:.0f} s")
    if PublishedService.objects.count() == 0:
        started = time.perf_counter()
        call_command("rebuild_snapshots", verbosity=0)
        count = PublishedService.objects.count()
        print(f"published {count:,} snapshots in {time.perf_counter() - started:.0f} s")

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


def ensure_national_data(services: int = 100_000, *, publish: bool = True) -> None:
    """Migrate, seed `services` demo services and publish them (if `publish`), unless already
    there."""
    from django.core.management import call_command

    from directory.models import Service
    from publish.models import PublishedService

    call_command("migrate", verbosity=0)
    if Service.objects.count() < services:
        started = time.perf_counter()
        call_command("seed_demo", services=services, national=True, verbosity=0)
        print(f"seeded {services:,} services in {time.perf_counter() - started:.0f} s")
    if publish and PublishedService.objects.count() == 0:
        started = time.perf_counter()
        call_command("rebuild_snapshots", verbosity=0)
        count = PublishedService.objects.count()
        print(f"published {count:,} snapshots in {time.perf_counter() - started:.0f} s")
        # What autovacuum does soon after in production: without statistics on the freshly
        # written tables, PostgreSQL plans the finder's joins for a few hundred rows, not 100k.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# Shared by the HTTP benchmarks (staff_pages.py, finder.py)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def machine() -> str:
    """Cores, memory and load, so figures can be read against the machine they came from."""
    cores = os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB memory"
    except (OSError, StopIteration, ValueError):
        pass
    one, five, _ = os.getloadavg()
    return f"{cores} cores{memory}; load average {one:.2f} (1 min), {five:.2f} (5 min)"


def wait_for_seeding(poll_seconds: float = 15) -> None:
    """If another process is seeding the benchmark database (the service count still grows),
    wait until it stops rather than seed twice."""
    from django.db import connection

    from directory.models import Service

    if Service._meta.db_table not in connection.introspection.table_names():
        return  # a fresh database, not migrated yet: nobody is seeding it
    before = Service.objects.count()
    while True:
        time.sleep(poll_seconds)
        now = Service.objects.count()
        if now == before:
            return
        print(f"another process is seeding ({now:,} services so far); waiting")
        before = now


def serve(port: int) -> subprocess.Popen:
    """The portal under gunicorn (config/gunicorn.conf.py, DEBUG off, collected static files)
    on 127.0.0.1:`port`, started and answering /healthz."""
    import urllib.request

    env = {
        **os.environ,
        "DEBUG": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    # The server's own log (errors with their tracebacks) is kept for when a page fails.
    log = ROOT / ".cache" / f"bench-gunicorn-{port}.log"
    log.parent.mkdir(exist_ok=True)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env={**env, "GUNICORN_CMD_ARGS": "--access-logfile /dev/null"},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def over_http(url: str, repeats: int, headers: dict[str, str] | None = None) -> list[float]:
    """Milliseconds for each of `repeats` GETs of `url` (after one to warm up)."""
    import urllib.request

    request = urllib.request.Request(url, headers=headers or {})
    urllib.request.urlopen(request).read()  # warm
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            response.read()
            assert response.status == 200
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def database_alone(statements: list[str], repeats: int) -> list[float]:
    """Milliseconds PostgreSQL takes to run these statements, results fetched, `repeats` times."""
    from django.db import connection

    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    return samples

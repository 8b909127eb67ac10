"""Settings come from the environment and are secure unless DEBUG says otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({k: getattr(settings, k) for k in ('SECURE_SSL_REDIRECT', "
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'DEBUG')} | "
    "{'DB': settings.DATABASES['default']['ENGINE']}))"
)


def run_settings(probe: str = PROBE, **env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with this environment and run `probe`."""
    clean = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_stops_start_up_when_debug_is_off():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_defaults_are_secure():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"]
    assert values["CSRF_COOKIE_SECURE"] and values["SECURE_HSTS_SECONDS"] >= 31536000


def test_debug_runs_without_secrets_on_embedded_sqlite():
    result = run_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DB"] == "django.db.backends.sqlite3" and not values["SECURE_SSL_REDIRECT"]


def test_database_url_selects_postgresql():
    result = run_settings(DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    assert json.loads(result.stdout)["DB"] == "django.db.backends.postgresql"


def test_a_malformed_boolean_is_refused_by_name():
    result = run_settings(DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


SERVED_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.PORTAL_BASE_URL, settings.ALLOWED_HOSTS]))"
)


def served_settings(**env: str) -> tuple[str, list[str]]:
    """PORTAL_BASE_URL and ALLOWED_HOSTS with DEBUG on, as `make run` starts (HOST=...)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DATABASE_URL", "HOST", "PORTAL_BASE_URL", "ALLOWED_HOSTS")
    }
    result = subprocess.run(
        [sys.executable, "-c", SERVED_PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    base_url, allowed_hosts = json.loads(result.stdout)
    return base_url, allowed_hosts


def test_links_default_to_the_default_development_server():
    assert served_settings()[0] == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("host", "base_url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("localhost:9000", "http://localhost:9000"),
        ("8081", "http://127.0.0.1:8081"),
        ("[::]:8000", "http://[::1]:8000"),
        ("not an address", "http://127.0.0.1:8000"),
    ],
)
def test_links_follow_the_address_make_run_serves_on(host, base_url):
    served, allowed_hosts = served_settings(HOST=host)
    assert served == base_url
    assert base_url.removeprefix("http://").rsplit(":", 1)[0] in allowed_hosts


def test_the_served_address_is_answered_to_with_debug():
    assert "192.168.1.20" in served_settings(HOST="192.168.1.20:8000")[1]


def test_portal_base_url_wins_over_host():
    served, _ = served_settings(HOST="0.0.0.0:8080", PORTAL_BASE_URL="https://x.example")
    assert served == "https://x.example"


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    # Nothing from this test run's environment: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE
    # in this process, which check --deploy rightly refuses in a deployment.
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL") and not k.startswith("DJANGO_")
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "false",
            "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
            "ALLOWED_HOSTS": "directory.example.gov.uk",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout

"""Settings come from the environment and are secure unless DEBUG says otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({k: getattr(settings, k) for k in ('SECURE_SSL_REDIRECT', "
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'DEBUG')} | "
    "{'DB': settings.DATABASES['default']['ENGINE']}))"
)


def run_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
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


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)

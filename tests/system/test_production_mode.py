"""The production configuration, for real: DEBUG off, collectstatic's output served by WhiteNoise
through gunicorn, a django-q2 cluster on Redis, PostgreSQL. A browser signs in as a directory
admin, visits every staff page from the navigation (axe, 320 px and no CSP refusal on each, with
the CSP header present), and a rule it adds takes effect through the cluster.

Runs on PostgreSQL (what production uses); on the SQLite run of the suite it is skipped.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django_otp.oath import totp

from tests.servers import answers, free_port
from tests.system.browser import Portal

ROOT = Path(settings.BASE_DIR)
PATIENCE_SECONDS = 90  # an upper bound for a slow machine, not a speed requirement
ADMIN = "director@council.test"
PASSWORD = "a long production passphrase"

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="production runs on PostgreSQL; the suite's PostgreSQL run covers this",
)


@dataclass
class Production:
    url: str
    env: dict[str, str]
    log: Path

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
        return result.stdout


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    database = settings.DATABASES["default"]
    name = f"portal_production_{os.getpid()}_{secrets.token_hex(3)}"
    admin_dsn = (
        f"host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432} "
        f"user={database['USER'] or 'postgres'} dbname=postgres"
    )
    if database.get("PASSWORD"):
        admin_dsn += f" password={database['PASSWORD']}"
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    tmp = tmp_path_factory.mktemp("production")
    port = free_port()
    user = database["USER"] or "postgres"
    auth = f"{user}:{database['PASSWORD']}" if database.get("PASSWORD") else user
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"postgres://{auth}@{host}/{name}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{7 + os.getpid() % 8}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(tmp / "static"),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        # Served over plain HTTP on this machine; behind a TLS proxy these stay on.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    production = Production(url=f"http://127.0.0.1:{port}", env=env, log=tmp / "server.log")
    processes: list[subprocess.Popen] = []
    try:
        production.manage("migrate", "--noinput")
        production.manage("seed_demo", "--services", "40", "--seed", "3")
        production.manage("rebuild_snapshots")
        production.manage("collectstatic", "--noinput")
        production.manage("register_schedules")
        with production.log.open("w") as log:
            for command in (
                [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
                [sys.executable, "manage.py", "qcluster"],
            ):
                processes.append(
                    subprocess.Popen(
                        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                    )
                )
        deadline = time.monotonic() + PATIENCE_SECONDS
        while not answers(production.url + "/healthz"):
            assert time.monotonic() < deadline, production.log.read_text()[-3000:]
            assert all(p.poll() is None for p in processes), production.log.read_text()[-3000:]
            time.sleep(0.3)
        yield production
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _make_directory_admin(production: Production) -> bytes:
    """A directory admin with an authenticator app; returns the app's key."""
    script = (
        "from accounts.models import User; "
        "from django_otp.plugins.otp_totp.models import TOTPDevice; "
        f"u = User.objects.create_user(email={ADMIN!r}, password={PASSWORD!r}); "
        "u.is_directory_admin = True; u.save(); "
        "d = TOTPDevice.objects.create(user=u, name='App', confirmed=True); print(d.key)"
    )
    return bytes.fromhex(production.manage("shell", "-c", script).strip().splitlines()[-1])


def test_production_serves_every_staff_page_under_its_csp(production, browser):
    health = urllib.request.urlopen(production.url + "/healthz", timeout=10)
    assert health.status == 200
    key = _make_directory_admin(production)

    # Collected, fingerprinted static files, served with far-future caching.
    page_html = urllib.request.urlopen(production.url + "/accounts/sign-in/", timeout=10)
    assert "script-src 'self'" in page_html.headers["Content-Security-Policy"]
    stylesheet = re.search(
        r'href="(/static/govuk/govuk-frontend\.min\.[0-9a-f]{12}\.css)"', page_html.read().decode()
    )
    assert stylesheet, "the stylesheet's name carries its hash (manifest storage)"
    css = urllib.request.urlopen(production.url + stylesheet.group(1), timeout=10)
    assert "max-age=315360000" in css.headers["Cache-Control"]

    with Portal.open(
        browser, base_url=production.url, javascript=True, test_passed=lambda: True
    ) as portal:
        headers: list[str | None] = []
        portal.page.on(
            "response",
            lambda response: (
                headers.append(response.headers.get("content-security-policy"))
                if response.request.resource_type == "document"
                else None
            ),
        )
        portal.visit("/").nav("Staff sign in")
        portal.type("Email address", ADMIN).type("Password", PASSWORD).press("Sign in")
        assert portal.heading() == "Enter your security code"
        portal.type("Security code", f"{totp(key):06d}").press("Continue")
        assert portal.heading() == "Your work"
        portal.nav("Your account")
        assert portal.heading() == "Your account"

        staff_pages = [
            link.get_attribute("href")
            for link in portal.page.locator("main a.govuk-link").all()
            if (link.get_attribute("href") or "").startswith("/accounts/")
        ]
        assert len(staff_pages) >= 5, staff_pages
        for name in ("Partners", "Allocation rules", "Audit log", "Background tasks"):
            portal.nav(name)
            assert portal.heading().startswith(name.split()[0]), portal.heading()
        for path in staff_pages:
            portal.visit(path)
            assert portal.page.title().endswith("Find local services")

        # A rule added now is worked out by the cluster (on Redis), not in the request.
        portal.nav("Partners")
        portal.press("Add a partner")
        portal.type("Name", "Hull CVS").type("Short name", "hull-cvs")
        portal.choose("Council for voluntary service").press("Save partner")
        portal.nav("Allocation rules")
        portal.press("Add a rule")
        portal.select("Partner that assures the services", "Hull CVS")
        portal.choose("By local authority").type("Local authority code", "E06000010")
        portal.press("Save rule")
        portal.sees("The rule has been saved.")
        rule_page = portal.path
        deadline = time.monotonic() + PATIENCE_SECONDS
        while "Finished at" not in portal.page.locator("#background-work").inner_text():
            assert time.monotonic() < deadline, production.log.read_text()[-3000:]
            time.sleep(0.5)
            portal.visit(rule_page)
        portal.sees("services are allocated to a partner")

    assert headers and all(policy and "default-src 'self'" in policy for policy in headers)

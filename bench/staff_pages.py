"""Staff list pages at national scale, through the production server, against PostgreSQL alone.

Builds (or reuses) 100,000 seeded services on PostgreSQL with the demo partners, rules and
accounts, and 5,000 change requests waiting for assurance; then serves the portal with gunicorn
(DEBUG off, collected static files, config/gunicorn.conf.py) and requests each staff list page
as a signed-in directory admin and as an assurer. For every page it prints the p50/p95 time over
HTTP, the number of queries the page runs (the same whatever the page size: the tests check it),
and the time PostgreSQL alone takes to run those same queries (replayed through one connection,
results fetched): the part of a page's time that is the database's.

Not published: the service list reads the live records; the snapshots only say "in the feed".
Set BENCH_DATABASE_URL to use another database (default postgres://.../portal_bench).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 30
CHANGE_REQUESTS = 5_000
PORT = int(os.environ.get("BENCH_PORT", "8091"))
ACCOUNTS = "@bench.example"  # the demo accounts, renamed


p = _setup.percentile


def ensure_workflow_data() -> None:
    """Demo partners, rules and accounts over the national data, and waiting change requests."""
    from django.conf import settings

    from accounts.demo import seed_demo_accounts
    from accounts.models import User
    from directory.models import Service
    from workflow.models import ChangeRequest, Source, State

    if not User.objects.filter(email=f"assurer{ACCOUNTS}").exists():
        started = time.perf_counter()
        settings.DEBUG = True  # demo accounts are made only in development
        try:
            seed_demo_accounts(password="bench-only-password")
        finally:
            settings.DEBUG = False
        # Demo accounts are refused when DEBUG is off, as the bench serves: give them another
        # domain (only this bench database ever holds them).
        for user in User.objects.filter(email__endswith="@demo.example"):
            user.email = user.email.replace("@demo.example", ACCOUNTS)
            user.save(update_fields=["email"])
        print(f"partners, rules, accounts and allocations in {time.perf_counter() - started:.0f} s")
    if ChangeRequest.objects.count() < CHANGE_REQUESTS:
        rng = random.Random(1)
        ids = list(Service.objects.order_by("pk").values_list("pk", "organization_id", "name"))
        sources = [Source.PROVIDER, Source.FRONTLINE, Source.PUBLIC]
        rows = []
        for pk, organization_id, name in rng.sample(ids, CHANGE_REQUESTS):
            request = ChangeRequest(
                service_id=pk,
                organization_id=organization_id,
                source=rng.choice(sources),
                proposed={"id": str(pk), "name": name + " (changed)"},
                base={"id": str(pk), "name": name},
                proposer_email="someone@example.com",
            )
            request.previous_state, request.state = "", State.SUBMITTED
            rows.append(request)
        ChangeRequest.objects.bulk_create(rows, batch_size=1000)


def session_cookie(email: str) -> str:
    """A signed-in session with two-factor verified, as after signing in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    user = User.objects.get(email=email)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend that signs people in (the first, axes', only refuses locked-out addresses).
    session[BACKEND_SESSION_KEY] = "accounts.backends.PortalModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def queries_of(path: str, email: str) -> list[str]:
    """The SQL a page runs, captured from the application in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    session = client.session
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user__email=email).persistent_id
    session.save()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, (path, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def database_alone(statements: list[str]) -> list[float]:
    return _setup.database_alone(statements, REPEATS)


def over_http(path: str, cookie: str) -> list[float]:
    return _setup.over_http(f"http://127.0.0.1:{PORT}{path}", REPEATS, {"Cookie": cookie})


def main() -> None:
    _setup.ensure_database()
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    _setup.setup_django()
    _setup.ensure_national_data(publish=False)
    ensure_workflow_data()
    from directory.models import Service
    from workflow.models import ChangeRequest

    services = Service.objects.count()
    waiting = ChangeRequest.objects.waiting().count()
    pages = [
        (f"admin{ACCOUNTS}", "/staff/"),
        (f"admin{ACCOUNTS}", "/staff/services/"),
        (f"admin{ACCOUNTS}", f"/staff/services/?page={-(-services // 50)}"),
        (f"admin{ACCOUNTS}", "/staff/services/?q=advice"),
        (f"admin{ACCOUNTS}", "/staff/services/?status=active&assurance=overdue"),
        (f"admin{ACCOUNTS}", "/staff/organisations/"),
        (f"admin{ACCOUNTS}", "/staff/assurance/"),
        (f"admin{ACCOUNTS}", "/staff/assurance/?source=public"),
        (f"assurer{ACCOUNTS}", "/staff/"),
        (f"assurer{ACCOUNTS}", "/staff/services/"),
        (f"assurer{ACCOUNTS}", "/staff/assurance/"),
    ]
    cookies = {email: session_cookie(email) for email in {email for email, _ in pages}}
    server = _setup.serve(PORT)
    print(
        f"\n{services:,} services, {waiting:,} change requests waiting; gunicorn "
        f"(config/gunicorn.conf.py), one client, {REPEATS} requests each; {_setup.machine()}\n"
    )
    print(f"{'page':60s} {'queries':>7s} {'HTTP p50':>9s} {'p95':>8s} {'PostgreSQL p50':>15s}")
    try:
        for email, path in pages:
            statements = queries_of(path, email)
            http = over_http(path, cookies[email])
            sql = database_alone(statements)
            who = email.split("@")[0]
            print(
                f"{who + ' ' + path:60s} {len(statements):7d} {statistics.median(http):7.1f} ms"
                f" {p(http, 0.95):6.1f} ms {statistics.median(sql):12.1f} ms"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

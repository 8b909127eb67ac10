"""The ORUK API at national scale, through the production server, against PostgreSQL alone.

Builds (or reuses) 100,000 seeded and published services on PostgreSQL (bench/_setup.py) and
serves the portal with gunicorn (DEBUG off, config/gunicorn.conf.py) and its cache in Redis
(database BENCH_REDIS_DB, default 5), as in production. Each request is timed over HTTP on one
kept-alive connection, so the figures include the server, the routing, the checks and the
queries, but not a new TCP connection each time.

The reference for a list page is the fastest way PostgreSQL itself produces the same bytes: one
statement that seeks to the page's first id (known beforehand, as a keyset client knows it),
reads `per_page` stored items and concatenates them into the page envelope, with the count
given (cached). The bench checks once that both give the same items. Warm rows repeat a request;
"cold" rows flush the shared cache before every request (what a Redis restart leaves), and
"after a publish" rows republish one service before every request (the publish task counts and
marks the feed, so the request should not).

Also: `/services/{id}` for ids in the default feed, keyword searches (common words and a typo),
the ndjson stream's rate over HTTP, and `export_oruk`'s rate.

Not a test: it prints figures. BENCH_DATABASE_URL for another database, BENCH_PORT for another
port.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

PORT = int(os.environ.get("BENCH_PORT", "8093"))
REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('BENCH_REDIS_DB', '5')}"
REPEATS = 60
SEARCH_REPEATS = 30


class Http:
    """GETs on one kept-alive connection, reconnecting if the server closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str) -> bytes:
        for attempt in (1, 2):
            try:
                self.connection.request("GET", path)
                response = self.connection.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}: {body[:300]!r}")
        return body


def timed(run, repeats: int = REPEATS, before=None) -> list[float]:
    run()  # warm
    samples = []
    for _ in range(repeats):
        if before:
            before()
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p(samples: list[float], q: float) -> float:
    return _setup.percentile(samples, q)


def line(label: str, samples: list[float], reference: list[float] | None = None) -> None:
    ratio = ""
    if reference:
        ratio = (
            f"  PostgreSQL p50 {statistics.median(reference):6.2f} ms"
            f"  ratio {statistics.median(samples) / statistics.median(reference):5.2f}x"
        )
    print(f"{label:52s} p50 {p(samples, 0.5):7.2f} ms  p95 {p(samples, 0.95):7.2f} ms{ratio}")


PAGE_SQL = """
    SELECT '{"total_items":' || %(total)s || ',"total_pages":' || %(pages)s
        || ',"page_number":' || %(page)s || ',"size":' || count(*)
        || ',"first_page":' || %(first)s || ',"last_page":' || %(last)s
        || ',"empty":' || (count(*) = 0)::text
        || ',"contents":[' || coalesce(string_agg(list_item, ',' ORDER BY service_id), '') || ']}'
    FROM (
        SELECT service_id, list_item FROM publish_publishedservice
        WHERE assured_date >= %(since)s AND service_id >= %(start)s
        ORDER BY service_id LIMIT %(per_page)s
    ) AS page
"""


def reference_page(page: int, per_page: int, total: int):
    """PostgreSQL alone producing the page: a keyset seek from the page's first id."""
    from django.db import connection

    from publish.models import Feed, PublishedService

    feed = Feed.objects.get(is_default=True)
    start = (
        PublishedService.objects.for_feed(feed)
        .order_by("pk")
        .values_list("pk", flat=True)[(page - 1) * per_page]
    )
    pages = -(-total // per_page)
    params = {
        "total": total,
        "pages": pages,
        "page": page,
        "first": "true" if page == 1 else "false",
        "last": "true" if page == pages else "false",
        "since": feed.assured_since(),
        "start": start,
        "per_page": per_page,
    }

    def run() -> str:
        with connection.cursor() as cursor:
            cursor.execute(PAGE_SQL, params)
            return cursor.fetchone()[0]

    return run


def republish_one(ids: list) -> callable:
    from publish import tasks

    rng = random.Random(7)
    return lambda: tasks.publish_services([str(rng.choice(ids))])


def main() -> None:
    _setup.ensure_database()
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    _setup.setup_django()
    _setup.wait_for_seeding()
    _setup.ensure_national_data()
    from django.core.cache import cache

    from publish.api.views import warm_service_lists
    from publish.models import Feed, PublishedService

    feed = Feed.objects.get(is_default=True)
    in_feed = list(
        PublishedService.objects.for_feed(feed).order_by("?").values_list("pk", flat=True)[:2000]
    )
    cache.clear()
    warm_service_lists()  # as the last publish left it
    server = _setup.serve(PORT)
    client = Http(PORT)
    try:
        total = json.loads(client.get("/api/v3/services?per_page=1"))["total_items"]
        print(f"\n{total:,} services in the default feed; machine: {_setup.machine()}")
        print(f"gunicorn on 127.0.0.1:{PORT}, cache in Redis; {REPEATS} requests each\n")
        # The floor: what any request costs through gunicorn and the middleware (`/healthz`
        # asks PostgreSQL and the broker one question each), before any API work.
        line("/healthz (the server's floor)", timed(lambda: client.get("/healthz")))
        cases = [
            ("first", 1, 50),
            ("middle", -(-total // 50) // 2, 50),
            ("last", -(-total // 50), 50),
            ("page 2, per_page=1", 2, 1),
            ("middle, per_page=1", total // 2, 1),
            ("last, per_page=1000", -(-total // 1000), 1000),
        ]
        for label, page, per_page in cases:
            path = f"/api/v3/services?page={page}&per_page={per_page}"
            reference = reference_page(page, per_page, total)
            api_items = json.loads(client.get(path))["contents"]
            sql_items = json.loads(reference())["contents"]
            if api_items != sql_items:
                raise SystemExit(f"{path}: the API and PostgreSQL disagree")
            sql = timed(reference)
            line(f"/services {label}", timed(lambda path=path: client.get(path)), sql)
            line(
                f"/services {label}, cold (cache flushed)",
                timed(lambda path=path: client.get(path), before=cache.clear),
                sql,
            )
        path = f"/api/v3/services?page={-(-total // 50) // 2}&per_page=50"
        line(
            "/services middle, just after a publish",
            timed(lambda: client.get(path), repeats=20, before=republish_one(in_feed)),
            timed(reference_page(-(-total // 50) // 2, 50, total)),
        )
        warm_service_lists()
        rng = random.Random(1)
        line(
            "/services/{id} (ids in the default feed)",
            timed(lambda: client.get(f"/api/v3/services/{rng.choice(in_feed)}")),
        )
        for words in ("mental health", "advice", "lunch club", "counseling", "mentl helth"):
            query = urllib.parse.urlencode({"search": words})
            line(
                f"/services?search={words}",
                timed(lambda q=query: client.get(f"/api/v3/services?{q}"), SEARCH_REPEATS),
            )
        print()
        started = time.perf_counter()
        body = client.get("/api/v3/services?format=ndjson&full=true")
        seconds = time.perf_counter() - started
        count = body.count(b"\n")
        print(f"ndjson over HTTP, full documents: {count:,} in {seconds:.1f} s = "
              f"{count / seconds:,.0f} services/s")  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    out = _setup.ROOT / ".cache" / "bench-export.ndjson"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "export_oruk", "--output", str(out)],
        cwd=_setup.ROOT,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    count = sum(1 for _ in out.open())
    out.unlink()
    print(
        f"export_oruk (the published services): {count:,} in {seconds:.1f} s = "
        f"{count / seconds:,.0f} services/s, the process's start included"
    )
    print(f"\nmachine after the run: {_setup.machine()}")


if __name__ == "__main__":
    main()

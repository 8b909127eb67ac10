"""ORUK API figures at national scale, against PostgreSQL building the same page alone.

Prints p50/p95 latency of the list pages (first, middle, deep), `/services/{id}`, search, proximity
and `full=true` pages, the ratio of each list page to one SQL query that builds the same JSON page
(json_agg over the same snapshots), and the ndjson export's rate and peak memory for a subset and
for everything (peak memory should not grow with the number of services).

Requests go through Django's test client in this process: the figures are the application's own
time (routing, checks, queries, assembly), without an HTTP server in front. Warm rows repeat a
request (the list's count and page starts are cached per feed version, as for a client paging
through); cold rows clear that cache before every request.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

REPEATS = 60


def timed(fn, repeats: int = REPEATS) -> list[float]:
    fn()  # warm
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(label: str, samples: list[float], baseline: list[float] | None = None) -> None:
    ratio = ""
    if baseline:
        ratio = f"   API/SQL p50 = {statistics.median(samples) / statistics.median(baseline):.2f}x"
    print(f"{label:58s} p50 {p(samples, 0.5):7.2f} ms   p95 {p(samples, 0.95):7.2f} ms{ratio}")


def sql_page(offset: int, per_page: int = 50):
    """PostgreSQL alone: the same feed page (default feed, id order) as one JSON document."""
    from django.db import connection

    from publish.models import Feed

    since = Feed.objects.get(is_default=True).assured_since()
    sql = """
        SELECT json_build_object(
            'total_items', (SELECT count(*) FROM publish_publishedservice WHERE assured_date >= %s),
            'page_number', %s, 'size', count(*),
            'contents', coalesce(json_agg(page.list_item::json ORDER BY page.service_id), '[]'))
        FROM (SELECT service_id, list_item FROM publish_publishedservice
              WHERE assured_date >= %s ORDER BY service_id OFFSET %s LIMIT %s) AS page
    """

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, [since, offset // per_page + 1, since, offset, per_page])
            return cursor.fetchone()[0]

    return run


def ndjson_run(query: str) -> None:
    """In a fresh process: stream /services?format=ndjson&full=true&<query>, print figures."""
    from django.test import Client

    started = time.perf_counter()
    response = Client().get("/api/v3/services?format=ndjson&full=true" + query)
    count = 0
    for chunk in response.streaming_content:
        count += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"count": count, "seconds": seconds, "peak_mb": peak_mb}))


def main() -> None:
    _setup.ensure_database()
    _setup.setup_django()
    _setup.ensure_national_data()
    from django.test import Client
    from django.utils import timezone

    from publish.models import PublishedService

    client = Client()
    total = json.loads(client.get("/api/v3/services?per_page=1").content)["total_items"]
    pages = -(-total // 50)
    print(f"\n{total:,} services in the default feed, {pages:,} pages of 50; {REPEATS} runs each\n")

    def get(url):
        return lambda: client.get(url)

    for label, page in (("first", 1), ("middle", pages // 2), ("deep (last)", pages)):
        api = timed(get(f"/api/v3/services?page={page}&per_page=50"))
        sql = timed(sql_page((page - 1) * 50))
        row(f"/services?page={page}&per_page=50 ({label})", api, sql)
        row(f"  PostgreSQL alone, same page as JSON ({label})", sql)
    from django.core.cache import cache

    def cold(url):
        def run():
            cache.clear()  # as a client's first request for this list: count and page starts
            return client.get(url)

        return run

    for label, page in (("first", 1), ("deep (last)", pages)):
        row(
            f"/services?page={page}&per_page=50 ({label}, cold)",
            timed(cold(f"/api/v3/services?page={page}&per_page=50")),
            timed(sql_page((page - 1) * 50)),
        )
    ids = list(PublishedService.objects.values_list("pk", flat=True)[:2000])
    rng = random.Random(1)
    row("/services/{id}", timed(lambda: client.get(f"/api/v3/services/{rng.choice(ids)}")))
    for words in ("lunch club", "debt advice", "counseling", "youth"):
        row(f"/services?search={words}", timed(get(f"/api/v3/services?search={words}")))
    row(
        "/service_at_locations?postcode=HU1 1AA&proximity=5000",
        timed(get("/api/v3/service_at_locations?postcode=HU1%201AA&proximity=5000")),
    )
    row(
        "/services?postcode=LS1 1UR&proximity=5000",
        timed(get("/api/v3/services?postcode=LS1%201UR&proximity=5000")),
    )
    row("/services?full=true&per_page=50", timed(get("/api/v3/services?full=true&per_page=50")))
    row(
        "/services?full=true&per_page=50 (middle)",
        timed(get(f"/api/v3/services?full=true&per_page=50&page={pages // 2}")),
    )

    print()
    # About a tenth of the demo services were last modified in the past 36 days.
    recent = (timezone.now() - dt.timedelta(days=36)).date().isoformat()
    for label, query in (("recent services", f"&modified_after={recent}"), ("all services", "")):
        output = (
            subprocess.run(
                [sys.executable, __file__, "--ndjson", query],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        figures = json.loads(output)
        rate = figures["count"] / figures["seconds"]
        print(
            f"ndjson full export, {label:16s} {figures['count']:7,} services in "
            f"{figures['seconds']:6.1f} s = {rate:7,.0f} services/s, "
            f"peak RSS {figures['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--ndjson":
        _setup.setup_django()
        ndjson_run(sys.argv[2] if len(sys.argv) > 2 else "")
    else:
        main()

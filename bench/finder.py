"""The service finder at national scale: search through the production server, and PostgreSQL alone.

Builds (or reuses) 100,000 seeded and published services on PostgreSQL (bench/_setup.py), serves
the portal with gunicorn (DEBUG off, config/gunicorn.conf.py) and requests the finder's results
page `/search/` for keyword, keyword + postcode, and keyword + postcode + filter searches, each
with several words and postcodes across England and Wales. For each kind it prints the p50/p95
time over HTTP, the p50/p95 of `find()` itself (in this process), the number of queries a search
runs, and the p50/p95 time PostgreSQL alone takes to run those same queries (replayed through
one connection, results fetched). The target: p95 <= 100 ms for keyword + postcode + filter.

Not a test: it prints figures. Set BENCH_DATABASE_URL for another database (default
postgres://.../portal_bench), BENCH_PORT for another port.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

PORT = int(os.environ.get("BENCH_PORT", "8092"))
REPEATS = 4  # per search; each kind has several searches, so ~40 samples a kind
WORDS = ("advice", "lunch club", "counselling", "food", "youth club", "carers", "debt", "walking")
POSTCODES = ("HU1 1AA", "LS1 1UR", "M1 1AE", "B1 1AA", "CF10 1EP")
FILTERS = (
    {"attending": "drop_in"},
    {"cost": "free"},
    {"day": "SA"},
    {"attending": "appointment", "day": "TU"},
    {"language": "Polish"},
)


def searches() -> dict[str, list[dict[str, str]]]:
    kinds: dict[str, list[dict[str, str]]] = {"keyword": [], "keyword + postcode": []}
    kinds["keyword + postcode + filter"] = []
    for i, word in enumerate(WORDS):
        postcode = POSTCODES[i % len(POSTCODES)]
        kinds["keyword"].append({"q": word})
        kinds["keyword + postcode"].append({"q": word, "postcode": postcode})
        kinds["keyword + postcode + filter"].append(
            {"q": word, "postcode": postcode, "within": "5", **FILTERS[i % len(FILTERS)]}
        )
    return kinds


def to_query(params: dict[str, str]):
    from publish.finder.search import FinderQuery

    return FinderQuery(
        text=params.get("q", ""),
        postcode=params.get("postcode", ""),
        within_miles=float(params["within"]) if params.get("within") else None,
        attending=tuple(filter(None, [params.get("attending", "")])),
        days=tuple(filter(None, [params.get("day", "")])),
        cost=params.get("cost", ""),
        languages=tuple(filter(None, [params.get("language", "")])),
    )


def find_alone(params: dict[str, str]) -> tuple[list[float], list[str], int]:
    """find() in this process: times, the SQL it ran, and how many services it found."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from publish.finder.search import find

    query = to_query(params)
    with CaptureQueriesContext(connection) as captured:
        total = find(query).total
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        find(query)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, [q["sql"] for q in captured.captured_queries], total


def main() -> None:
    _setup.ensure_database()
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    _setup.setup_django()
    _setup.wait_for_seeding()
    _setup.ensure_national_data(publish=True)
    from publish.models import PublishedService

    published = PublishedService.objects.count()
    print(f"\n{published:,} published services; machine: {_setup.machine()}")
    print("(the load average counts everything else running on this machine too)\n")
    server = _setup.serve(PORT)
    print(
        f"{'search':28s} {'queries':>7s} {'found p50':>9s} {'HTTP p50':>9s} {'p95':>8s}"
        f" {'find() p50':>11s} {'p95':>8s} {'PostgreSQL p50':>15s} {'p95':>8s}"
    )
    try:
        for kind, items in searches().items():
            http, alone, sql, counts, totals = [], [], [], [], []
            for params in items:
                url = f"http://127.0.0.1:{PORT}/search/?{urllib.parse.urlencode(params)}"
                http += _setup.over_http(url, REPEATS)
                samples, statements, total = find_alone(params)
                alone += samples
                sql += _setup.database_alone(statements, REPEATS)
                counts.append(len(statements))
                totals.append(total)
            print(
                f"{kind:28s} {max(counts):7d} {statistics.median(totals):9.0f}"
                f" {statistics.median(http):6.1f} ms {_setup.percentile(http, 0.95):5.1f} ms"
                f" {statistics.median(alone):8.1f} ms {_setup.percentile(alone, 0.95):5.1f} ms"
                f" {statistics.median(sql):12.1f} ms {_setup.percentile(sql, 0.95):5.1f} ms"
            )
    finally:
        server.terminate()
        server.wait()
    print(f"\nmachine after the run: {_setup.machine()}")


if __name__ == "__main__":
    main()

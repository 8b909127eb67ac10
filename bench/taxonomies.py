"""How long each published taxonomy takes to load, from nothing and again unchanged.

Loads every source `load_taxonomies` knows (LGA service types with their functions, OpenActive,
ORUK 1.0 vocabularies, Open Eligibility) from `PORTAL_TAXONOMY_DIR` into a PostgreSQL database of
its own (`BENCH_TAXONOMY_DATABASE_URL`, default `.../portal_bench_taxonomies`; the loaded
taxonomies are deleted first, so never point it at a database whose services use them), three
times each, and prints the median wall-clock time and the number of queries of the first load
and of a rerun that changes nothing. The tests assert the results and query counts
(`tests/directory/test_taxonomies.py`); only this script times them. Target: the LGA load
(about 1,700 terms) in under 10 s.

    .venv/bin/python bench/taxonomies.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["BENCH_DATABASE_URL"] = os.environ.get(
    "BENCH_TAXONOMY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_taxonomies"
)
import _setup

REPEATS = 3


def main() -> None:
    _setup.ensure_database()
    _setup.setup_django()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from directory.models import Taxonomy
    from directory.taxonomies.loaders import LOADERS

    call_command("migrate", verbosity=0)
    source_dir = Path(settings.PORTAL_TAXONOMY_DIR)
    if not source_dir.is_dir():
        sys.exit(f"Taxonomy folder {source_dir} not found (set PORTAL_TAXONOMY_DIR)")
    header = ("source", "terms", "first load", "queries", "rerun", "queries")
    print("{:<26} {:>6} {:>11} {:>8} {:>8} {:>8}".format(*header))
    for name, loader in LOADERS.items():
        first_runs, reruns = [], []
        for _ in range(REPEATS):
            Taxonomy.objects.all().delete()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as first_queries:
                result = loader(source_dir=source_dir)
            first_runs.append(time.perf_counter() - started)
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as rerun_queries:
                loader(source_dir=source_dir)
            reruns.append(time.perf_counter() - started)
        terms = result.created + result.updated + result.unchanged
        print(
            f"{name:<26} {terms:>6,} {statistics.median(first_runs):>9.2f} s "
            f"{len(first_queries):>8} {statistics.median(reruns):>6.2f} s {len(rerun_queries):>8}"
        )
    Taxonomy.objects.all().delete()


if __name__ == "__main__":
    main()

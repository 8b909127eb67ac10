"""How often the tagging assistant's first (and first three) suggestions are right.

On the small demo (`seed_demo` defaults: 300 services) in a PostgreSQL database of its own
(`BENCH_TAGGING_DATABASE_URL`, default `.../portal_bench_tagging`), holds out a fixed 20% of the
assured services that carry a service type (chosen by a hash of their id, so every run holds out
the same ones), builds the similarity index from the other 80%, asks for suggestions from each
held-out service's name and description, and prints top-1 and top-3 accuracy: a hit is a
suggestion that is one of the held-out service's own types. Also prints the same figures for the
word signal alone (names and synonyms, with an empty index) and the suggestion time.

    .venv/bin/python bench/tagging.py
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["BENCH_DATABASE_URL"] = os.environ.get(
    "BENCH_TAGGING_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_tagging"
)
import _setup

HOLD_OUT_PERCENT = 20


def held_out(service_id) -> bool:
    digest = hashlib.sha256(str(service_id).encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HOLD_OUT_PERCENT


def main() -> None:
    _setup.ensure_database()
    _setup.setup_django()

    from django.core.management import call_command

    from directory.models import Service
    from workflow.tagging.suggest import (
        _indexed_services,
        _service_type_attributes,
        build_index,
        suggest_service_types,
    )

    call_command("migrate", verbosity=0)
    call_command("seed_demo", if_empty=True, verbosity=0)

    candidates = list(_indexed_services().values_list("pk", "name", "description"))
    types: dict = {}
    for link_id, term_id in _service_type_attributes().values_list("link_id", "taxonomy_term_id"):
        types.setdefault(link_id, set()).add(term_id)
    test = [row for row in candidates if held_out(row[0])]
    train = Service.objects.filter(pk__in=[row[0] for row in candidates if not held_out(row[0])])

    started = time.perf_counter()
    index = build_index(train)
    build_ms = (time.perf_counter() - started) * 1000
    empty = build_index(Service.objects.none())

    def accuracy(index) -> tuple[float, float, list[float]]:
        top1 = top3 = 0
        timings = []
        for pk, name, description in test:
            started = time.perf_counter()
            suggestions = suggest_service_types(name, description, limit=3, index=index)
            timings.append((time.perf_counter() - started) * 1000)
            ids = [s.term.id for s in suggestions]
            top1 += bool(ids[:1] and ids[0] in types[pk])
            top3 += bool(set(ids) & types[pk])
        return top1 / len(test), top3 / len(test), timings

    print(f"assured services with a service type: {len(candidates)}")
    print(f"index built from {len(index.service_ids)} (80%) in {build_ms:.0f} ms")
    print(f"held out: {len(test)}")
    if not test:
        sys.exit("nothing held out")
    top1, top3, timings = accuracy(index)
    print(f"words + similarity: top-1 {top1:.1%}, top-3 {top3:.1%}")
    print(
        f"suggestion time: median {statistics.median(timings):.1f} ms, "
        f"p95 {_setup.percentile(timings, 0.95):.1f} ms"
    )
    top1, top3, _ = accuracy(empty)
    print(f"words alone (names, GOV.UK labels, synonyms): top-1 {top1:.1%}, top-3 {top3:.1%}")
    print(_setup.machine())


if __name__ == "__main__":
    main()

"""Publishing at national scale: `rebuild_snapshots` over 100,000 seeded services on PostgreSQL.

Builds (or reuses) the national data set (bench/_setup.py), then runs `rebuild_snapshots` in a
fresh process, as an operator would, and prints the services published, the time, the rate, the
process's peak memory, and the machine and its load before and after. The target: 100,000 in
90 s or less, memory flat.

Not a test: it prints figures. BENCH_DATABASE_URL for another database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup


def main() -> None:
    _setup.ensure_database()
    _setup.setup_django()
    _setup.wait_for_seeding()
    _setup.ensure_national_data()
    from directory.models import Service

    print(f"\n{Service.objects.count():,} services; machine: {_setup.machine()}")
    started = time.perf_counter()
    run = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "manage.py", "rebuild_snapshots"],
        cwd=_setup.ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    published = int(re.search(r"Published (\d+)", run.stdout).group(1))
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr)
    memory = f", peak RSS {int(peak.group(1)) / 1024:.0f} MB" if peak else ""
    print(
        f"rebuild_snapshots: {published:,} published in {seconds:.0f} s = "
        f"{published / seconds:,.0f} services/s{memory} (process start included)"
    )
    print(f"machine after the run: {_setup.machine()}")


if __name__ == "__main__":
    main()

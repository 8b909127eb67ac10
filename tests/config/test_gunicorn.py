"""The gunicorn settings prepare each worker before it takes a request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A fresh interpreter: the hook reads the whole postcode directory and freezes the collector.
PROBE = """
import gc, json, runpy, django
django.setup()
from directory import geo
hooks = runpy.run_path("config/gunicorn.conf.py")
hooks["post_worker_init"](None)
print(json.dumps({
    "letters": len(geo._letter_files()),
    "read": geo._letter_table.cache_info().currsize,
    "frozen": gc.get_freeze_count(),
}))
"""


def test_a_worker_reads_the_postcode_directory_and_freezes_what_it_made_before_requests():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["letters"] > 20 and found["read"] == found["letters"]
    assert found["frozen"] > 10_000

"""Background work of the quality checks (django-q2): take ids, call a service."""

from __future__ import annotations

import uuid
from typing import Any

from .services import (
    link_checks_discover,
    link_checks_run,
    service_quality_compute,
    service_quality_compute_all,
)


def score_services(service_ids: list[str]) -> int:
    return service_quality_compute(service_ids=[uuid.UUID(str(pk)) for pk in service_ids])


def score_all_services() -> int:
    """Nightly: every service's score, whatever changed it (bulk loads, nested edits)."""
    return service_quality_compute_all()


def check_links() -> dict[str, Any]:
    """Find new web addresses and email domains, then check those due (hourly)."""
    added = link_checks_discover()
    report = link_checks_run()
    return {
        "added": added,
        "checked": report.checked,
        "broken": report.broken,
        "deferred": report.deferred,
    }

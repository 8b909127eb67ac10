"""How a holiday closure is written in ORUK 3.0, for everyone who reads or writes one.

ORUK 3.0 has no "closed" flag, so a closure is a schedule valid only for its dates, with no day
rule and no opening times, whose description says "Closed" (a reader that knows nothing of this
still shows the words). The editing pages write closures so; the finder, its calendars and the
staff pages read them by this one test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_closure(schedule: Mapping[str, Any]) -> bool:
    return bool(
        schedule.get("valid_from")
        and schedule.get("valid_to")
        and not any(schedule.get(key) for key in ("freq", "byday", "bymonthday"))
        and not (schedule.get("opens_at") or schedule.get("closes_at"))
        and str(schedule.get("description") or "").startswith("Closed")
    )

"""Reading an ORUK 1.0 API: which dialect an API speaks, and walking its services.

An ORUK 1.0 API (Porism's ServiceDirectoryService and the council feeds built like it, and our
own `/api/v1/`) answers `/services/?page=N&per_page=M` with a Spring page (`content`,
`totalElements`, `totalPages`, `number`, `size`, `first`, `last`, `empty`; pages start at 1) of
basic services, and `/services/{id}` with the full service. The network is reached only through
`fetch(url, timeout)` (by default `sources._get_json`), so tests swap it for a fake.
"""

from __future__ import annotations

import json
import re
import tempfile
import urllib.parse
from collections.abc import Callable
from typing import IO, Any

from . import sources
from .sources import SourceError
from .v1 import ORUK1, ORUK3

Fetch = Callable[[str, float], Any]


def api_base(base_url: str) -> str:
    """The API's base URL ending in `/`; a URL given down to its `/services` is cut back."""
    parts = urllib.parse.urlsplit(base_url.strip())
    path = re.sub(r"/services/?$", "", parts.path.rstrip("/") + "/").rstrip("/") + "/"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _fetcher(fetch: Fetch | None) -> Fetch:
    return fetch or sources._get_json  # looked up now, so a test can replace it


def detect_api_dialect(base_url: str, *, timeout: float = 30, fetch: Fetch | None = None) -> str:
    """ORUK1 or ORUK3, from the shape of the API's first page of services."""
    url = f"{api_base(base_url)}services?{urllib.parse.urlencode({'page': 1, 'per_page': 1})}"
    listing = _fetcher(fetch)(url, timeout)
    if isinstance(listing, dict) and isinstance(listing.get("contents"), list):
        return ORUK3
    if isinstance(listing, dict) and isinstance(listing.get("content"), list):
        return ORUK1
    raise SourceError(
        f"{url} is neither an ORUK 3.0 list page (contents) nor an ORUK 1.0 page (content)"
    )


def harvest_oruk1_api(
    base_url: str,
    *,
    per_page: int = 100,
    timeout: float = 30,
    progress: Callable[[int], None] | None = None,
    fetch: Fetch | None = None,
) -> IO[str]:
    """Walk `/services/?page=N` of an ORUK 1.0 API and fetch every full `/services/{id}`.

    The services are spooled to a temporary ndjson file (returned open, at position 0), as
    `sources.harvest_api` does for ORUK 3.0. The walk stops at the last page (`last`, or
    `totalPages`), at an empty page, or at a page that brings no service not seen before (an
    API that ignores `page`).
    """
    get = _fetcher(fetch)
    base = api_base(base_url)
    spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (handed to the caller)
    seen: set[str] = set()
    page = 1
    try:
        while True:
            query = urllib.parse.urlencode({"page": page, "per_page": per_page})
            url = f"{base}services/?{query}"
            listing = get(url, timeout)
            items = listing.get("content") if isinstance(listing, dict) else None
            if not isinstance(items, list):
                raise SourceError(f"{url} is not an ORUK 1.0 page of services (no content)")
            new = 0
            for item in items:
                raw_id = item.get("id") if isinstance(item, dict) else None
                key = str(raw_id).strip() if isinstance(raw_id, int | str) else ""
                if not key:
                    spool.write(json.dumps(item) + "\n")  # the import names what is wrong
                    continue
                if key in seen:
                    continue
                seen.add(key)
                new += 1
                quoted = urllib.parse.quote(key, safe="")
                spool.write(json.dumps(get(f"{base}services/{quoted}", timeout)) + "\n")
                if progress:
                    progress(1)
            total_pages = listing.get("totalPages")
            if (
                not items
                or not new
                or listing.get("last") is True
                or (isinstance(total_pages, int) and page >= total_pages)
            ):
                break
            page += 1
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool

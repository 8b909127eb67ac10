"""Where ORUK documents come from: files (JSON page, array, one document, ndjson) or a live API.

ORUK 1.0 APIs are walked by `v1_api.py`, through the same `_get_json`.
"""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

USER_AGENT = "directory-portal-importer/1.0 (+ORUK 3.0)"


class SourceError(Exception):
    """The source cannot be read at all (missing file, broken JSON, unreachable API)."""


def parse_json(text: str | bytes, where: str) -> Any:
    """JSON text as a value; a document nested deeper than Python's parser can go (about 1,000
    levels, never ORUK) is a SourceError naming `where`, like any other unreadable input."""
    try:
        return json.loads(text)
    except RecursionError:
        raise SourceError(f"{where} is nested too deeply to be ORUK JSON") from None


def is_url(source: str) -> bool:
    return urllib.parse.urlparse(source).scheme in ("http", "https")


def _documents_in(value: Any) -> tuple[list[Any], bool]:
    """The documents a parsed JSON value holds, and whether they are list items (partial)."""
    if isinstance(value, list):
        return value, False
    if isinstance(value, dict) and isinstance(value.get("contents"), list):
        return value["contents"], True
    if isinstance(value, dict) and isinstance(value.get("content"), list):
        return value["content"], True  # an ORUK 1.0 (Spring) page of services
    return [value], False


def read_file(path: Path) -> tuple[Callable[[], Iterator[Any]], bool]:
    """A re-iterable stream of the documents in `path`, and whether they are list items.

    ndjson is streamed line by line; a JSON file (page, array, one document) is parsed whole.
    """
    if not path.is_file():
        raise SourceError(f"There is no file at {path}")
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    try:
        single = _looks_like_single_json(path, head)
        value = parse_json(path.read_bytes(), str(path)) if single else None
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path} is not valid JSON: {exc}") from exc
    if value is not None:
        documents, partial = _documents_in(value)
        return (lambda: iter(documents)), partial
    return (lambda: _ndjson_lines(path)), False


def _looks_like_single_json(path: Path, head: bytes) -> bool:
    text = head.lstrip()
    if text.startswith(b"["):
        return True
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        return False
    try:
        parse_json(path.read_bytes(), str(path))
    except json.JSONDecodeError as exc:
        return exc.msg != "Extra data"  # "Extra data": a second object follows, so ndjson
    return True


def _ndjson_lines(path: Path) -> Iterator[Any]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield parse_json(line, f"{path} line {number}")
            except json.JSONDecodeError as exc:
                raise SourceError(f"{path} line {number} is not valid JSON: {exc}") from exc


def _get_json(url: str, timeout: float) -> Any:
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return parse_json(response.read(), url)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{url} answered {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SourceError(f"Could not reach {url}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(f"{url} did not return JSON: {exc}") from exc


def harvest_api(
    base_url: str,
    *,
    per_page: int = 100,
    timeout: float = 30,
    progress: Callable[[int], None] | None = None,
) -> IO[str]:
    """Walk `/services?page=N` of an ORUK 3.0 API and fetch every full `/services/{id}`.

    The documents are spooled to a temporary ndjson file (returned, open, at position 0), so that
    the import can read them twice without fetching twice and without holding them in memory.
    """
    base = base_url.rstrip("/") + "/"
    spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (handed to the caller)
    page = 1
    while True:
        query = urllib.parse.urlencode({"page": page, "per_page": per_page})
        listing = _get_json(f"{base}services?{query}", timeout)
        items = listing.get("contents") if isinstance(listing, dict) else None
        if not isinstance(items, list):
            raise SourceError(f"{base}services?{query} is not an ORUK list page (no contents)")
        for item in items:
            service_id = urllib.parse.quote(str(item.get("id", "")))
            spool.write(json.dumps(_get_json(f"{base}services/{service_id}", timeout)) + "\n")
            if progress:
                progress(1)
        total_pages = listing.get("total_pages")
        if (
            not items
            or listing.get("last_page") is True
            or (isinstance(total_pages, int) and page >= total_pages)
        ):
            break
        page += 1
    spool.seek(0)
    return spool


def spool_reader(spool: IO[str]) -> Callable[[], Iterator[Any]]:
    def documents() -> Iterator[Any]:
        spool.seek(0)
        for line in spool:
            if line.strip():
                yield parse_json(line, "a harvested record")

    return documents

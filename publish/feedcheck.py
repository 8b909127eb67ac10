"""Walk an ORUK 3.0 feed the way the official validator does, and say what passes and fails.

api_details; for each list endpoint page 1, the middle page and the last page (envelope consistency
and schema); up to ten items of each list fetched by id and validated. Works over HTTP against any
feed, or in-process against our own (no network, used by the admin).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from directory.oruk import schema_errors

LISTS = (
    # path, list schema, item schema, required by ORUK
    ("services", "service_list.json", "service.json", True),
    ("service_at_locations", "service_at_location_list.json", "service_at_location.json", False),
    ("organizations", "organization_list.json", "organization.json", False),
    ("taxonomies", "taxonomy_list.json", "taxonomy.json", False),
    ("taxonomy_terms", "taxonomy_term_list.json", "taxonomy_term.json", False),
)
IDS_PER_LIST = 10


class Transport(Protocol):
    def get(self, path: str) -> tuple[int, str, bytes]: ...  # status, content type, body


class HttpTransport:
    def __init__(self, base_url: str, timeout: float = 30) -> None:
        self.base = base_url.rstrip("/") + "/"
        self.timeout = timeout

    def get(self, path: str) -> tuple[int, str, bytes]:
        request = urllib.request.Request(
            urllib.parse.urljoin(self.base, path), headers={"Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return 0, "", str(exc).encode()


class ClientTransport:
    """Our own feed, through Django's test client: no network, no server needed.

    Requests go to `origin` (by default PORTAL_BASE_URL, the address the portal is published
    at) as a client's would: its host must pass ALLOWED_HOSTS and an https origin is asked over
    HTTPS, so the answers and the absolute links in them are what clients get. (The test
    client's own host, "testserver", is in no live portal's ALLOWED_HOSTS: every answer would
    be 400.)
    """

    def __init__(self, base_path: str = "/api/v3/", *, origin: str | None = None) -> None:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
        from django.http.request import split_domain_port, validate_host
        from django.test import Client

        url = urllib.parse.urlsplit(origin or settings.PORTAL_BASE_URL)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ImproperlyConfigured(f"{url.geturl()!r} is not an http(s) address")
        domain, _ = split_domain_port(url.netloc)
        allowed = settings.ALLOWED_HOSTS
        if settings.DEBUG and not allowed:
            allowed = [".localhost", "127.0.0.1", "[::1]"]  # as Django's own host check
        if not validate_host(domain, allowed):
            raise ImproperlyConfigured(
                f"This portal does not answer to {url.netloc} (PORTAL_BASE_URL): add "
                f"{domain} to ALLOWED_HOSTS or set PORTAL_BASE_URL to the portal's address"
            )
        # A view that fails answers 500, as over HTTP (and is logged by django.request).
        self.client = Client(headers={"host": url.netloc}, raise_request_exception=False)
        self.secure = url.scheme == "https"
        self.base = base_path

    def get(self, path: str) -> tuple[int, str, bytes]:
        response = self.client.get(self.base + path, secure=self.secure)
        return response.status_code, response.get("Content-Type", ""), response.content


@dataclass
class Check:
    name: str
    passed: bool
    detail: str = ""
    required: bool = True


@dataclass
class FeedReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks if c.required)

    def add(self, name: str, problems: list[str], *, required: bool = True) -> bool:
        self.checks.append(Check(name, not problems, "; ".join(problems[:5]), required))
        return not problems

    def lines(self) -> list[str]:
        out = []
        for c in self.checks:
            mark = "PASS" if c.passed else ("FAIL" if c.required else "WARN")
            out.append(f"{mark}  {c.name}" + (f": {c.detail}" if c.detail else ""))
        failed = sum(1 for c in self.checks if not c.passed and c.required)
        out.append(
            f"{'PASSED' if self.passed else 'FAILED'}: {len(self.checks)} checks, {failed} failed"
        )
        return out


def _fetch(transport: Transport, path: str) -> tuple[Any, list[str]]:
    status, content_type, body = transport.get(path)
    if status == 0:
        return None, [f"could not connect: {body.decode(errors='replace')}"]
    if not 200 <= status < 300:
        return None, [f"answered HTTP {status}"]
    if "json" not in content_type:
        return None, [f"answered {content_type or 'no content type'}, not JSON"]
    try:
        return json.loads(body), []
    except ValueError as exc:
        return None, [f"is not valid JSON: {exc}"]


def _schema_problems(schema: str, document: Any) -> list[str]:
    return [f"{path or '/'}: {message}" for path, message in schema_errors(schema, document)]


def _envelope_problems(page: dict, number: int) -> list[str]:
    problems = []
    contents = page.get("contents")
    if not isinstance(contents, list):
        return ["has no contents array"]
    for key in ("total_items", "total_pages", "page_number", "size"):
        if not isinstance(page.get(key), int):
            problems.append(f"{key} is missing or not an integer")
    for key in ("first_page", "last_page", "empty"):
        if not isinstance(page.get(key), bool):
            problems.append(f"{key} is missing or not true/false")
    if problems:
        return problems
    if page["size"] != len(contents):
        problems.append(f"size {page['size']} but {len(contents)} items")
    if page["page_number"] != number:
        problems.append(f"page_number {page['page_number']} for page {number}")
    if page["first_page"] != (number == 1):
        problems.append("first_page is wrong")
    if page["last_page"] != (number == page["total_pages"]):
        problems.append("last_page is wrong")
    if page["empty"] != (page["size"] == 0):
        problems.append("empty is wrong")
    return problems


def check_feed(transport: Transport) -> FeedReport:
    report = FeedReport()
    details, problems = _fetch(transport, "")
    if not problems:
        problems = _schema_problems("api_details.json", details)
        if not problems and not str(details.get("version", "")).startswith("HSDS-UK-3"):
            problems = [f"version {details.get('version')!r} is not HSDS-UK-3.0"]
    report.add("GET / (api_details)", problems)

    for path, list_schema, item_schema, required in LISTS:
        first, problems = _fetch(transport, f"{path}?page=1")
        if problems:
            report.add(f"GET /{path}", problems, required=required)
            continue
        report.add(
            f"GET /{path}?page=1",
            _envelope_problems(first, 1) + _schema_problems(list_schema, first),
            required=required,
        )
        total_pages = first.get("total_pages") if isinstance(first.get("total_pages"), int) else 1
        for number in sorted({total_pages // 2 if total_pages > 2 else 1, total_pages} - {1}):
            page, problems = _fetch(transport, f"{path}?page={number}")
            if not problems:
                problems = _envelope_problems(page, number) + _schema_problems(list_schema, page)
            report.add(f"GET /{path}?page={number}", problems, required=required)
        for item in (first.get("contents") or [])[:IDS_PER_LIST]:
            item_id = urllib.parse.quote(str(item.get("id", "")))
            document, problems = _fetch(transport, f"{path}/{item_id}")
            if not problems:
                problems = _schema_problems(item_schema, document)
            report.add(f"GET /{path}/{item_id}", problems, required=required)
    return report

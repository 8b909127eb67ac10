"""Asking the outside world whether a website answers and an email domain exists: the only
module of the quality checks that leaves the machine (tests replace `fetch` and `resolve`).

Polite by design: a User-Agent that names the portal and where to read about it, a HEAD before
any GET, short timeouts, a site's robots.txt obeyed, and never more than a few requests to one
host a minute (the limit is kept by `workflow.quality.services.link_checks_run`).
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlsplit

import dns.exception
import dns.resolver
from django.conf import settings

# Statuses after which a GET may still succeed: servers that refuse or do not know HEAD.
RETRY_WITH_GET = frozenset({400, 403, 405, 406, 429, 500, 501, 503})
ROBOTS_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""


class FetchError(Exception):
    """No HTTP answer at all (name not found, refused, timed out, bad certificate)."""


def user_agent() -> str:
    return str(
        getattr(settings, "PORTAL_LINK_CHECK_USER_AGENT", "")
        or f"{settings.PORTAL_NAME} link checker (+{settings.PORTAL_BASE_URL})"
    )


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def fetch(method: str, url: str, *, timeout: float, read: int = 0) -> Answer:
    """One request; `read` bytes of the body are kept (robots.txt). HTTP error statuses are
    answers; anything else raises FetchError."""
    request = urllib.request.Request(url, method=method, headers={"User-Agent": user_agent()})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.read(read) if read else b"")
    except urllib.error.HTTPError as error:
        return Answer(error.code)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(str(reason) or error.__class__.__name__) from error


def resolve(domain: str) -> bool:
    """Does `domain` receive email? Its MX records; a domain without any takes mail at its
    address records (RFC 5321 section 5.1), so then whether the name resolves at all. Raises
    FetchError when the lookup itself fails."""
    try:
        return bool(list(dns.resolver.resolve(domain, "MX", lifetime=_timeout())))
    except dns.resolver.NXDOMAIN:
        return False
    except dns.resolver.NoAnswer:
        pass
    except dns.exception.DNSException as error:
        raise FetchError(str(error)) from error
    try:
        return bool(socket.getaddrinfo(domain, None))
    except socket.gaierror as error:
        if error.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            return False
        raise FetchError(str(error)) from error


def _timeout() -> float:
    return float(getattr(settings, "PORTAL_LINK_CHECK_TIMEOUT_SECONDS", 10))


@dataclass(frozen=True)
class UrlResult:
    ok: bool
    status: int | None
    error: str
    requests: int


def check_url(url: str) -> UrlResult:
    """HEAD, then GET if the server will not say with HEAD."""
    if urlsplit(url).scheme not in ("http", "https") or not host_of(url):
        return UrlResult(False, None, "Not a web address (http:// or https://)", 0)
    requests = 0
    try:
        requests += 1
        answer = fetch("HEAD", url, timeout=_timeout())
        if answer.status in RETRY_WITH_GET:
            requests += 1
            answer = fetch("GET", url, timeout=_timeout())
    except FetchError as error:
        return UrlResult(False, None, str(error), requests)
    if answer.status < 400:
        return UrlResult(True, answer.status, "", requests)
    return UrlResult(False, answer.status, f"The site answered {answer.status}", requests)


def robots_for(url: str) -> urllib.robotparser.RobotFileParser | None:
    """The robots.txt of `url`'s site (one request), or None when it has none that can be
    read: then anything may be fetched."""
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        answer = fetch("GET", robots_url, timeout=_timeout(), read=ROBOTS_MAX_BYTES)
    except FetchError:
        return None
    if answer.status >= 400:
        return None
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(answer.body.decode("utf-8", errors="replace").splitlines())
    return parser


def robots_allow(parser: urllib.robotparser.RobotFileParser | None, url: str) -> bool:
    return parser is None or parser.can_fetch(user_agent(), url)

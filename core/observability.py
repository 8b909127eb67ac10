"""Request ids and structured logs: every log line written while serving a request names it.

`RequestIdMiddleware` takes the id a proxy sent (`X-Request-ID`, when it looks like an id) or
makes one, keeps it for the request (`request.id`, and a context variable that log records read),
and returns it in the response's `X-Request-ID`, so a person reporting a problem, the proxy's
log and the portal's log can be matched. `JsonFormatter` writes one JSON object per line
(LOG_FORMAT=json, the production default) with the request id, for log collectors.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# A proxy's id is kept only if it is short and plain: it is written into logs and headers.
ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default="-"
)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(HEADER, "")
        request_id = offered if ACCEPTABLE_ID.match(offered) else uuid.uuid4().hex
        request.id = request_id
        # Kept until the response is finished (not just until this returns): Django logs a
        # 4xx/5xx response ("django.request") after the middleware chain has returned.
        current_request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def forget_request_id(**kwargs: object) -> None:
    """`request_finished`: log lines from here on belong to no request."""
    current_request_id.set("-")


class RequestIdFilter(logging.Filter):
    """Gives every record `request_id` (the current request's, or "-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)

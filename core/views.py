"""Domain-free views and view helpers: page titles, the error page that must not depend on
context, and the health check."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponseServerError, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)


class PageTitleMixin:
    """Gives the template `title`: the page's h1, which base.html also puts in `<title>`."""

    title = ""

    def get_title(self) -> str:
        return self.title

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.get_title())
        return context


def server_error(request: HttpRequest) -> HttpResponseServerError:
    """The 500 page, rendered without context processors (they may be what failed)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"portal_name": settings.PORTAL_NAME}))


def health(request: HttpRequest) -> JsonResponse:
    """`/healthz`: can this process reach the database and the task broker? 200 if both answer,
    503 naming what failed (for a load balancer or an uptime check; no personal data)."""
    checks = {"database": _database_answers(), "broker": _broker_answers()}
    healthy = all(state == "ok" for state in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response


def _database_answers() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("Health check: the database did not answer: %s", error)
        return "failed"
    return "ok"


def _broker_answers() -> str:
    """Redis when it is the django-q2 broker (REDIS_URL); otherwise the broker is the database."""
    redis_url = settings.Q_CLUSTER.get("redis")
    if not redis_url:
        return _database_answers()
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except redis.RedisError as error:
        logger.error("Health check: the broker did not answer: %s", error)
        return "failed"
    return "ok"

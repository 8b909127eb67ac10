"""Domain-free views and view helpers: page titles, the error page that must not depend on
context, and the health check."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse

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


def _error_page(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    paragraphs: list[str],
    link: dict[str, str] | None = None,
) -> HttpResponse:
    """A GOV.UK error page that needs neither the database nor the static manifest."""
    html = loader.get_template("errors/page.html").render(
        {
            "portal_name": settings.PORTAL_NAME,
            "title": title,
            "paragraphs": paragraphs,
            "link": link,
        }
    )
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request,
        status=400,
        title="Sorry, the portal could not understand that request",
        paragraphs=["Go back and try again. If it keeps happening, tell the directory team."],
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request,
        status=403,
        title="You do not have permission to see this page",
        paragraphs=[
            "Your roles do not let you see or change this. If you think they should, ask "
            "your partner admin or the directory team."
        ],
        link={"href": reverse("accounts:account"), "text": "Go to your account"},
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request,
        status=404,
        title="Page not found",
        paragraphs=[
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
        ],
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(
        request,
        status=500,
        title="Sorry, there is a problem with the service",
        paragraphs=["Try again later."],
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: usually a form left open so long that its session ended."""
    return _error_page(
        request,
        status=403,
        title="Sorry, that form has expired",
        paragraphs=[
            "For your security, forms stop working after a while, or after you sign out or in "
            "again somewhere else. Nothing was saved.",
            "Go back, reload the page, and send the form again.",
        ],
        link={"href": "/", "text": "Go to the start"},
    )


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

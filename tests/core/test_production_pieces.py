"""The pieces production relies on: request ids in headers and logs, the health check, the
Content-Security-Policy, the shared cache, and demo accounts refused on a live portal."""

from __future__ import annotations

import contextvars
import json
import logging
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from accounts.checks import demo_accounts_on_a_live_portal
from core.observability import JsonFormatter, RequestIdFilter, current_request_id
from tests.config.test_settings import run_settings
from tests.factories import UserFactory


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_a_proxys_id_is_kept(client):
    made = client.get("/accounts/sign-in/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/accounts/sign-in/")["X-Request-ID"] != made
    kept = client.get("/accounts/sign-in/", headers={"X-Request-ID": "proxy-1234-abcd"})
    assert kept["X-Request-ID"] == "proxy-1234-abcd"
    # An id that is not plain is not written into logs and headers.
    refused = client.get("/accounts/sign-in/", headers={"X-Request-ID": "bad id\twith tabs"})
    assert re.fullmatch(r"[0-9a-f]{32}", refused["X-Request-ID"])


@pytest.mark.django_db
def test_log_lines_written_while_serving_name_the_request(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", headers={"X-Request-ID": "trace-0000-0001"})
    assert response.status_code == 404
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == "trace-0000-0001"
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "trace-0000-0001"
    assert line["level"] == "WARNING"
    assert "Not Found" in line["message"]


def test_outside_a_request_the_id_is_a_dash():
    def log_outside_any_request() -> dict:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
        RequestIdFilter().filter(record)
        return json.loads(JsonFormatter().format(record))

    # A fresh context, as a worker thread or task has before (and after) any request.
    assert contextvars.Context().run(log_outside_any_request)["request_id"] == "-"


@pytest.mark.django_db
def test_the_id_is_forgotten_when_the_response_is_finished(client):
    client.get("/accounts/sign-in/", headers={"X-Request-ID": "trace-0000-0002"})
    assert current_request_id.get() == "-"


@pytest.mark.django_db
def test_health_answers_ok_when_the_database_and_broker_answer(client, settings):
    settings.Q_CLUSTER = {k: v for k, v in settings.Q_CLUSTER.items() if k != "redis"}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_health_answers_503_naming_a_broker_that_does_not_answer(client, settings):
    # A real connection to a port where nothing listens (port 9 is "discard", unused here).
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": "redis://127.0.0.1:9/0"}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "failed"}


@pytest.mark.django_db
def test_health_reaches_redis_when_it_is_the_broker(client, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": "redis://127.0.0.1:6379/0"}
    response = client.get("/healthz")
    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_allowances(client):
    response = client.get("/accounts/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline scripts"
    assert " style=" not in html


def test_redis_is_the_shared_cache_when_configured():
    probe = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.CACHES['default']))"
    )
    with_redis = run_settings(probe, DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/0")
    assert with_redis.returncode == 0, with_redis.stderr
    assert json.loads(with_redis.stdout) == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
        "KEY_PREFIX": "portal",
    }
    without = run_settings(probe, DEBUG="true", REDIS_URL="")
    assert json.loads(without.stdout)["BACKEND"].endswith("LocMemCache")


@pytest.mark.django_db
def test_demo_accounts_cannot_sign_in_with_debug_off(settings):
    demo = UserFactory(email="admin@demo.example")
    demo.set_password("published-password")
    demo.save()
    request = RequestFactory().post("/accounts/sign-in/")
    settings.DEBUG = False
    assert authenticate(request, username=demo.email, password="published-password") is None
    settings.DEBUG = True
    assert authenticate(request, username=demo.email, password="published-password") == demo


@pytest.mark.django_db
def test_check_deploy_names_demo_accounts_on_a_live_portal(settings):
    settings.DEBUG = False
    assert demo_accounts_on_a_live_portal() == []
    UserFactory(email="assurer@demo.example")
    (warning,) = demo_accounts_on_a_live_portal()
    assert warning.id == "accounts.W001"
    assert "assurer@demo.example" in warning.msg
    settings.DEBUG = True
    assert demo_accounts_on_a_live_portal() == []
    call_command("check", "--deploy", "--fail-level", "CRITICAL")

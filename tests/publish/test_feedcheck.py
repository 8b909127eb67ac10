"""check_feed walks a feed as the official validator does."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from publish.feedcheck import ClientTransport, check_feed
from publish.models import Feed
from tests.oruk_files import require_oruk_files

LIVE = "directory.example.gov.uk"


@pytest.fixture(autouse=True)
def _oruk_files():
    require_oruk_files()


@pytest.fixture(autouse=True)
def _live_hosts(settings):
    """Host settings as on a live portal: the test client's "testserver", which the test
    run adds to ALLOWED_HOSTS, is not there, and plain HTTP is redirected to HTTPS."""
    settings.ALLOWED_HOSTS = [LIVE]
    settings.PORTAL_BASE_URL = f"https://{LIVE}"
    settings.SECURE_SSL_REDIRECT = True


def test_our_own_feed_passes(world, capsys):
    call_command("check_feed")
    output = capsys.readouterr().out
    assert "PASSED" in output and "FAIL " not in output and "WARN " not in output
    assert "HTTP 400" not in output
    assert "GET /services?page=1" in output and "GET /taxonomy_terms/" in output


def test_the_in_process_check_sees_what_clients_see(world):
    report = check_feed(ClientTransport("/api/v3/"))
    assert report.passed and all(check.passed for check in report.checks)
    names = [check.name for check in report.checks]
    # api_details, five lists, and every service in the feed fetched by id.
    transport = ClientTransport("/api/v3/")
    status, _, body = transport.get("services?page=1")
    assert status == 200
    served = [item["id"] for item in json.loads(body)["contents"]]
    assert served and {f"GET /services/{pk}" for pk in served} <= set(names)
    assert names[:2] == ["GET / (api_details)", "GET /services?page=1"]
    # The absolute links in the feed are the published address's.
    status, _, body = transport.get("")
    assert status == 200
    assert json.loads(body)["openapi_url"].startswith(f"https://{LIVE}/")


def test_the_check_says_when_the_portal_does_not_answer_to_its_own_address(world, settings):
    settings.PORTAL_BASE_URL = "https://elsewhere.example.org"
    with pytest.raises(CommandError, match=r"does not answer to elsewhere\.example\.org"):
        call_command("check_feed")


def test_a_view_that_fails_is_reported_as_http_500(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("publish.api.views.ApiDetailsView.get", broken)
    report = check_feed(ClientTransport("/api/v3/"))
    assert not report.passed
    assert report.checks[0].detail == "answered HTTP 500"


class BrokenTransport:
    """A feed whose services lack required fields and whose envelope miscounts."""

    def get(self, path: str):
        if path == "":
            body = {"version": "HSDS 3.0", "profile": "x", "openapi_url": "not a uri"}
        elif path.startswith("services?"):
            body = {
                "total_items": 1, "total_pages": 1, "page_number": 1, "size": 2,
                "first_page": True, "last_page": True, "empty": False,
                "contents": [{"id": "00000000-0000-4000-8000-000000000001"}],
            }  # fmt: skip
        elif path.startswith("services/"):
            body = {"id": "00000000-0000-4000-8000-000000000001", "status": "open"}
        else:
            return 404, "application/json", b"{}"
        return 200, "application/json", json.dumps(body).encode()


def test_a_broken_feed_fails_with_reasons(db):
    report = check_feed(BrokenTransport())
    assert not report.passed
    text = "\n".join(report.lines())
    assert "FAIL  GET / (api_details)" in text
    assert "size 2 but 1 items" in text
    assert "'name' is a required property" in text
    assert "WARN  GET /organizations: answered HTTP 404" in text


def test_the_command_fails_for_a_feed_that_does_not_answer(db):
    with pytest.raises(CommandError, match="does not conform"):
        call_command("check_feed", "http://127.0.0.1:9/api/v3/")


def test_directory_admin_can_run_the_check_from_the_admin(world, admin_client):
    feed = Feed.objects.get(is_default=True)
    response = admin_client.post(
        "/admin/publish/feed/",
        {"action": "check_against_oruk", "_selected_action": [feed.pk]},
        headers={"host": LIVE},
        secure=True,
    )
    assert response.status_code == 200
    assert b"conforms to ORUK 3.0" in response.content
    assert b"HTTP 400" not in response.content

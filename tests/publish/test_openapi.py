"""Our OpenAPI document describes the API as it behaves: schemathesis finds no server errors and
no response that breaks the documented (ORUK) schemas."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.oruk_files import require_oruk_files


@pytest.fixture(scope="module")
def openapi_document(django_db_blocker) -> dict:
    require_oruk_files()
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v3/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_document_lists_every_oruk_endpoint_and_parameter(openapi_document):
    paths = set(openapi_document["paths"])
    assert paths == {
        "/api/v3/",
        "/api/v3/services",
        "/api/v3/services/{id}",
        "/api/v3/service_at_locations",
        "/api/v3/service_at_locations/{id}",
        "/api/v3/organizations",
        "/api/v3/organizations/{id}",
        "/api/v3/taxonomies",
        "/api/v3/taxonomies/{id}",
        "/api/v3/taxonomy_terms",
        "/api/v3/taxonomy_terms/{id}",
    }
    services = {
        p["name"] for p in openapi_document["paths"]["/api/v3/services"]["get"]["parameters"]
    }
    assert services >= {
        "search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id",
        "organization_id", "modified_after", "minimal", "full", "postcode", "proximity",
        "minimum_age", "maximum_age", "day", "start_time", "end_time",
    }  # fmt: skip
    schema = openapi_document["components"]["schemas"]["oruk_service"]
    assert schema["required"] == ["id", "name", "status"]


def test_api_details_links_to_this_document(client, db):
    details = json.loads(client.get("/api/v3/").content)
    assert details["openapi_url"] == "http://testserver/api/v3/openapi.json"


def test_docs_page_explains_every_endpoint_and_decision(client, db):
    response = client.get("/api/v3/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("GET /services", "taxonomy_term_id", "top_only", "Where the standard leaves"):
        assert text in page


@pytest.fixture
def wsgi_app_in_test_transaction():
    """The WSGI app as schemathesis drives it, kept from closing the test's database connection
    at the end of each request (as Django's own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_server_errors_and_no_schema_violations(world, settings, wsgi_app_in_test_transaction):
    """Property-based: for every operation, generated parameters (valid by the document) never
    get a 5xx, and every answer matches the status codes and schemas the document declares."""
    require_oruk_files()
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    loaded = schemathesis.openapi.from_wsgi("/api/v3/openapi.json", wsgi_app_in_test_transaction)
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) == 11

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=20,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            # Not checked: that every schema-valid request succeeds. A well-formed postcode that
            # does not exist, or proximity without postcode, is rightly a 400 the schema cannot
            # express; every other check (no 5xx, documented status, type and schema) runs.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        check()

"""Our OpenAPI document loads in generic OpenAPI tools, and declares what we really answer:
JSON pages, ndjson streams, and the 400 and 404 bodies."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft4Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from tests.oruk_files import require_oruk_files

LISTS = [
    "/api/v3/services",
    "/api/v3/service_at_locations",
    "/api/v3/organizations",
    "/api/v3/taxonomies",
    "/api/v3/taxonomy_terms",
]


@pytest.fixture
def document(client, db) -> dict:
    require_oruk_files()
    response = client.get("/api/v3/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_openapi_spec_validator_passes(document, tmp_path):
    validate(document)  # raises on any error, a dangling $ref included
    # The same as the command-line tool reads it from a file.
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    spec, _ = read_from_filename(str(path))
    validate(spec)


def test_every_reference_points_at_a_component(document):
    refs = set(_refs(document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert isinstance(_resolve(document, ref), dict), ref
    # The one ORUK file with local definitions keeps them, as components of their own.
    schedules = document["components"]["schemas"]["oruk_service_with_definitions"]["properties"][
        "schedules"
    ]
    assert schedules["items"] == {
        "$ref": "#/components/schemas/oruk_service_with_definitions__schedule"
    }


@pytest.mark.parametrize("path", LISTS)
def test_lists_declare_json_pages_and_ndjson_streams(document, path):
    content = document["paths"][path]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "application/x-ndjson"}


def test_every_operation_declares_its_400_and_404_bodies(document):
    for path, operations in document["paths"].items():
        responses = operations["get"]["responses"]
        assert responses["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/BadRequest"
        }, path
        assert responses["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/NotFound"
        }, path


@pytest.mark.parametrize(
    ("url", "status", "component"),
    [
        ("/api/v3/services?page=0", 400, "BadRequest"),
        ("/api/v3/services?colour=blue", 400, "BadRequest"),
        ("/api/v3/services/not-a-uuid", 400, "BadRequest"),
        ("/api/v3/services/8a0a5f4e-0000-4000-8000-000000000000", 404, "NotFound"),
        ("/api/v3/feeds/no-such-feed/services", 404, "NotFound"),
        ("/api/v3/no_such_endpoint", 404, "NotFound"),
    ],
)
def test_error_answers_match_their_declared_bodies(client, document, url, status, component):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    schema = document["components"]["schemas"][component]
    errors = list(Draft4Validator(schema).iter_errors(json.loads(response.content)))
    assert not errors, errors


def test_ndjson_answers_with_the_declared_media_type(client, world, document):
    response = client.get("/api/v3/services?format=ndjson")
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines and all(json.loads(line)["id"] for line in lines)

"""A feed's own default page size, up to "every match on one page" (streamed), for clients that
send no paging parameters and read one page (the DfE Family Hubs harvester)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse

from publish.models import Feed
from publish.services import services_publish
from tests.factories import ServiceFactory
from tests.oruk_files import assert_valid, require_oruk_files
from tests.publish.conftest import PUBLISHED

BASE = "/api/v3/feeds/everything/"


def _feed(default_per_page) -> Feed:
    """A feed with the default feed's policy (a year), so it holds the world's PUBLISHED."""
    return Feed.objects.create(
        slug="everything",
        name="Everything",
        max_assurance_age_days=365,
        default_per_page=default_per_page,
    )


def _body(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


def test_a_feed_default_page_size_applies_when_the_client_names_none(client, world):
    _feed(3)
    page = _body(client.get(BASE + "services"))
    assert (page["size"], page["total_items"], page["total_pages"]) == (3, 4, 2)
    assert _body(client.get(BASE + "services?per_page=1"))["size"] == 1
    # Other feeds keep the API's default.
    assert _body(client.get("/api/v3/services"))["total_pages"] == 1


def test_all_lists_every_match_on_one_streamed_page(client, world):
    require_oruk_files()
    _feed(Feed.ALL)
    response = client.get(BASE + "services")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json"
    page = _body(response)
    assert {item["id"] for item in page["contents"]} == world.ids(*PUBLISHED)
    assert page["total_items"] == page["size"] == len(PUBLISHED)
    assert (page["total_pages"], page["page_number"]) == (1, 1)
    assert page["first_page"] and page["last_page"] and not page["empty"]
    assert_valid("service_list.json", page)
    assert response["ETag"] and response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("services?full=true", "service_list.json"),
        ("services?minimal=true", "service_list.json"),
        ("services?search=lunch", "service_list.json"),
        ("service_at_locations", "service_at_location_list.json"),
        ("organizations", "organization_list.json"),
        ("organizations?full_service=true", "organization_list.json"),
        ("taxonomies", "taxonomy_list.json"),
        ("taxonomy_terms", "taxonomy_term_list.json"),
    ],
)
def test_all_applies_to_every_list(client, world, path, schema):
    require_oruk_files()
    _feed(Feed.ALL)
    page = _body(client.get(BASE + path))
    assert page["total_pages"] == 1 and page["size"] == len(page["contents"]) > 0
    assert page["total_items"] == page["size"]
    assert_valid(schema, page)


def test_all_still_pages_when_the_client_asks(client, world):
    _feed(Feed.ALL)
    page = _body(client.get(BASE + "services?per_page=2&page=2"))
    assert (page["size"], page["total_pages"], page["page_number"]) == (2, 2, 2)
    ndjson = client.get(BASE + "services?format=ndjson")
    assert ndjson["Content-Type"] == "application/x-ndjson"


def test_beyond_the_one_page_is_an_empty_page(client, world):
    _feed(Feed.ALL)
    page = _body(client.get(BASE + "services?page=2"))
    assert page["contents"] == [] and page["empty"] and page["size"] == 0
    assert (page["total_items"], page["total_pages"], page["page_number"]) == (4, 1, 2)
    assert not page["first_page"] and not page["last_page"]


def test_an_empty_feed_is_one_empty_page(client, db):
    _feed(Feed.ALL)
    page = _body(client.get(BASE + "services"))
    assert page["contents"] == [] and page["empty"] and page["total_pages"] == 1


def test_bad_paging_parameters_are_still_refused(client, world):
    _feed(Feed.ALL)
    for query, parameter in (("per_page=0", "per_page"), ("page=x", "page")):
        response = client.get(f"{BASE}services?{query}")
        assert response.status_code == 400
        assert json.loads(response.content)["parameter"] == parameter


def test_the_whole_list_costs_the_same_queries_however_long(
    client, world, django_assert_max_num_queries
):
    """Streamed from one query (a server-side cursor on PostgreSQL): neither the queries nor
    the memory grow with the number of services."""
    _feed(Feed.ALL)
    _body(client.get(BASE + "services"))  # warms the feed cache
    with django_assert_max_num_queries(3):
        assert len(_body(client.get(BASE + "services?full=true"))["contents"]) == 4
    services = ServiceFactory.create_batch(60, organization=world.organizations["older"])
    services_publish(service_ids=[s.pk for s in services])
    _body(client.get(BASE + "services"))
    with django_assert_max_num_queries(3):
        assert len(_body(client.get(BASE + "services?full=true"))["contents"]) == 64


@pytest.mark.parametrize(("value", "valid"), [(None, True), (0, True), (1000, True), (1001, False)])
def test_the_default_page_size_is_checked(db, value, valid):
    feed = Feed(slug="x", name="X", default_per_page=value)
    if valid:
        feed.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            feed.full_clean()
        assert "default_per_page" in error.value.message_dict

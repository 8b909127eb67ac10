"""The ORUK 3.0 API: conformance, paging, filters, errors, headers, query counts."""

from __future__ import annotations

import json

import pytest

from tests.oruk_files import assert_valid, require_oruk_files
from tests.publish.conftest import PUBLISHED

BASE = "/api/v3/"


def get(client, path: str, **params):
    response = client.get(BASE + path, params)
    return response


def body(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.loads(response.content)


def listed_ids(client, path: str, **params) -> set[str]:
    response = get(client, path, per_page=1000, **params)
    assert response.status_code == 200, response.content
    return {item["id"] for item in body(response)["contents"]}


@pytest.fixture(autouse=True)
def _oruk_files():
    require_oruk_files()


def test_api_details_names_the_version_the_validator_parses(client, world):
    details = body(get(client, ""))
    assert details["version"] == "HSDS-UK-3.0"
    assert details["openapi_url"].startswith("http://testserver/api/v3/openapi.json")
    assert_valid("api_details.json", details)


@pytest.mark.parametrize(
    ("path", "schema", "item_schema"),
    [
        ("services", "service_list.json", "service.json"),
        ("service_at_locations", "service_at_location_list.json", "service_at_location.json"),
        ("organizations", "organization_list.json", "organization.json"),
        ("taxonomies", "taxonomy_list.json", "taxonomy.json"),
        ("taxonomy_terms", "taxonomy_term_list.json", "taxonomy_term.json"),
    ],
)
@pytest.mark.parametrize("full", [False, True])
def test_every_list_and_detail_validates_against_the_oruk_schemas(
    client, world, path, schema, item_schema, full
):
    page = body(get(client, path, full=str(full).lower()))
    assert page["contents"], path
    assert_valid(schema, page)
    for item in page["contents"]:
        assert_valid(item_schema, item)
        detail = body(get(client, f"{path}/{item['id']}"))
        assert detail["id"] == item["id"]
        assert_valid(item_schema, detail)


def test_ndjson_streams_every_match_one_valid_object_a_line(client, world):
    response = get(client, "services", format="ndjson", full="true")
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    documents = [json.loads(line) for line in lines]
    assert {d["id"] for d in documents} == world.ids(*PUBLISHED)
    for document in documents:
        assert_valid("service.json", document)


def test_full_service_documents_are_fully_nested(client, world):
    lunch = body(get(client, f"services/{world.services['lunch'].pk}"))
    assert lunch["schedules"][0]["byday"] == "TU"
    assert lunch["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "HU1 1AA"
    assert lunch["attributes"][0]["taxonomy_term"]["name"] == "Befriending"
    assert lunch["organization"]["name"] == "Older Friends Hull"


def test_only_published_services_within_the_feed_policy_are_served(client, world):
    assert listed_ids(client, "services") == world.ids(*PUBLISHED)
    for name in ("never", "defunct", "stale", "hidden"):
        response = get(client, f"services/{world.services[name].pk}")
        assert response.status_code == 404, name
        assert body(response)["error"] == "not_found"


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (1, {"size": 3, "first_page": True, "last_page": False, "empty": False}),
        (2, {"size": 1, "first_page": False, "last_page": True, "empty": False}),
        (3, {"size": 0, "first_page": False, "last_page": False, "empty": True}),
    ],
)
def test_envelope_is_consistent_on_first_last_and_beyond_last_pages(client, world, page, expected):
    envelope = body(get(client, "services", per_page=3, page=page))
    assert (envelope["total_items"], envelope["total_pages"]) == (4, 2)
    assert envelope["page_number"] == page
    assert envelope["size"] == len(envelope["contents"])
    assert {key: envelope[key] for key in expected} == expected


def test_middle_page_of_four(client, world):
    envelope = body(get(client, "services", per_page=1, page=2))
    summary = [envelope[k] for k in ("total_pages", "size", "first_page", "last_page", "empty")]
    assert summary == [4, 1, False, False, False]


def test_pages_cover_every_item_exactly_once(client, world):
    seen = []
    for page in (1, 2, 3, 4):
        seen += [i["id"] for i in body(get(client, "services", per_page=1, page=page))["contents"]]
    assert sorted(seen) == sorted(world.ids(*PUBLISHED))


def test_empty_feed_has_one_empty_page(client, db):
    envelope = body(get(client, "services"))
    assert envelope == {
        "total_items": 0, "total_pages": 1, "page_number": 1, "size": 0,
        "first_page": True, "last_page": True, "empty": True, "contents": [],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "lunch"}, {"lunch"}),
        ({"search": "LONELY older"}, {"lunch"}),
        ({"search": "clubs"}, {"lunch", "youth"}),
        ({"search": "Youth Trust"}, {"youth", "closed"}),
        ({"search": "befriending"}, {"lunch"}),
        ({"search": "nothing-like-this"}, set()),
        ({"taxonomy_term_id": "social"}, {"lunch"}),
        ({"taxonomy_term_id": "befriending"}, {"lunch"}),
        ({"taxonomy_term_id": "leisure"}, {"youth"}),
        ({"taxonomy_id": "other"}, {"youth"}),
        ({"organization_id": "older"}, {"lunch", "debt"}),
        ({"minimum_age": 65}, {"lunch", "debt"}),
        ({"maximum_age": 10}, {"closed"}),
        ({"minimum_age": 12, "maximum_age": 15}, {"youth"}),
        ({"day": "TU"}, {"lunch"}),
        ({"day": "FR", "start_time": "17:00", "end_time": "19:00"}, {"youth"}),
        ({"day": "TU", "start_time": "13:00"}, set()),
        ({"postcode": "HU1 2AA", "proximity": 2000}, {"lunch"}),
        ({"postcode": "hu12aa", "proximity": 5000}, {"lunch", "youth"}),
        ({"postcode": "HU1 2AA"}, {"lunch", "youth", "closed"}),
        ({"postcode": "LS1 1UR"}, {"debt", "youth", "closed"}),
        ({"search": "club", "organization_id": "youth"}, {"youth"}),
        ({"modified_after": "2000-01-01"}, {"lunch", "youth", "debt", "closed"}),
        ({"modified_after": "2999-01-01T00:00:00+01:00"}, set()),
    ],
)
def test_each_filter_returns_exactly_the_matching_published_services(
    client, world, params, expected
):
    resolved = {}
    for key, value in params.items():
        if key == "taxonomy_term_id":
            value = str(world.terms[value].pk)
        elif key == "taxonomy_id":
            value = str(world.other_taxonomy.pk)
        elif key == "organization_id":
            value = str(world.organizations[value].pk)
        resolved[key] = value
    assert listed_ids(client, "services", **resolved) == world.ids(*expected)


def test_proximity_orders_nearest_first(client, world):
    page = body(get(client, "services", postcode="HU1 1UU", proximity=10000))
    assert [i["name"] for i in page["contents"]] == ["Lunch club", "Youth football club"]
    sal = body(get(client, "service_at_locations", postcode="HU5 3QA", proximity=10000))
    assert [i["service"]["name"] for i in sal["contents"]] == ["Youth football club", "Lunch club"]


def test_search_ranks_name_matches_first(client, world):
    page = body(get(client, "services", search="lunch older"))
    assert page["contents"][0]["name"] == "Lunch club"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page": "two"}, "page"),
        ({"page": 0}, "page"),
        ({"per_page": 100000}, "per_page"),
        ({"per_page": -1}, "per_page"),
        ({"modified_after": "last tuesday"}, "modified_after"),
        ({"taxonomy_term_id": "not-a-uuid"}, "taxonomy_term_id"),
        ({"organization_id": "123"}, "organization_id"),
        ({"postcode": "XX1 1XX"}, "postcode"),
        ({"postcode": "not a postcode"}, "postcode"),
        ({"postcode": "HU1 1AA", "proximity": -5}, "proximity"),
        ({"proximity": 100}, "proximity"),
        ({"full": "maybe"}, "full"),
        ({"minimal": "yes please"}, "minimal"),
        ({"format": "xml"}, "format"),
        ({"day": "Monday"}, "day"),
        ({"day": "MO", "start_time": "12:00", "end_time": "09:00"}, "end_time"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_parameters_get_400_naming_the_parameter(client, world, params, parameter):
    response = get(client, "services", **params)
    assert response.status_code == 400
    error = body(response)
    assert error["error"] == "bad_request" and error["parameter"] == parameter
    assert error["message"]


def test_bad_ids_and_unknown_paths_answer_json(client, world):
    assert body(get(client, "services/not-a-uuid"))["parameter"] == "id"
    missing = get(client, "services/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and body(missing)["error"] == "not_found"
    nowhere = get(client, "nowhere")
    assert nowhere.status_code == 404 and body(nowhere)["error"] == "not_found"
    assert get(client, "feeds/no-such-feed/services").status_code == 404


def test_minimal_items_are_the_least_valid_list_items(client, world):
    page = body(get(client, "services", minimal="true"))
    assert page["size"] == 4
    assert set(page["contents"][0]) == {"id", "name", "status", "last_modified"}
    assert_valid("service_list.json", page)


def test_organizations_with_full_service_carry_their_services(client, world):
    older = world.organizations["older"]
    document = body(get(client, f"organizations/{older.pk}", full_service="true"))
    assert {s["id"] for s in document["services"]} == world.ids("lunch", "debt")
    assert "schedules" in next(s for s in document["services"] if s["name"] == "Lunch club")
    page = body(get(client, "organizations", full_service="true"))
    assert all("services" in item for item in page["contents"])
    assert_valid("organization_list.json", page)


def test_taxonomy_terms_filters(client, world):
    top = listed_ids(client, "taxonomy_terms", top_only="true", taxonomy_id=str(world.taxonomy.pk))
    assert top == {str(world.terms[n].pk) for n in ("social", "leisure", "advice")}
    children = listed_ids(client, "taxonomy_terms", parent_id=str(world.terms["social"].pk))
    assert children == {str(world.terms["befriending"].pk)}


def test_every_answer_is_open_to_any_origin(client, world):
    for path in ("", "services", "services/not-a-uuid", "nowhere"):
        assert get(client, path)["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        BASE + "services", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", HTTP_ORIGIN="https://x.org"
    )
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == "*"


def test_conditional_get_answers_304_until_the_feed_changes(client, world):
    first = get(client, "services")
    assert first["ETag"] and first["Last-Modified"] and "max-age" in first["Cache-Control"]
    again = client.get(BASE + "services", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    from publish.services import service_publish

    world.services["lunch"].name = "Lunch club (new day)"
    world.services["lunch"].save()
    service_publish(service=world.services["lunch"])
    changed = client.get(BASE + "services", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


@pytest.mark.parametrize("per_page", [1, 4, 1000])
@pytest.mark.parametrize(
    "path", ["services", "services?full=true", "service_at_locations", "organizations"]
)
def test_a_page_costs_the_same_queries_whatever_its_size(
    client, world, django_assert_max_num_queries, per_page, path
):
    separator = "&" if "?" in path else "?"
    # Cold: the feed version, the feed, its terms, the stored marks (none), the count and
    # marks, storing them, the page.
    with django_assert_max_num_queries(7):
        response = client.get(f"{BASE}{path}{separator}per_page={per_page}")
    assert response.status_code == 200


def test_other_feeds_narrow_by_term_and_assurance(client, world):
    from publish.models import Feed

    feed = Feed.objects.create(slug="activities", name="Activities", max_assurance_age_days=50)
    feed.taxonomy_terms.add(world.terms["leisure"], world.terms["social"])
    ids = listed_ids(client, "feeds/activities/services")
    assert ids == world.ids("lunch", "youth")
    detail = get(client, f"feeds/activities/services/{world.services['debt'].pk}")
    assert detail.status_code == 404


@pytest.mark.parametrize("words", ["counselling", "counseling", "counsel"])
def test_search_matches_word_forms_on_both_databases(client, world, words):
    from publish.services import service_publish

    lunch = world.services["lunch"]
    lunch.description = "Friendly counselling over lunch"
    lunch.save()
    service_publish(service=lunch)
    assert listed_ids(client, "services", search=words) == world.ids("lunch")


def test_search_tolerates_a_typo_in_a_name(client, world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("typo tolerance uses pg_trgm; the SQLite fallback matches word forms only")
    assert world.ids("youth") <= listed_ids(client, "services", search="footbal")
    assert world.ids("lunch") <= listed_ids(client, "services", search="lunch clubb")


def test_cached_totals_follow_every_publish(client, world):
    assert body(get(client, "services"))["total_items"] == 4
    lunch = world.services["lunch"]
    lunch.status = "inactive"
    lunch.save()  # leaves the feed at once, and moves the feed version
    assert body(get(client, "services"))["total_items"] == 3

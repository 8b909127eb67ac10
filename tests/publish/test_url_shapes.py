"""The URL shapes real clients send: doubled slashes (the ORUK website joins `BASE/` and
`/services`), and a feed served at a root path of the portal's host (the DfE harvester asks for
`/services` at the host root, whatever URL it was given)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from publish.models import Feed

PREFIXES = ["/api/v3/", "/api/v3/feeds/activities/"]


@pytest.fixture
def feeds(world):
    Feed.objects.create(slug="activities", name="Activities")
    return world


def raw_get(client, url: str):
    """GET `url` as an HTTP request line carries it: a path starting `//` is a path, not the
    network-path reference (`//host/path`) the test client would read it as."""
    path, _, query = url.partition("?")
    return client.get("/", PATH_INFO=path, QUERY_STRING=query)


def _same(first, second) -> None:
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first["Content-Type"] == second["Content-Type"]
    assert first["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_doubled_slash_lists_as_the_single_slash_url(client, feeds, prefix):
    """What the ORUK website sends for a registered base URL ending in `/`, empty first
    parameter included."""
    doubled = client.get(f"{prefix}/services?&page=1&per_page=5")
    single = client.get(f"{prefix}services?page=1&per_page=5")
    _same(doubled, single)
    assert json.loads(doubled.content)["contents"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_doubled_slash_finds_one_service(client, feeds, prefix):
    pk = feeds.services["lunch"].pk
    _same(client.get(f"{prefix}/services/{pk}"), client.get(f"{prefix}services/{pk}"))


@pytest.mark.parametrize(
    "path", ["/api/v3//taxonomy_terms", "/api/v3///organizations", "//api/v3/services"]
)
def test_any_run_of_slashes_reads_as_one(client, feeds, path):
    assert raw_get(client, path).status_code == 200


def test_a_doubled_slash_keeps_the_query_parameters_checked(client, feeds):
    response = client.get("/api/v3//services?&page=0")
    assert response.status_code == 400
    assert json.loads(response.content)["parameter"] == "page"


@pytest.fixture
def rooted(feeds):
    """The activities feed also served at the host root."""
    Feed.objects.filter(slug="activities").update(root_path="/")
    Feed.objects.get(slug="activities").save()  # signals: forget the cached roots
    return feeds


@pytest.mark.parametrize(
    ("at_root", "at_base"),
    [
        ("/services", "services"),
        ("/services?page=1&per_page=1", "services?page=1&per_page=1"),
        ("//services?&page=1&per_page=5", "services?page=1&per_page=5"),
        ("/service_at_locations", "service_at_locations"),
        ("/organizations", "organizations"),
        ("/taxonomies", "taxonomies"),
        ("/taxonomy_terms/", "taxonomy_terms"),
    ],
)
def test_a_root_feed_answers_at_the_host_root(client, rooted, at_root, at_base):
    _same(raw_get(client, at_root), client.get(f"/api/v3/feeds/activities/{at_base}"))


def test_a_root_feed_answers_one_service_and_its_errors(client, rooted):
    pk = rooted.services["lunch"].pk
    _same(client.get(f"/services/{pk}"), client.get(f"/api/v3/feeds/activities/services/{pk}"))
    _same(raw_get(client, f"//services/{pk}"), client.get(f"/services/{pk}"))
    missing = client.get(f"/services/{rooted.services['never'].pk}")
    assert missing.status_code == 404
    assert json.loads(missing.content)["error"] == "not_found"
    assert missing["Access-Control-Allow-Origin"] == "*"
    assert json.loads(client.get("/services?per_page=0").content)["parameter"] == "per_page"


def test_a_root_feed_leaves_the_finders_service_page_alone(client, rooted):
    """`/services/<id>` is the feed's JSON; `/services/<id>/` stays the finder's page."""
    from publish.services import services_publish

    lunch = rooted.services["lunch"]
    services_publish(service_ids=[lunch.pk])
    page = client.get(f"/services/{lunch.pk}/")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "Access-Control-Allow-Origin" not in page
    assert client.get(f"/services/{lunch.pk}")["Content-Type"].startswith("application/json")


def test_a_root_feed_leaves_the_portal_pages_alone(client, rooted):
    home = client.get("/")
    assert home.status_code == 200  # the finder's home page, not the feed
    assert "Access-Control-Allow-Origin" not in home
    assert client.get("/accounts/sign-in/").status_code == 200
    assert client.get("/nothing/here").status_code == 404
    assert "Access-Control-Allow-Origin" not in client.get("/accounts/sign-in/")


def test_a_feed_can_be_served_at_any_prefix(client, feeds):
    feed = Feed.objects.get(slug="activities")
    feed.root_path = "/oruk/activities/"
    feed.save()
    _same(client.get("/oruk/activities/services"), client.get("/api/v3/feeds/activities/services"))
    _same(client.get("/oruk/activities//services"), client.get("/oruk/activities/services"))
    # The prefix itself is the feed's api_details.
    _same(client.get("/oruk/activities/"), client.get("/api/v3/feeds/activities/"))
    assert client.get("/services").status_code == 404
    assert client.get("/oruk/other/services").status_code == 404


def test_changing_or_retiring_a_root_path_takes_effect_at_once(client, rooted):
    assert client.get("/services").status_code == 200
    feed = Feed.objects.get(slug="activities")
    feed.root_path = "/elsewhere/"
    feed.save()
    assert client.get("/services").status_code == 404
    assert client.get("/elsewhere/services").status_code == 200
    feed.is_active = False
    feed.save()
    assert client.get("/elsewhere/services").status_code == 404


def test_the_root_feed_is_the_feed_it_names(client, rooted):
    """The activities feed narrows by assurance; the default feed does not see its policy."""
    feed = Feed.objects.get(slug="activities")
    feed.max_assurance_age_days = 50
    feed.save()
    ids = {item["id"] for item in json.loads(client.get("/services").content)["contents"]}
    assert ids == rooted.ids("lunch", "youth")


@pytest.mark.parametrize(
    ("root_path", "valid"),
    [
        ("/", True),
        ("/oruk/", True),
        ("/oruk/family-hubs/", True),
        ("", True),
        ("services", False),
        ("/oruk", False),
        ("/Oruk/", False),
        ("//", False),
        ("/api/v3/", False),
        ("/admin/", False),
        ("/accounts/x/", False),
        ("/static/", False),
    ],
)
def test_root_paths_are_checked(db, root_path, valid):
    feed = Feed(slug="x", name="X", root_path=root_path)
    if valid:
        feed.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            feed.full_clean()
        assert "root_path" in error.value.message_dict


def test_two_feeds_cannot_share_a_root_path(db):
    Feed.objects.create(slug="a", name="A", root_path="/")
    with pytest.raises(ValidationError):
        Feed(slug="b", name="B", root_path="/").full_clean()
    Feed(slug="c", name="C", root_path="").full_clean()  # many feeds have none


def test_root_lookups_are_cached(client, rooted, django_assert_max_num_queries):
    client.get("/services")
    # Feed roots, feed and count are cached: the page costs the same as at its base URL.
    with django_assert_max_num_queries(6):
        assert client.get("/services?per_page=2").status_code == 200

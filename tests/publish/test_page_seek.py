"""Deep pages by seeking to a marked row: the same items as counting rows from the start, at a
cost that does not grow with `page` or `per_page`, and no pass over the feed after a publish."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publish import tasks
from publish.api import pagination
from publish.models import Feed, PublishedService
from tests.factories import ServiceFactory

BASE = "/api/v3/"


@pytest.fixture
def feed_of_23(world):
    """The world's four published services and 19 more: 23 in the default feed."""
    more = ServiceFactory.create_batch(19, organization=world.organizations["older"])
    tasks.publish_services([str(s.pk) for s in more])
    feed = Feed.objects.get(is_default=True)
    in_feed = PublishedService.objects.for_feed(feed).values_list("pk", flat=True)
    return sorted(str(pk) for pk in in_feed)


def _page(client, query: str) -> dict:
    response = client.get(f"{BASE}services?{query}")
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 5, 7, 10, 23, 50])
def test_every_page_holds_what_counting_from_the_start_would(
    client, feed_of_23, monkeypatch, per_page
):
    monkeypatch.setattr(pagination, "MARK_EVERY", 4)
    assert len(feed_of_23) == 23
    listed = []
    pages = -(-23 // per_page)
    for page in range(1, pages + 2):
        body = _page(client, f"page={page}&per_page={per_page}")
        assert (body["total_items"], body["total_pages"]) == (23, pages)
        assert body["size"] == len(body["contents"])
        listed += [item["id"] for item in body["contents"]]
    assert listed == feed_of_23


def test_the_marks_are_shared_by_every_page_size(client, feed_of_23, monkeypatch):
    monkeypatch.setattr(pagination, "MARK_EVERY", 4)
    _page(client, "page=3&per_page=5")
    with CaptureQueriesContext(connection) as queries:
        body = _page(client, "page=4&per_page=2")
    assert [item["id"] for item in body["contents"]] == feed_of_23[6:8]
    assert not [q for q in queries if "ROW_NUMBER" in q["sql"].upper()]


@pytest.mark.parametrize("query", ["page=1&per_page=1", "page=23&per_page=1", "page=2&per_page=20"])
def test_no_request_after_a_publish_counts_the_feed(client, feed_of_23, query):
    """The publish task counted and marked the feed for its new version."""
    with CaptureQueriesContext(connection) as queries:
        body = _page(client, query)
    assert body["total_items"] == 23 and body["size"] >= 1
    scans = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert scans == []


@pytest.mark.parametrize("cold", [True, False])
def test_a_page_costs_the_same_queries_at_any_depth_and_size(client, feed_of_23, monkeypatch, cold):
    from django.core.cache import cache

    monkeypatch.setattr(pagination, "MARK_EVERY", 4)
    cache.clear()
    _page(client, "page=2&per_page=3")  # the feed's settings, and (warm) its marks, cached
    counts = set()
    for query in (
        "page=1&per_page=1",
        "page=20&per_page=1",
        "page=3&per_page=9",
        "page=1&per_page=50",
    ):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            _page(client, query)
        counts.add(len(queries))
    assert len(counts) == 1, counts


def test_a_feed_page_after_the_cache_is_lost_reads_the_stored_marks(client, feed_of_23):
    from django.core.cache import cache

    _page(client, "page=1&per_page=1")  # the feed's settings, cached
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        body = _page(client, "page=23&per_page=1")
    assert [item["id"] for item in body["contents"]] == feed_of_23[22:]
    sql = " ".join(q["sql"].upper() for q in queries)
    assert "COUNT(" not in sql and "ROW_NUMBER" not in sql
    assert "PUBLISH_LISTINDEX" in sql


def test_a_filtered_list_is_counted_in_the_cache_only(client, feed_of_23):
    from publish.models import ListIndex

    before = ListIndex.objects.count()
    body = _page(client, "page=2&per_page=5&minimum_age=3")
    assert body["page_number"] == 2
    assert ListIndex.objects.count() == before


def test_publishing_prunes_the_marks_of_versions_a_day_old(feed_of_23):
    import datetime as dt

    from django.utils import timezone

    from publish.models import ListIndex

    old = ListIndex.objects.create(key="publish:feed-list:old", total=1, every=250, marks=["x"])
    ListIndex.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    tasks.publish_services([feed_of_23[0]])
    assert not ListIndex.objects.filter(pk=old.pk).exists()
    assert ListIndex.objects.exists()

"""The ORUK page envelope, assembled from stored JSON text without re-parsing it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models.functions import Mod, RowNumber
from django.http import HttpResponse, StreamingHttpResponse

from publish.models import ListIndex

JSON = "application/json"
NDJSON = "application/x-ndjson"
ALL_ON_ONE_PAGE = 10**15  # a page size no feed reaches: one page holds everything


# A page's first row is found by seeking to the nearest marked row and skipping the rest: a
# page costs at most MARK_EVERY index entries more than a pure keyset seek, whatever `page` and
# `per_page` are, and the marks of 100k rows are 400 short strings to fetch and unpickle.
MARK_EVERY = 250
# The prefix of the keys of a feed's unfiltered lists, whose indexes are also kept in the
# database (`list_index`); filtered lists, which clients make up freely, only in the cache.
FEED_LIST_KEY = "publish:feed-list:"


def list_index(
    queryset: models.QuerySet, key: str, *, marked: bool, persist: bool = False
) -> tuple[int, int, list[str]]:
    """(count, mark spacing, the pk of every spacing-th row in pk order) of `queryset`, cached
    under `key` in the shared cache (Redis in production), so every process reads what one
    computed. The spacing is kept with the marks, so marks made by an older release still read
    right.

    `key` names the feed version, the feed and the filters, so a publish makes a new one.
    `marked` False (a list not in pk order): the count alone. `persist`: also kept in the
    database (`ListIndex`), for a feed's unfiltered lists, which publishing marks ahead.
    """
    if not key:
        return _counted(queryset, marked)
    index = cache.get(key)
    if index is not None:
        return index
    if persist:
        stored = ListIndex.objects.filter(key=key).values_list("total", "every", "marks").first()
        index = tuple(stored) if stored else None
    if index is None:
        index = _counted(queryset, marked)
        if persist:
            total, every, marks = index
            ListIndex.objects.bulk_create(
                [ListIndex(key=key, total=total, every=every, marks=marks)],
                ignore_conflicts=True,
            )
    cache.set(key, index, settings.PORTAL_API_MAX_AGE)
    return index


def _counted(queryset: models.QuerySet, marked: bool) -> tuple[int, int, list[str]]:
    every = MARK_EVERY
    if not marked:
        return queryset.count(), every, []
    numbered = (
        queryset.order_by()
        .annotate(
            row=models.Window(RowNumber(), order_by=models.F("pk").asc()),
            total=models.Window(models.Count("pk")),
        )
        .annotate(place=Mod(models.F("row") - 1, every))
    )
    rows = list(numbered.filter(place=0).values_list("pk", "total").order_by("pk"))
    return (rows[0][1] if rows else 0, every, [str(pk) for pk, _ in rows])


def page_response(
    queryset: models.QuerySet,
    *,
    page: int,
    per_page: int,
    item: Callable[[models.QuerySet], list[str]],
    count_key: str = "",
) -> HttpResponse:
    """One page: a count, then `item(page of queryset)` gives the page's JSON texts in order.

    Snapshot rows keep their JSON out of line (TOAST on PostgreSQL), so the scan reads a narrow
    heap and only this page's documents are fetched. `count_key` caches the count and, for a
    list in pk order, the marks `list_index` keeps: a deep page is then a seek to the marked
    row before it, so it costs about what the first does.
    """
    keyed = bool(count_key) and tuple(queryset.query.order_by) == ("pk",)
    total, every, marks = list_index(
        queryset,
        f"{count_key}:index" if count_key else "",
        marked=keyed,
        persist=count_key.startswith(FEED_LIST_KEY),
    )
    total_pages = max(1, math.ceil(total / per_page))
    offset = (page - 1) * per_page
    if offset >= total:
        contents = []
    elif keyed and offset >= every:
        mark, skip = divmod(offset, every)
        contents = item(queryset.filter(pk__gte=marks[mark])[skip : skip + per_page])
    else:
        contents = item(queryset[offset : offset + per_page])
    head = json.dumps(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page,
            "size": len(contents),
            "first_page": page == 1,
            "last_page": page == total_pages,
            "empty": not contents,
        }
    )
    body = head[:-1] + ',"contents":[' + ",".join(contents) + "]}"
    return HttpResponse(body, content_type=JSON)


def everything_response(
    queryset: models.QuerySet,
    *,
    page: int,
    texts: Callable[[], Iterator[str]],
    count_key: str = "",
) -> HttpResponse:
    """Every match on one page (a feed whose `default_per_page` is `Feed.ALL`), streamed: memory
    stays flat however many there are, as for format=ndjson.

    `contents` comes first and the counts after it, counted as the items go out, so they agree
    with the contents exactly (no separate count that a publish could overtake); JSON readers
    take the keys in any order. Page 2 and beyond are empty pages of that single page.
    """
    if page > 1:
        return page_response(
            queryset,
            page=page,
            per_page=ALL_ON_ONE_PAGE,
            item=lambda _page: [],
            count_key=count_key,
        )

    def body() -> Iterator[str]:
        yield '{"contents":['
        size = 0
        for text in texts():
            yield text if not size else "," + text
            size += 1
        counts = {
            "total_items": size,
            "total_pages": 1,
            "page_number": 1,
            "size": size,
            "first_page": True,
            "last_page": True,
            "empty": not size,
        }
        yield "]," + json.dumps(counts)[1:]

    return StreamingHttpResponse(body(), content_type=JSON)


def stored_texts(field: str) -> Callable[[models.QuerySet], list[str]]:
    """The page's stored JSON text in `field`, in one query."""
    return lambda page: list(page.values_list(field, flat=True))


def ndjson_response(texts: Iterator[str]) -> StreamingHttpResponse:
    """Every match, one JSON object a line, streamed: memory stays flat however many there are."""
    return StreamingHttpResponse((text + "\n" for text in texts), content_type=NDJSON)


def stream_field(queryset: models.QuerySet, field: str) -> Iterator[str]:
    return queryset.values_list(field, flat=True).iterator(chunk_size=2000)

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

JSON = "application/json"
NDJSON = "application/x-ndjson"
ALL_ON_ONE_PAGE = 10**15  # a page size no feed reaches: one page holds everything


def page_response(
    queryset: models.QuerySet,
    *,
    page: int,
    per_page: int,
    item: Callable[[models.QuerySet], list[str]],
    count_key: str = "",
) -> HttpResponse:
    """One page: a count, then `item(page of queryset)` gives the page's JSON texts in order.

    Snapshot rows keep their JSON out of line (TOAST on PostgreSQL), so the offset scan reads a
    narrow heap and only this page's documents are fetched: a deep page costs about the first.
    `count_key` caches the total: it names the feed version and the filters, so a client paging
    through a list counts once, and any publish makes a new key.
    """
    total = cache.get(count_key) if count_key else None
    if total is None:
        total = queryset.count()
        if count_key:
            cache.set(count_key, total, settings.PORTAL_API_MAX_AGE)
    total_pages = max(1, math.ceil(total / per_page))
    offset = (page - 1) * per_page
    if offset >= total:
        contents = []
    elif page > 1 and count_key and tuple(queryset.query.order_by) == ("pk",):
        start = _page_starts(queryset, per_page, f"{count_key}:starts:{per_page}")[page - 1]
        contents = item(queryset.filter(pk__gte=start)[:per_page])
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


def _page_starts(queryset: models.QuerySet, per_page: int, key: str) -> list:
    """The first key of every page, found in one pass and cached with the count: every later
    page is an index seek (`pk >= start`), so a deep page costs what the first does."""
    starts = cache.get(key)
    if starts is None:
        numbered = queryset.annotate(
            row=models.Window(RowNumber(), order_by=models.F("pk").asc())
        ).annotate(place=Mod(models.F("row") - 1, per_page))
        starts = list(numbered.filter(place=0).values_list("pk", flat=True).order_by("pk"))
        cache.set(key, starts, settings.PORTAL_API_MAX_AGE)
    return starts


def stored_texts(field: str) -> Callable[[models.QuerySet], list[str]]:
    """The page's stored JSON text in `field`, in one query."""
    return lambda page: list(page.values_list(field, flat=True))


def ndjson_response(texts: Iterator[str]) -> StreamingHttpResponse:
    """Every match, one JSON object a line, streamed: memory stays flat however many there are."""
    return StreamingHttpResponse((text + "\n" for text in texts), content_type=NDJSON)


def stream_field(queryset: models.QuerySet, field: str) -> Iterator[str]:
    return queryset.values_list(field, flat=True).iterator(chunk_size=2000)

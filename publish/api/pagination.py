"""The ORUK page envelope, assembled from stored JSON text without re-parsing it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator

from django.db import models
from django.http import HttpResponse, StreamingHttpResponse

JSON = "application/json"
NDJSON = "application/x-ndjson"


def page_response(
    queryset: models.QuerySet,
    *,
    page: int,
    per_page: int,
    item: Callable[[list], list[str]],
) -> HttpResponse:
    """One page: a count, then the page's keys, then `item(keys)` gives their JSON texts in order.

    Reading keys first keeps the offset scan on an index and reads stored documents for this page
    only, so a deep page costs about what the first does.
    """
    total = queryset.count()
    total_pages = max(1, math.ceil(total / per_page))
    offset = (page - 1) * per_page
    keys = (
        list(queryset.values_list("pk", flat=True)[offset : offset + per_page])
        if offset < total
        else []
    )
    contents = item(keys) if keys else []
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


def texts_in_order(model: type[models.Model], field: str) -> Callable[[list], list[str]]:
    """Fetch `field` for a page of keys in one query, keeping the page's order."""

    def fetch(keys: list) -> list[str]:
        found = dict(model.objects.filter(pk__in=keys).values_list("pk", field))
        return [found[key] for key in keys if key in found]

    return fetch


def ndjson_response(texts: Iterator[str]) -> StreamingHttpResponse:
    """Every match, one JSON object a line, streamed: memory stays flat however many there are."""
    return StreamingHttpResponse((text + "\n" for text in texts), content_type=NDJSON)


def stream_field(queryset: models.QuerySet, field: str) -> Iterator[str]:
    return queryset.values_list(field, flat=True).iterator(chunk_size=2000)

"""The page both ORUK 1.0 finders read: Spring Data's `Page`, with a 1-based `number`.

Members as the ORUK 1.0 API page describes them (OpenReferralUK/human-services
`pages/API/APIImplementation.md`, "Pagination Payload") and the LGA Service Finder declares them
(`src/shared/components/Types.d.ts`, `SearchResult`): `content`, `totalElements`, `totalPages`,
`number`, `size` (the items on this page), `first`, `last`, `empty`.

`number` is the page asked for, counting from 1, like `page`. The reference API passed Spring's
0-based page number through (`PageRequest.of(page - 1, per_page)` in
`WebApp/.../controllers/ServiceController.java`, serialised by `ServiceSerializer.java`), but
both finders read it as the page they asked for: ServiceFinder draws its pager from `number`
(1 is the first page, `number === totalPages` the last; `src/components/sections/Body/
searchingFor/Results/ResultsContent.jsx`) and the LGA Service Finder stops asking for more when
`totalPages <= number` (`src/shared/api/search.ts`); with a 0-based number the first shows no
pager and the second asks for one page too many. No matches: `totalPages` 0, as Spring counts
and as the LGA Service Finder's own empty result says; a page beyond the last is empty and
`last`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.http import HttpResponse

JSON = "application/json"


def page_response(
    queryset: models.QuerySet,
    *,
    page: int,
    per_page: int,
    items: Callable[[models.QuerySet], list[str]],
    count_key: str = "",
) -> HttpResponse:
    """One page of `queryset`; `items(rows of this page)` gives each item's JSON text, in order.

    `count_key` caches the total for the feed version and filters (as the v3 pages do), so a
    client paging through a list counts once.
    """
    total = cache.get(count_key) if count_key else None
    if total is None:
        total = queryset.count()
        if count_key:
            cache.set(count_key, total, settings.PORTAL_API_MAX_AGE)
    total_pages = math.ceil(total / per_page)
    offset = (page - 1) * per_page
    content = items(queryset[offset : offset + per_page]) if offset < total else []
    head = json.dumps(
        {
            "totalElements": total,
            "totalPages": total_pages,
            "number": page,
            "size": len(content),
            "first": page == 1,
            "last": page >= total_pages,
            "empty": not content,
        }
    )
    return HttpResponse(head[:-1] + ',"content":[' + ",".join(content) + "]}", content_type=JSON)

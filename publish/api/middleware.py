"""The API's front door: open data headers on every answer, and the URL shapes real clients send.

- Every API answer (errors included) may be read from any web page (CORS).
- `BASE//services?&page=1` (what the ORUK website builds from a base URL ending in `/`) is
  answered as `BASE/services`: runs of slashes in an API path are read as one.
- A feed with a `root_path` is also served there: with `/`, `GET /services` is the feed's
  `/api/v3/feeds/<slug>/services` (the DfE Family Hubs harvester asks for `/services` at the host
  root, whatever URL it was given). The path is rewritten before URL resolution, so the answer
  is the feed's own, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from publish.models import FEED_ROOTS_CACHE_KEY, RESERVED_ROOT_PATHS, Feed

API_PREFIX = "/api/"
_SLASHES = re.compile(r"/{2,}")
# A path that may be a feed's endpoint under a root path: the prefix, then the endpoint.
_ENDPOINT = re.compile(
    r"^(?P<root>/(?:[^/]+/)*?)"
    r"(?P<rest>(?:services|service_at_locations|organizations|taxonomies|taxonomy_terms)"
    r"(?:/[^/]+)?)/?$"
)


def feed_roots() -> dict[str, str]:
    """{root path: feed slug} of the active feeds that have one (cached; feed edits forget it)."""
    roots = cache.get(FEED_ROOTS_CACHE_KEY)
    if roots is None:
        roots = dict(
            Feed.objects.filter(is_active=True)
            .exclude(root_path="")
            .values_list("root_path", "slug")
        )
        cache.set(FEED_ROOTS_CACHE_KEY, roots, settings.PORTAL_API_MAX_AGE)
    return roots


def feed_path(path: str) -> str | None:
    """The API path that answers `path` when it lies under a feed's root path, else None.

    `<root>services...` maps to the feed's endpoints; `<root>` itself (not `/`, the portal's
    home) to the feed's api_details.
    """
    if path.startswith(RESERVED_ROOT_PATHS):
        return None
    match = _ENDPOINT.match(path)
    if match and match["root"] == "/" and path.endswith("/") and "/" in match["rest"]:
        # `/services/<id>/` at the host root is the finder's page of that service; a harvester
        # asks for `/services/<id>`, without the slash.
        return None
    if match:
        root, rest = match["root"], match["rest"]
    elif path != "/":
        root, rest = path.rstrip("/") + "/", ""
    else:
        return None
    slug = feed_roots().get(root)
    if slug is None:
        return None
    return reverse("publish-api:feed:api-details", kwargs={"feed": slug}) + rest


class OpenDataHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = _SLASHES.sub("/", request.path_info)
        if not path.startswith(API_PREFIX):
            path = feed_path(path)
            if path is None:
                return self.get_response(request)
        request.path_info = path
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        return response

"""The human page about the API, drawn from the same OpenAPI document machines read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.views.generic import TemplateView
from drf_spectacular.generators import SchemaGenerator

from publish.models import Feed

# Where ORUK is silent or ambiguous, what this API does (README, "The ORUK 3.0 API").
DECISIONS = [
    ("Paging", "50 items a page unless per_page says otherwise, at most 1,000; pages count "
     "from 1; a page beyond the last is empty, not an error; an empty feed has one empty page. "
     "A feed may set its own default page size, up to every match on one page (streamed, "
     "with contents before the counts)."),
    ("URLs", "Runs of slashes read as one (BASE//services is BASE/services). A feed may also be "
     "served under a root path of this host, such as / (GET /services), for clients that "
     "ignore the registered path."),
    ("minimal=true", "Each service as id, name, status and last_modified (the least that is a "
     "valid list item), 1,000 a page by default and up to 10,000."),
    ("modified_after", "An ISO 8601 date-time with or without a zone (UTC when none) or a "
     "date (midnight UTC); services modified on or after it."),
    ("postcode", "Alone: services whose service area covers the postcode's local authority, plus "
     "services that state no area. With proximity (metres): services with a location within "
     "that distance of the postcode's centre, nearest first."),
    ("minimum_age / maximum_age", "Age ranges overlap: minimum_age=16 finds services open to "
     "someone 16 or older; both together describe a band."),
    ("day, start_time, end_time", "Services with a weekly or monthly schedule on that day; "
     "with times, whose hours overlap them."),
    ("top_only", "Top-level terms: those without a parent."),
    ("Taxonomy terms", "taxonomy_term_id matches services tagged with the term or any term "
     "below it."),
    ("Errors", "An unknown or malformed parameter answers 400 with JSON naming it; an unknown id "
     "answers 404 with JSON."),
    ("Caching", "Every answer carries an ETag and Last-Modified; send If-None-Match to get 304 "
     "when nothing changed."),
]  # fmt: skip


def endpoints(request) -> list[dict[str, Any]]:
    from .urls import OPENAPI_URLCONF

    schema = SchemaGenerator(patterns=OPENAPI_URLCONF).get_schema(request=None, public=True)
    rows = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get", {})
        rows.append(
            {
                "path": path.removeprefix("/api/v3"),
                "description": operation.get("description", ""),
                "parameters": [
                    {
                        "name": p["name"],
                        "where": p["in"],
                        "type": p.get("schema", {}).get("type", "string"),
                        "description": p.get("description", ""),
                    }
                    for p in operation.get("parameters", [])
                ],
            }
        )
    return rows


class ApiDocsView(TemplateView):
    template_name = "publish/api_docs.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        base = self.request.build_absolute_uri(reverse("publish-api:api-details"))
        return super().get_context_data(
            base_url=base,
            openapi_url=self.request.build_absolute_uri(reverse("publish-api:openapi")),
            endpoints=endpoints(self.request),
            decisions=DECISIONS,
            feeds=Feed.objects.filter(is_active=True),
            per_page=settings.PORTAL_API_PER_PAGE,
            **kwargs,
        )

"""The ORUK 3.0 API: read-only views over published snapshots (services) and live taxonomies.

Each view checks its parameters (unknown or malformed ones get a 400 naming them), narrows the
feed's snapshots, and answers with stored JSON text, so a page is a few queries at any size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator

import django_filters as df
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, quote_etag
from drf_spectacular.utils import extend_schema_view
from rest_framework.views import APIView

from directory import oruk
from directory.models import Taxonomy, TaxonomyTerm
from publish.models import (
    Feed,
    FeedState,
    ListIndex,
    PublishedOrganization,
    PublishedService,
    PublishedServiceAtLocation,
)

from . import openapi as doc
from .errors import ApiError, BadParameter, NotFound, errors_from_form
from .filters import (
    OrganizationFilter,
    ServiceFilter,
    TaxonomyFilter,
    TaxonomyTermFilter,
    points_within,
)
from .pagination import (
    FEED_LIST_KEY,
    JSON,
    everything_response,
    list_index,
    ndjson_response,
    page_response,
    stored_texts,
    stream_field,
)
from .params import PAGE_PARAMS, StrictBooleanField, check_known, page_params

SERVICE_FILTERS = set(ServiceFilter.base_filters)


class OrukView(APIView):
    """Base: open access, parameter checks, conditional GET, JSON errors."""

    authentication_classes: list = []
    permission_classes: list = []
    allowed_params: set[str] = set()
    throttle_classes: list = []

    def handle_exception(self, exc):
        if isinstance(exc, ApiError):
            return exc.response()
        return super().handle_exception(exc)

    # What sets this dialect's ETags and cached counts apart from another's (the v1 API's).
    dialect_tag = ""

    def get(self, request: HttpRequest, **kwargs) -> HttpResponse:
        self.check_parameters(request)
        state = FeedState.objects.filter(pk=1).values_list("version", "changed_at").first()
        version, changed_at = state or (0, None)
        self.feed = self.get_feed(kwargs.pop("feed", None), version)
        self.reference_version = self.version_tag()
        # The feed policy's cut-off moves with the date, dropping stale services with no publish:
        # it is part of what the answer depends on.
        state_tag = feed_state_tag(
            self.feed, version, dialect=self.dialect_tag, reference=self.reference_version
        )
        etag = quote_etag(_digest(f"{state_tag}:{request.get_full_path()}")[:32])
        # Keyed by view, not path: a feed served at its root path shares its lists' counts.
        self.count_key = list_cache_key(state_tag, type(self).__name__, self.filter_values(request))
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = self.answer(request, **kwargs)
        response["ETag"] = etag
        if changed_at is not None:
            response["Last-Modified"] = http_date(changed_at.timestamp())
        response["Cache-Control"] = f"public, max-age={settings.PORTAL_API_MAX_AGE}"
        return response

    def check_parameters(self, request: HttpRequest) -> None:
        check_known(request.GET, self.allowed_params)

    def filter_values(self, request: HttpRequest) -> list:
        """The parameters that decide which items match (the key of the cached count)."""
        return sorted(
            (k, v) for k, v in request.GET.items() if k not in ("page", "per_page", "full")
        )

    def get_feed(self, slug: str | None, version: int) -> Feed:
        """The feed and its terms, cached until the feed version moves (feed edits move it)."""
        key = f"publish:feed:{version}:{slug or ''}"
        feed = cache.get(key)
        if feed is None:
            feeds = Feed.objects.filter(is_active=True)
            feed = (
                feeds.filter(slug=slug).first() if slug else feeds.filter(is_default=True).first()
            )
            if feed is None:
                raise NotFound(
                    f"There is no feed called {slug}" if slug else "No default feed is set"
                )
            feed.cached_term_ids()
            cache.set(key, feed, settings.PORTAL_API_MAX_AGE)
        return feed

    def version_tag(self) -> str:
        """Anything besides the feed version that changes the answer (taxonomy edits)."""
        return ""

    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        raise NotImplementedError

    def published(self) -> models.QuerySet[PublishedService]:
        return PublishedService.objects.for_feed(self.feed)

    def page_params(self, request: HttpRequest, *, minimal: bool = False) -> dict:
        return page_params(request.GET, minimal=minimal, feed_default=self.feed.default_per_page)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def feed_state_tag(feed: Feed, version: int, *, dialect: str = "", reference: str = "") -> str:
    """What a feed's answers depend on besides the request. The feed policy's cut-off moves
    with the date, dropping stale services with no publish, so it is part of it."""
    return f"{dialect}{version}:{feed.pk}:{feed.updated_at}:{feed.assured_since()}:{reference}"


def list_cache_key(state_tag: str, view: str, filters: list) -> str:
    """The shared-cache key of a list's count and page marks (`pagination.list_index`)."""
    prefix = "publish:count:" if filters else FEED_LIST_KEY
    return f"{prefix}{_digest(f'{state_tag}:{view}:{filters}')}"


def warm_service_lists() -> None:
    """Count and mark every active feed's unfiltered `/services` list for the current feed
    version, so that no request after a publish pays a pass over the whole feed."""
    version = FeedState.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    for feed in Feed.objects.filter(is_active=True):
        key = list_cache_key(feed_state_tag(feed, version), ServiceListView.__name__, [])
        list_index(
            PublishedService.objects.for_feed(feed).order_by("pk"),
            f"{key}:index",
            marked=True,
            persist=True,
        )
    # Keys name a feed version, so older rows only wait to be pruned; a day's grace keeps any
    # request still on the version before this one cheap.
    ListIndex.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=1)).delete()


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise BadParameter(f"id must be a UUID, not {value!r}", parameter="id") from exc


def _one(queryset: models.QuerySet, pk: str, field: str, what: str) -> HttpResponse:
    text = queryset.filter(pk=_uuid(pk)).values_list(field, flat=True).first()
    if text is None:
        raise NotFound(f"There is no published {what} with id {pk}")
    return HttpResponse(text, content_type=JSON)


def _answer(
    queryset: models.QuerySet,
    params: dict,
    *,
    items: Callable[[models.QuerySet], list[str]],
    texts: Callable[[], Iterator[str]],
    count_key: str,
) -> HttpResponse:
    """A list, as the client asked: one page (`items` gives a page's JSON texts), every match
    one a line (format=ndjson), or every match on one page (the feed's default, `Feed.ALL`);
    `texts` streams every match's JSON text in order."""
    if params["format"] == "ndjson":
        return ndjson_response(texts())
    if params["per_page"] is None:
        return everything_response(queryset, page=params["page"], texts=texts, count_key=count_key)
    return page_response(
        queryset,
        page=params["page"],
        per_page=params["per_page"],
        item=items,
        count_key=count_key,
    )


def _list(queryset, params: dict, field: str, count_key: str) -> HttpResponse:
    """A list of stored JSON texts (snapshot rows)."""
    return _answer(
        queryset,
        params,
        items=stored_texts(field),
        texts=lambda: stream_field(queryset, field),
        count_key=count_key,
    )


def _filtered(filterset: df.FilterSet) -> df.FilterSet:
    if not filterset.is_valid():
        raise errors_from_form(filterset.errors)
    return filterset


def _boolean(request: HttpRequest, name: str) -> bool:
    try:
        return StrictBooleanField(required=False).clean(request.GET.get(name))
    except ValidationError as exc:
        raise BadParameter(f"{name}: must be true or false", parameter=name) from exc


@extend_schema_view(
    get=doc.detail_schema(
        "api_details", "What this API is: the ORUK version, profile and OpenAPI document."
    )
)
class ApiDetailsView(OrukView):
    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        body = {
            "version": settings.ORUK_VERSION,
            "profile": settings.ORUK_PROFILE_URL,
            "openapi_url": request.build_absolute_uri(reverse("publish-api:openapi")),
            "name": self.feed.name,
        }
        if self.feed.description:
            body["description"] = self.feed.description
        return HttpResponse(json.dumps(body), content_type=JSON)


@extend_schema_view(
    get=doc.list_schema(
        "service_list",
        [*doc.PAGE, *doc.SERVICE_FILTERS, doc.MINIMAL],
        "Published services. Parameters combine with AND.",
    )
)
class ServiceListView(OrukView):
    allowed_params = PAGE_PARAMS | SERVICE_FILTERS | {"minimal"}

    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        minimal = _boolean(request, "minimal")
        params = self.page_params(request, minimal=minimal)
        if SERVICE_FILTERS.isdisjoint(request.GET):
            # A harvester's plain paging: building and checking the filter form costs more
            # than the page's query (about 4 ms of 10).
            queryset = self.published()
        else:
            filterset = _filtered(ServiceFilter(request.GET, queryset=self.published()))
            queryset = filterset.located(filterset.qs)
        if not queryset.query.order_by:
            queryset = queryset.order_by("pk")
        if minimal:
            return self._minimal(queryset, params)
        return _list(
            queryset, params, "document" if params["full"] else "list_item", self.count_key
        )

    def _minimal(self, queryset, params: dict) -> HttpResponse:
        """Decision (README): id, name, status and last_modified, the least that is a valid item."""

        fields = ("pk", "name", "status", "last_modified")

        def render(pk, name, status, modified) -> str:
            item = {
                "id": str(pk),
                "name": name,
                "status": status,
                "last_modified": oruk.shapes.datetime_to_json(modified),
            }
            return json.dumps(item)

        def rows(page) -> list[str]:
            return [render(*row) for row in page.values_list(*fields)]

        def texts() -> Iterator[str]:
            for row in queryset.values_list(*fields).iterator(chunk_size=2000):
                yield render(*row)

        return _answer(queryset, params, items=rows, texts=texts, count_key=self.count_key)


@extend_schema_view(get=doc.detail_schema("service", "One published service, fully nested."))
class ServiceDetailView(OrukView):
    def answer(self, request: HttpRequest, pk: str, **kwargs) -> HttpResponse:
        return _one(self.published(), pk, "document", "service")


@extend_schema_view(
    get=doc.list_schema(
        "service_at_location_list",
        [*doc.PAGE, *doc.SERVICE_FILTERS],
        "Published services at each of their locations; with postcode and proximity, nearest "
        "first.",
    )
)
class ServiceAtLocationListView(OrukView):
    allowed_params = PAGE_PARAMS | SERVICE_FILTERS

    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        params = self.page_params(request)
        filterset = _filtered(ServiceFilter(request.GET, queryset=self.published()))
        data = filterset.form.cleaned_data
        point, metres = data.get("postcode"), data.get("proximity")
        services = filterset.qs if metres is not None else filterset.located(filterset.qs)
        queryset = PublishedServiceAtLocation.objects.filter(
            snapshot__in=services.order_by().values("pk")
        )
        if metres is not None:
            queryset = points_within(queryset, point, float(metres)).order_by("distance2", "pk")
        else:
            queryset = queryset.order_by("pk")
        return _list(
            queryset, params, "document" if params["full"] else "list_item", self.count_key
        )


@extend_schema_view(
    get=doc.detail_schema("service_at_location", "One service at one location, with both in full.")
)
class ServiceAtLocationDetailView(OrukView):
    def answer(self, request: HttpRequest, pk: str, **kwargs) -> HttpResponse:
        queryset = PublishedServiceAtLocation.objects.filter(
            snapshot__in=self.published().values("pk")
        )
        return _one(queryset, pk, "document", "service at location")


class OrganizationMixin:
    def organizations(self) -> models.QuerySet[PublishedOrganization]:
        return PublishedOrganization.objects.filter(
            models.Exists(self.published().filter(organization_id=models.OuterRef("pk")))
        )

    def with_services(self, rows: list[tuple], *, full: bool) -> list[str]:
        """(id, organisation JSON) rows, each with its published services appended (one query)."""
        by_org = defaultdict(list)
        field = "document" if full else "list_item"
        for org_id, text in (
            self.published()
            .filter(organization_id__in=[pk for pk, _ in rows])
            .order_by("name", "pk")
            .values_list("organization_id", field)
        ):
            by_org[org_id].append(text)
        return [text[:-1] + ',"services":[' + ",".join(by_org[pk]) + "]}" for pk, text in rows]


@extend_schema_view(
    get=doc.list_schema(
        "organization_list",
        [*doc.PAGE, doc.SEARCH, doc.FULL_SERVICE],
        "Organisations with at least one published service.",
    )
)
class OrganizationListView(OrganizationMixin, OrukView):
    allowed_params = PAGE_PARAMS | {"search", "full_service"}

    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        full_service = _boolean(request, "full_service")
        params = self.page_params(request)
        filterset = _filtered(OrganizationFilter(request.GET, queryset=self.organizations()))
        queryset = filterset.qs.order_by("pk")
        field = "document" if params["full"] or full_service else "list_item"
        if not full_service:
            return _list(queryset, params, field, self.count_key)

        def items(page) -> list[str]:
            return self.with_services(list(page.values_list("pk", field)), full=True)

        def texts() -> Iterator[str]:
            rows = queryset.values_list("pk", field).iterator(chunk_size=500)
            for chunk in _chunks(rows):
                yield from self.with_services(chunk, full=True)

        return _answer(queryset, params, items=items, texts=texts, count_key=self.count_key)


@extend_schema_view(
    get=doc.detail_schema(
        "organization", "One organisation and its published services.", [doc.FULL_SERVICE]
    )
)
class OrganizationDetailView(OrganizationMixin, OrukView):
    allowed_params = {"full_service"}

    def answer(self, request: HttpRequest, pk: str, **kwargs) -> HttpResponse:
        full_service = _boolean(request, "full_service")
        rows = list(self.organizations().filter(pk=_uuid(pk)).values_list("pk", "document"))
        if not rows:
            raise NotFound(f"There is no published organization with id {pk}")
        return HttpResponse(self.with_services(rows, full=full_service)[0], content_type=JSON)


class TaxonomyVersionMixin:
    def version_tag(self) -> str:
        # Taxonomies are served live; their latest change is part of the ETag.
        stamp = TaxonomyTerm.objects.aggregate(
            latest=models.Max("updated_at"), count=models.Count("pk")
        )
        taxonomies = Taxonomy.objects.aggregate(latest=models.Max("updated_at"))
        return f"{stamp['latest']}:{stamp['count']}:{taxonomies['latest']}"


def _chunks(rows, size: int = 500):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rendered(render):
    return lambda page: [json.dumps(render(record)) for record in page]


@extend_schema_view(
    get=doc.list_schema("taxonomy_list", [*doc.PAGE, doc.SEARCH], "The taxonomies in use.")
)
class TaxonomyListView(TaxonomyVersionMixin, OrukView):
    allowed_params = PAGE_PARAMS | {"search"}

    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        params = self.page_params(request)
        queryset = _filtered(TaxonomyFilter(request.GET, queryset=Taxonomy.objects.all())).qs
        queryset = queryset.order_by("name", "pk")

        def render(taxonomy):
            return oruk.taxonomy_document(taxonomy, with_terms=params["full"])

        return _answer(
            queryset,
            params,
            items=_rendered(render),
            texts=lambda: (json.dumps(render(t)) for t in queryset.iterator()),
            count_key=self.count_key,
        )


@extend_schema_view(get=doc.detail_schema("taxonomy", "One taxonomy with all its terms."))
class TaxonomyDetailView(TaxonomyVersionMixin, OrukView):
    def answer(self, request: HttpRequest, pk: str, **kwargs) -> HttpResponse:
        taxonomy = Taxonomy.objects.filter(pk=_uuid(pk)).first()
        if taxonomy is None:
            raise NotFound(f"There is no taxonomy with id {pk}")
        return HttpResponse(json.dumps(oruk.taxonomy_document(taxonomy)), content_type=JSON)


@extend_schema_view(
    get=doc.list_schema(
        "taxonomy_term_list", [*doc.PAGE, *doc.TERM_FILTERS], "Taxonomy terms, in tree order."
    )
)
class TaxonomyTermListView(TaxonomyVersionMixin, OrukView):
    allowed_params = PAGE_PARAMS | set(TaxonomyTermFilter.base_filters)

    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        params = self.page_params(request)
        filterset = _filtered(TaxonomyTermFilter(request.GET, queryset=TaxonomyTerm.objects.all()))
        queryset = filterset.qs.order_by("path", "pk")
        render = oruk.taxonomy_term_document
        return _answer(
            queryset,
            params,
            items=_rendered(render),
            texts=lambda: (json.dumps(render(t)) for t in queryset.iterator(chunk_size=2000)),
            count_key=self.count_key,
        )


@extend_schema_view(get=doc.detail_schema("taxonomy_term", "One taxonomy term."))
class TaxonomyTermDetailView(TaxonomyVersionMixin, OrukView):
    def answer(self, request: HttpRequest, pk: str, **kwargs) -> HttpResponse:
        term = TaxonomyTerm.objects.filter(pk=_uuid(pk)).first()
        if term is None:
            raise NotFound(f"There is no taxonomy term with id {pk}")
        return HttpResponse(json.dumps(oruk.taxonomy_term_document(term)), content_type=JSON)


def not_found(request: HttpRequest, rest: str = "", **kwargs) -> HttpResponse:
    """Unknown paths under the API answer 404 in JSON, like everything else there."""
    return NotFound(f"There is no endpoint at {request.path}").response()

"""The finder's public pages: home, results, a service, an organisation, and browsing by LGA
category or by need and circumstance.

Open to everyone, signed in or not; they read only the published snapshots, through the engine
(`publish.finder.search`). The results page is a GET form, so it works without JavaScript and
every search has an address that can be shared. Nothing a person can type makes a 500: a wrong
postcode or age is a GOV.UK error on its field, and filter values the portal did not draw are
dropped.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from accounts.policy import Action, user_can
from core.views import PageTitleMixin
from directory.models import Circumstance, Need, TaxonomyTerm
from directory.taxonomies.identity import LGA_SERVICE_TYPES
from publish.finder import presenters
from publish.finder.forms import FinderSearchForm
from publish.finder.insight import record_search
from publish.finder.models import SearchKind
from publish.finder.search import (
    FinderInputError,
    FinderResults,
    find,
    organization_page,
    service_page,
)
from publish.finder.structured_data import service_json_ld
from publish.models import PublishedServiceTerm

PER_PAGE = 20
POPULAR = 8
# An LGA function's code starts with this (directory.taxonomies.loaders); service types are
# coded by their number.
FUNCTION_PREFIX = "function:"
# The engine names the field of a bad answer; the form's field for it.
FORM_FIELD = {"text": "q", "postcode": "postcode", "age": "age", "within_miles": "within"}


def _service_type_counts() -> dict[str, int]:
    """{term id: published services tagged with it} for the LGA service types (one query)."""
    rows = (
        PublishedServiceTerm.objects.filter(
            taxonomy_id__in=TaxonomyTerm.objects.filter(
                taxonomy__vocabulary=LGA_SERVICE_TYPES
            ).values("taxonomy_id")[:1]
        )
        .values("term_id")
        .annotate(services=Count("snapshot_id", distinct=True))
    )
    return {str(row["term_id"]): row["services"] for row in rows}


class HomeView(PageTitleMixin, TemplateView):
    """The finder's front door: a search box, a postcode, popular categories, browse links."""

    title = "Find local services and activities"
    template_name = "publish/finder/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        counts = _service_type_counts()
        popular_ids = [term for term, _ in Counter(counts).most_common(POPULAR)]
        terms = {
            str(term.pk): term
            for term in TaxonomyTerm.objects.filter(pk__in=popular_ids).only("name")
        }
        popular = [
            {
                "name": terms[term_id].name,
                "href": presenters.search_url(service_type=term_id),
                "count": counts[term_id],
            }
            for term_id in popular_ids
            if term_id in terms
        ]
        return super().get_context_data(
            form=FinderSearchForm(),
            distances=presenters.distance_choices(""),
            popular=popular,
            **kwargs,
        )


class SearchView(PageTitleMixin, TemplateView):
    """The results page: the search form, filters with counts, and a page of results."""

    template_name = "publish/finder/search.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FinderSearchForm(request.GET)
        results: FinderResults | None = None
        if form.is_valid():
            query = form.to_query()
            try:
                results = find(query, page=_page_number(request), per_page=PER_PAGE)
                if results.pages and results.page > results.pages:
                    results = find(query, page=results.pages, per_page=PER_PAGE)
            except FinderInputError as error:
                form.add_error(FORM_FIELD.get(error.field), error.message)
            else:
                if results.page == 1:
                    record_search(query=query, result_count=results.total, kind=_kind(query))
        return self.render_to_response(self.get_context_data(form=form, results=results))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form: FinderSearchForm = kwargs["form"]
        results: FinderResults | None = kwargs["results"]
        data = getattr(form, "cleaned_data", {})
        if results is None:
            title = "Search"
            heading = "Search for services"
        else:
            title = presenters.results_title(
                results.total, data.get("q", ""), data.get("postcode", "")
            )
            heading = presenters.results_heading(results.total)
        return super().get_context_data(
            title=title,
            heading=heading,
            cards=presenters.result_cards(results.results) if results else [],
            filter_groups=presenters.filter_groups(results, form),
            hidden_filters=presenters.hidden_filters(form),
            clear_filters_url=presenters.clear_filters_url(form),
            has_filters=form.has_filters,
            open_now=data.get("open_now", False),
            distances=presenters.distance_choices(form.data.get("within", "")),
            pagination=presenters.pagination(results, self.request) if results else None,
            **kwargs,
        )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _kind(query: Any) -> str:
    if query.needs or query.circumstances:
        return SearchKind.NEEDS
    if query.service_types and not query.text and not query.postcode:
        return SearchKind.BROWSE
    return SearchKind.KEYWORD


class ServiceView(PageTitleMixin, TemplateView):
    """One published service: everything a person needs to go, and how to report a problem."""

    template_name = "publish/finder/service.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.page = service_page(str(kwargs["pk"]))
        if self.page is None:
            raise Http404("No published service with this id")
        return super().get(request, *args, **kwargs)

    def get_title(self) -> str:
        return self.page.name

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            page=self.page,
            service=presenters.service_sections(self.page),
            can_suggest=self._can_suggest(),
            breadcrumbs=[{"text": "Home", "href": reverse("finder:home")}],
            json_ld=service_json_ld(self.page),
            **kwargs,
        )

    def _can_suggest(self) -> bool:
        user = self.request.user
        if not user.is_authenticated:
            return False
        from directory.models import Service

        service = Service.objects.filter(pk=self.kwargs["pk"]).only("organization_id").first()
        return service is not None and user_can(user, Action.SUGGEST, service)


class OrganisationView(PageTitleMixin, TemplateView):
    """An organisation that runs published services, and those services."""

    template_name = "publish/finder/organisation.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.page = organization_page(str(kwargs["pk"]))
        if self.page is None:
            raise Http404("No organisation with published services has this id")
        return super().get(request, *args, **kwargs)

    def get_title(self) -> str:
        return self.page.name

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            page=self.page, organisation=presenters.organisation_sections(self.page), **kwargs
        )


class BrowseView(PageTitleMixin, TemplateView):
    """Browse by LGA function: the top-level functions that hold published services."""

    title = "Browse services by category"
    template_name = "publish/finder/browse.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        tree = presenters.CategoryTree(_service_type_counts())
        return super().get_context_data(
            categories=tree.children(None),
            breadcrumbs=[{"text": "Home", "href": reverse("finder:home")}],
            **kwargs,
        )


class BrowseCategoryView(PageTitleMixin, TemplateView):
    """One LGA function: its sub-functions and its service types, each leading to results."""

    template_name = "publish/finder/browse_category.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.term = get_object_or_404(
            TaxonomyTerm.objects.only("name", "path", "parent_id", "term", "description"),
            pk=kwargs["pk"],
            taxonomy__vocabulary=LGA_SERVICE_TYPES,
            term__startswith=FUNCTION_PREFIX,
        )
        return super().get(request, *args, **kwargs)

    def get_title(self) -> str:
        return self.term.name

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        tree = presenters.CategoryTree(_service_type_counts())
        return super().get_context_data(
            term=self.term,
            categories=tree.children(self.term),
            all_href=presenters.search_url(service_type=str(self.term.pk)),
            breadcrumbs=tree.breadcrumbs(self.term),
            **kwargs,
        )


class BrowseNeedsView(PageTitleMixin, TemplateView):
    """Browse by need or circumstance: each leads to the services of the LGA service types
    mapped to it."""

    title = "Browse services by need or circumstance"
    template_name = "publish/finder/browse_needs.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            needs=presenters.vocabulary_links(Need.objects.order_by("name"), "need"),
            circumstances=presenters.vocabulary_links(
                Circumstance.objects.order_by("name"), "circumstance"
            ),
            breadcrumbs=[
                {"text": "Home", "href": reverse("finder:home")},
                {"text": "Browse", "href": reverse("finder:browse")},
            ],
            **kwargs,
        )

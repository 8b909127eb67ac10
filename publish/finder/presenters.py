"""What the finder's pages show, shaped for their templates: result cards, the filter column,
headings and service page rows. The data comes from the engine (`publish.finder.search`); the
wording and the links are made here, so that the templates only lay out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core import components
from publish.finder.forms import COSTS, DAYS, DISTANCES, TIMES_OF_DAY, FinderSearchForm
from publish.finder.search import (
    FacetCount,
    FinderResult,
    FinderResults,
    OrganizationPage,
    Phone,
    ServicePage,
)

METRES_PER_MILE = 1609.344

# The filter column, in order: query parameter, legend, the engine's facet key (None: a fixed
# list of choices without counts), and whether one value or several may be chosen.
FILTERS: list[tuple[str, str, str | None, bool]] = [
    ("service_type", "Type of service", "service_type", True),
    ("attending", "How to attend", "attending", True),
    ("day", "Day", "day", True),
    ("time", "Time of day", None, False),
    ("cost", "Cost", "cost", False),
    ("accessibility", "Accessibility", "accessibility", True),
    ("language", "Language", "language", True),
]


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def distance_text(metres: float | None) -> str:
    """ "0.3 miles away"; "" without a distance."""
    if metres is None:
        return ""
    miles = metres / METRES_PER_MILE
    if miles < 0.1:
        return "Less than 0.1 miles away"
    if miles < 10:
        return f"{miles:.1f} miles away"
    return f"{miles:,.0f} miles away"


def results_heading(total: int) -> str:
    if total == 0:
        return "No services found"
    return plural(total, "service", "services") + " found"


def results_title(total: int, text: str, postcode: str) -> str:
    """The page title: the count, and what was searched for (the title is read first)."""
    title = results_heading(total)
    if text:
        title += f" for \u2018{text}\u2019"
    if postcode:
        title += f" near {postcode}"
    return title


def service_url(service_id: str) -> str:
    return reverse("finder:service", kwargs={"pk": service_id})


def organisation_url(organization_id: str) -> str:
    return reverse("finder:organisation", kwargs={"pk": organization_id})


def result_card(result: FinderResult) -> dict[str, Any]:
    """One result: what it is, where, when next, how to attend, cost and when last checked."""
    where = result.where
    distance = distance_text(result.distance_metres)
    if distance:
        where = f"{where} ({distance.lower()})" if where else distance
    rows = [
        {"key": "What", "value": ", ".join(result.service_types)},
        {"key": "Where", "value": where},
        {"key": "When", "value": result.when_next},
        {"key": "How to attend", "value": ", ".join(result.attending)},
        {"key": "Cost", "value": result.cost},
    ]
    return {
        "service_id": result.service_id,
        "name": result.name,
        "href": service_url(result.service_id),
        "organization_name": result.organization_name,
        "summary": result.summary,
        "facts": components.summary_rows([row for row in rows if row["value"]]),
        "checked": result.checked,
    }


def result_cards(results: Iterable[FinderResult]) -> list[dict[str, Any]]:
    return [result_card(result) for result in results]


def _option(param: str, index: int, value: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"filter-{param}-{index}", "value": value, "label": label, **extra}


def filter_groups(results: FinderResults | None, form: FinderSearchForm) -> list[dict[str, Any]]:
    """The filter column's fieldsets: checkboxes (or radios) with the number of services each
    would give. Facets with nothing to choose are left out; a chosen value always shows."""
    data = getattr(form, "cleaned_data", {})
    facets = results.facets if results is not None else {}
    groups: list[dict[str, Any]] = []
    for param, legend, facet_key, multiple in FILTERS:
        chosen = data.get(param) or ()
        if isinstance(chosen, str):
            chosen = (chosen,) if chosen else ()
        if facet_key is None:
            options = [
                _option(param, i, value, label, checked=value in chosen, count=None)
                for i, (value, label) in enumerate(TIMES_OF_DAY.items(), start=1)
            ]
        else:
            counts: list[FacetCount] = facets.get(facet_key, [])
            options = [
                _option(
                    param,
                    i,
                    facet.value,
                    facet.label,
                    checked=facet.selected or facet.value in chosen,
                    count=facet.count,
                )
                for i, facet in enumerate(counts, start=1)
                if facet.count or facet.selected or facet.value in chosen
            ]
        if not options:
            continue
        if not multiple:
            # A radio group needs a way back to "any".
            any_label = {"time": "Any time", "cost": "Free or paid"}.get(param, "Any")
            options.insert(0, _option(param, 0, "", any_label, checked=not chosen, count=None))
        groups.append(
            {
                "param": param,
                "legend": legend,
                "multiple": multiple,
                "options": options,
                "open": bool(chosen),
            }
        )
    return groups


def hidden_filters(form: FinderSearchForm) -> list[tuple[str, str]]:
    """Filters not drawn in the column (needs and circumstances from browsing, age), carried
    through the form as hidden inputs so applying another filter keeps them."""
    data = getattr(form, "cleaned_data", {})
    kept: list[tuple[str, str]] = []
    for param in ("need", "circumstance"):
        kept.extend((param, value) for value in data.get(param, ()))
    return kept


def clear_filters_url(form: FinderSearchForm) -> str:
    """The results page with the same words and postcode and no filters."""
    data = getattr(form, "cleaned_data", {})
    query = QueryDict(mutable=True)
    for param in ("q", "postcode"):
        if data.get(param):
            query[param] = data[param]
    if data.get("postcode") and data.get("within"):
        query["within"] = form.data.get("within", "")
    url = reverse("finder:search")
    return f"{url}?{query.urlencode()}" if query else url


def pagination(results: FinderResults, request: HttpRequest) -> dict[str, Any] | None:
    """GOV.UK pagination for the results (the engine counts; a lazy range stands in for rows)."""
    paginator = Paginator(range(results.total), results.per_page)
    page = paginator.get_page(results.page)
    return components.pagination(page, request)


def distance_choices(selected: str) -> list[dict[str, Any]]:
    return [
        {"value": value, "label": label, "selected": value == selected}
        for value, label in DISTANCES
    ]


def day_name(code: str) -> str:
    return DAYS.get(code, code)


def cost_label(value: str) -> str:
    return COSTS.get(value, "")


def search_url(**params: Any) -> str:
    """The results page for these query parameters."""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = value
    return f"{reverse('finder:search')}?{query.urlencode()}"


class CategoryTree:
    """The LGA functions and the service types under them that have published services, for
    browsing. Two queries: the functions, and the service types that have services."""

    def __init__(self, counts: dict[str, int]) -> None:
        from directory.models import TaxonomyTerm
        from directory.taxonomies.identity import LGA_SERVICE_TYPES

        lga = TaxonomyTerm.objects.filter(taxonomy__vocabulary=LGA_SERVICE_TYPES).only(
            "name", "path", "parent_id", "term"
        )
        self.counts = counts
        self.functions = list(lga.filter(term__startswith="function:").order_by("name"))
        self.types = list(lga.filter(pk__in=list(counts)).order_by("name"))

    def _has_services(self, function: Any) -> bool:
        return any(t.path.startswith(function.path) for t in self.types)

    def children(self, parent: Any | None) -> list[dict[str, Any]]:
        """The sub-functions (to browse further) then the service types (to results) directly
        under `parent` (None: the top level)."""
        parent_id = parent.pk if parent is not None else None
        items = [
            {
                "name": function.name,
                "href": reverse("finder:browse-category", kwargs={"pk": function.pk}),
                "count": None,
            }
            for function in self.functions
            if function.parent_id == parent_id and self._has_services(function)
        ]
        items += [
            {
                "name": term.name,
                "href": search_url(service_type=str(term.pk)),
                "count": plural(self.counts[str(term.pk)], "service", "services"),
            }
            for term in self.types
            if term.parent_id == parent_id
        ]
        return items

    def breadcrumbs(self, term: Any) -> list[dict[str, str]]:
        """Links from the top of browsing down to `term`'s parent."""
        crumbs = [{"text": "Home", "href": reverse("finder:home")}]
        crumbs.append({"text": "Browse", "href": reverse("finder:browse")})
        ancestors = [
            function
            for function in self.functions
            if term.path.startswith(function.path) and function.pk != term.pk
        ]
        for function in sorted(ancestors, key=lambda f: len(f.path)):
            crumbs.append(
                {
                    "text": function.name,
                    "href": reverse("finder:browse-category", kwargs={"pk": function.pk}),
                }
            )
        return crumbs


def vocabulary_links(terms: Any, param: str) -> list[dict[str, str]]:
    """Needs or circumstances that the LGA mapping links to service types, each a link to
    their results."""
    return [
        {"name": term.name, "href": search_url(**{param: str(term.pk)})}
        for term in terms.filter(mappings_out__isnull=False).distinct().only("name")
    ]


def _web_link(url: str, text: str = "") -> SafeString | str:
    """A link to an outside web address; anything that is not http(s) is shown as text."""
    if not str(url).startswith(("http://", "https://")):
        return text or url
    return format_html('<a class="govuk-link" href="{}" rel="noopener">{}</a>', url, text or url)


def _phone_link(phone: Phone) -> SafeString:
    link = format_html(
        '<a class="govuk-link" href="tel:{}">{}</a>', phone.number.replace(" ", ""), phone.number
    )
    return format_html("{} ({})", link, phone.label) if phone.label else link


def _row(key: str, values: list[Any]) -> dict[str, Any] | None:
    values = [value for value in values if value]
    return {"key": key, "value": components.lines(values)} if values else None


def _contact_lines(page: ServicePage) -> list[Any]:
    lines: list[Any] = [_phone_link(phone) for phone in page.phones]
    if page.email:
        lines.append(format_html('<a class="govuk-link" href="mailto:{0}">{0}</a>', page.email))
    if page.url:
        lines.append(_web_link(page.url))
    for contact in page.contacts:
        who = ", ".join(part for part in (contact.name, contact.title) if part)
        if who:
            lines.append(who)
        lines.extend(_phone_link(phone) for phone in contact.phones)
        if contact.email:
            lines.append(
                format_html('<a class="govuk-link" href="mailto:{0}">{0}</a>', contact.email)
            )
    lines.extend(_web_link(url, label) for label, url in page.additional_urls)
    return lines


def service_sections(page: ServicePage) -> dict[str, Any]:
    """Everything the service page lays out, from the engine's `ServicePage`."""
    types = [
        format_html('<a class="govuk-link" href="{}">{}</a>', search_url(service_type=pk), label)
        for pk, label in page.service_types
    ]
    rows = [
        _row("Type of service", types),
        _row("Who it is for", [page.ages, page.eligibility]),
        _row("How to attend", page.attending),
        _row("Cost", page.costs or [page.cost, page.fees]),
        _row("Languages", page.languages),
        _row("Accessibility", page.accessibility),
        _row("Areas served", page.service_areas),
        _row("Contact", _contact_lines(page)),
    ]
    return {
        "service_id": page.service_id,
        "name": page.name,
        "description": page.description,
        "alert": page.alert,
        "organization_name": page.organization_name,
        "organization_href": (
            organisation_url(page.organization_id) if page.organization_id else ""
        ),
        "rows": components.summary_rows([row for row in rows if row]),
        "when_next": page.when_next,
        "sessions": page.sessions,
        "closures": page.closures,
        "locations": [
            {
                "name": location.name,
                "address": location.address_lines,
                "description": location.description,
                "sessions": location.sessions,
                "accessibility": location.accessibility,
            }
            for location in page.locations
        ],
        "checked": page.checked,
        "report_href": reverse("workflow:report", kwargs={"pk": page.service_id}),
        "propose_href": reverse("workflow:propose", kwargs={"pk": page.service_id}),
        "calendar_href": _reverse_or_empty("finder:service-calendar", page.service_id),
    }


def _reverse_or_empty(name: str, pk: str) -> str:
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


def organisation_sections(page: OrganizationPage) -> dict[str, Any]:
    """What the organisation page lays out, from the engine's `OrganizationPage`."""
    rows = [
        _row("Website", [_web_link(page.website)] if page.website else []),
        _row(
            "Email",
            [format_html('<a class="govuk-link" href="mailto:{0}">{0}</a>', page.email)]
            if page.email
            else [],
        ),
        _row("Phone", [_phone_link(phone) for phone in page.phones]),
    ]
    return {
        "name": page.name,
        "description": page.description,
        "rows": components.summary_rows([row for row in rows if row]),
        "services": result_cards(page.services),
    }

"""Search insight for directory admins, and what the finder tells search engines: robots.txt
(the sitemap lives in publish/finder/sitemaps.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import formats
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from accounts.policy import Action
from accounts.views.mixins import StaffPageMixin
from core.components import cell, column, pagination
from core.forms import GDSForm
from directory.models import TaxonomyTerm
from publish.finder import insight
from publish.finder.models import SearchKind
from publish.finder.opening import ATTENDING_LABELS, DAY_NAMES

# How the filters kept in a search record read on the page (term ids are looked up by name).
FILTER_NAMES = {
    "service_types": "Service type",
    "needs": "Need",
    "circumstances": "Circumstance",
    "age": "Age",
    "within_miles": "Within (miles)",
    "attending": "How to attend",
    "days": "Day",
    "time_of_day": "Time of day",
    "open_now": "Open now",
    "cost": "Cost",
    "accessibility": "Accessibility",
    "languages": "Language",
}
TERM_FILTERS = ("service_types", "needs", "circumstances")
VALUE_LABELS = {
    **ATTENDING_LABELS,
    **DAY_NAMES,
    "morning": "Morning",
    "afternoon": "Afternoon",
    "evening": "Evening",
    "free": "Free",
    "paid": "Paid",
}
NO_WORDS = "(no words: filters only)"
NO_AREA = "No postcode given"


def month_label(month: date) -> str:
    return formats.date_format(month, "F Y")


class InsightFilterForm(GDSForm):
    """The insight page's filters (a GET form; both optional): one month, one area."""

    submit_label = "Show searches"

    month = forms.ChoiceField(
        label="Month",
        required=False,
        error_messages={"invalid_choice": "Select a month from the list"},
    )
    area = forms.ChoiceField(
        label="Area (postcode district)",
        required=False,
        error_messages={"invalid_choice": "Select an area from the list"},
    )

    def __init__(self, *args: Any, months: list[date], areas: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [("", "All months")] + [
            (month.isoformat(), month_label(month)) for month in months
        ]
        self.fields["area"].choices = [("", "All areas")] + [(area, area) for area in areas]
        self.helper.form_method = "get"

    def get_layout(self) -> Layout:
        return Layout(Field.select("month"), Field.select("area"))

    def selection(self) -> insight.InsightFilter:
        """What the form asks for; everything when it is unbound or wrong."""
        if not self.is_bound or not self.is_valid():
            return insight.InsightFilter()
        month = self.cleaned_data["month"]
        return insight.InsightFilter(
            month=date.fromisoformat(month) if month else None, area=self.cleaned_data["area"]
        )


def _term_names(rows: list[dict[str, Any]]) -> dict[str, str]:
    """The names of every term the rows' filters name, in one query."""
    ids: set[str] = set()
    for row in rows:
        for name in TERM_FILTERS:
            ids.update(str(value) for value in (row["filters"] or {}).get(name, []))
    if not ids:
        return {}
    valid = []
    for value in ids:
        try:
            TaxonomyTerm._meta.pk.to_python(value)
        except Exception:  # a malformed id kept from an old search: shown as it is
            continue
        valid.append(value)
    return {
        str(pk): name
        for pk, name in TaxonomyTerm.objects.filter(pk__in=valid).values_list("pk", "name")
    }


def describe_filters(filters: dict[str, Any] | None, term_names: dict[str, str]) -> str:
    """'Service type: Food banks; Day: Saturday' from a record's filters."""
    parts = []
    order = list(FILTER_NAMES)
    # In the order of the finder's form, whatever order the database keeps the keys in.
    for name, value in sorted(
        (filters or {}).items(),
        key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]),
    ):
        label = FILTER_NAMES.get(name, name.replace("_", " ").capitalize())
        values = value if isinstance(value, list) else [value]
        if name in TERM_FILTERS:
            shown = [term_names.get(str(v), "A term no longer listed") for v in values]
        elif value is True:
            shown = ["Yes"]
        else:
            shown = [VALUE_LABELS.get(str(v), str(v)) for v in values]
        parts.append(f"{label}: {', '.join(shown)}")
    return "; ".join(parts) or "None"


def zero_result_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    term_names = _term_names(rows)
    kinds = dict(SearchKind.choices)
    return {
        "head": [
            column("Words"),
            column("Filters"),
            column("Kind"),
            column("Searches", numeric=True),
            column("Areas", numeric=True),
            column("Latest"),
        ],
        "rows": [
            [
                cell(row["text"] or NO_WORDS, header=True),
                cell(describe_filters(row["filters"], term_names)),
                cell(kinds.get(row["kind"], row["kind"])),
                cell(row["searches"], numeric=True),
                cell(row["areas"], numeric=True),
                cell(month_label(row["latest"])),
            ]
            for row in rows
        ],
    }


def frequent_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "head": [
            column("Words"),
            column("Searches", numeric=True),
            column("Found nothing", numeric=True),
            column("Average results", numeric=True),
        ],
        "rows": [
            [
                cell(row["text"] or NO_WORDS, header=True),
                cell(row["searches"], numeric=True),
                cell(row["found_nothing"], numeric=True),
                cell(round(row["average"] or 0), numeric=True),
            ]
            for row in rows
        ],
    }


def area_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "head": [
            column("Area"),
            column("Searches", numeric=True),
            column("Found nothing", numeric=True),
            column("Share that found nothing", numeric=True),
        ],
        "rows": [
            [
                cell(row["postcode_district"] or NO_AREA, header=True),
                cell(row["searches"], numeric=True),
                cell(row["found_nothing"], numeric=True),
                cell(
                    f"{round(100 * row['found_nothing'] / row['searches'])}%"
                    if row["searches"]
                    else "0%",
                    numeric=True,
                ),
            ]
            for row in rows
        ],
    }


class SearchInsightView(StaffPageMixin, TemplateView):
    """What the public and frontline workers search for (directory admins): the searches that
    found nothing, the most frequent searches and the searches per area, for one month and one
    area or all. Each table pages on its own (`zero`, `page`, `areas`), in a constant number of
    queries."""

    permission_action = Action.VIEW_SEARCH_INSIGHT
    title = "Search insight"
    template_name = "publish/finder/insight.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET
        filtering = any(key in params for key in ("month", "area"))
        form = InsightFilterForm(
            params if filtering else None,
            months=insight.months_recorded(),
            areas=insight.areas_recorded(),
        )
        selection = form.selection()
        per_page = settings.PORTAL_STAFF_PER_PAGE
        tables = {}
        for key, param, rows, present in (
            ("zero", "zero", insight.zero_result_searches(selection), zero_result_table),
            ("frequent", "page", insight.frequent_searches(selection), frequent_table),
            ("areas", "areas", insight.searches_by_area(selection), area_table),
        ):
            page = Paginator(rows, per_page).get_page(params.get(param))
            tables[key] = {
                **present(list(page.object_list)),
                "count": page.paginator.count,
                "pagination": pagination(page, self.request, param=param),
            }
        totals = insight.totals(selection)
        return super().get_context_data(
            form=form,
            filtering=filtering,
            selection=selection,
            period=month_label(selection.month) if selection.month else "all months",
            place=selection.area or "all areas",
            totals=totals,
            zero=tables["zero"],
            frequent=tables["frequent"],
            areas=tables["areas"],
            retention_months=settings.PORTAL_SEARCH_RECORD_MONTHS,
            **kwargs,
        )


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read the finder and the open data, not the staff pages; the sitemap lists
    every published service and organisation."""
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('finder:sitemap'))}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response

"""Rows, summaries, choices and messages of the legacy classification pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.choices import Choice
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.components import cell, column, lines, link, summary_rows, tag
from directory.models import TaxonomyTerm

from .legacy import UploadResult
from .models import LegacyCategory, LegacyScheme


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def scheme_table(schemes: Iterable[LegacyScheme]) -> dict[str, Any]:
    return {
        "head": [
            column("Classification"),
            column("Categories", numeric=True),
            column("Mapped", numeric=True),
            column("Not mapped yet", numeric=True),
            column("Last upload"),
        ],
        "rows": [
            [
                cell(link(scheme.get_absolute_url(), scheme.name), header=True),
                cell(scheme.category_count, numeric=True),
                cell(scheme.mapped_count, numeric=True),
                cell(scheme.unmapped_count, numeric=True),
                cell(_date(scheme.updated_at)),
            ]
            for scheme in schemes
        ],
    }


def scheme_summary(scheme: LegacyScheme) -> list[dict[str, Any]]:
    return summary_rows(
        [
            {"key": "Categories", "value": scheme.category_count},
            {"key": "Mapped to LGA service types", "value": scheme.mapped_count},
            {"key": "Not mapped yet", "value": scheme.unmapped_count},
        ]
    )


def filter_links(path: str, show: str) -> list[dict[str, Any]]:
    return [
        {"href": f"{path}?show={value}" if value else path, "text": text, "current": show == value}
        for value, text in (("", "All"), ("unmapped", "Not mapped yet"), ("mapped", "Mapped"))
    ]


def category_table(scheme: LegacyScheme, categories: Iterable[LegacyCategory]) -> dict[str, Any]:
    rows = []
    for category in categories:
        types = list(category.service_types.all())  # prefetched
        label = category.label
        if category.parent_label:
            label = lines([category.label, f"under {category.parent_label}"])
        url = reverse("workflow:classification-category", args=[scheme.pk, category.pk])
        rows.append(
            [
                cell(category.code),
                cell(label, header=True),
                cell(lines([t.name for t in types]) if types else tag("Not mapped", "grey")),
                cell(_mapped_by(category) if types else ""),
                cell(link(url, "Change" if types else "Map", hidden=category.label)),
            ]
        )
    return {
        "head": [
            column("Code"),
            column("Category"),
            column("LGA service types"),
            column("Mapped by"),
            column("Action"),
        ],
        "rows": rows,
    }


def category_summary(category: LegacyCategory) -> list[dict[str, Any]]:
    types = [t.name for t in category.service_types.all()]
    rows = [
        {"key": "Code", "value": category.code},
        {"key": "Under", "value": category.parent_label or "Nothing (a top-level category)"},
        {"key": "Mapped to", "value": lines(types) if types else "Nothing yet"},
    ]
    if types and category.mapped_at:
        rows.append({"key": "Mapped by", "value": _mapped_by(category)})
    return summary_rows(rows)


def suggestion_rows(suggestions: list) -> list[dict[str, Any]]:
    return [
        {"name": s.term.name, "score": f"{round(s.score * 100)}%", "reasons": list(s.reasons)}
        for s in suggestions
    ]


def type_choices(
    *,
    current: list[TaxonomyTerm],
    ticked: list[TaxonomyTerm],
    suggestions: list,
    found: list[TaxonomyTerm],
) -> list[Choice]:
    """Checkboxes: the category's types and those ticked, then suggestions, then what a search
    found; each term once, its hint saying why it is listed."""
    hints: dict[str, str] = {}
    order: list[TaxonomyTerm] = []

    def add(term: TaxonomyTerm, hint: str) -> None:
        key = str(term.pk)
        if key not in hints:
            order.append(term)
            hints[key] = hint

    for term in current:
        add(term, "Mapped now")
    for term in ticked:
        add(term, "")
    for suggestion in suggestions:
        score = round(suggestion.score * 100)
        why = "; ".join(suggestion.reasons)
        add(suggestion.term, f"Suggested ({score}%): {why}" if why else f"Suggested ({score}%)")
    for term in found:
        add(term, "Found by your search")
    return [Choice(str(t.pk), t.name, hint=hints[str(t.pk)]) for t in order]


def upload_message(result: UploadResult) -> str:
    scheme = result.scheme.name
    parts = [_count(result.added, "new category", "new categories")]
    if result.updated:
        parts.append(_count(result.updated, "category", "categories") + " relabelled")
    if result.unchanged:
        parts.append(_count(result.unchanged, "category", "categories") + " already known")
    verb = "created" if result.created_scheme else "updated"
    return f"{scheme} {verb}: {', '.join(parts)}. Mappings made before are kept."


def mapped_message(category: LegacyCategory, chosen: list[TaxonomyTerm], changed: bool) -> str:
    if not changed:
        return f"Nothing has changed: {category.label} is mapped as it was"
    if not chosen:
        return f"{category.label} is not mapped to any LGA service type now"
    return f"{category.label} is mapped to {', '.join(t.name for t in chosen)}"


def _mapped_by(category: LegacyCategory) -> str:
    who = category.mapped_by.email if category.mapped_by else "someone no longer here"
    return f"{who}, {_date(category.mapped_at)}" if category.mapped_at else who


def _date(value: Any) -> str:
    return date_format(timezone.localtime(value), "j F Y") if value else ""

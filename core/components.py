"""Python halves of the GOV.UK component partials in templates/components/.

Presenters build the data each partial lays out (rows, cells, tags, pagination links) here, so that
templates only lay out and every tag or cell is rendered by its one partial.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def tag(text: str, colour: str = "") -> SafeString:
    """A GOV.UK tag (colour: grey, green, turquoise, blue, light-blue, purple, pink, red, orange,
    yellow; empty for the default blue)."""
    return render_to_string("components/tag.html", {"text": text, "colour": colour})


def link(href: str, text: str, hidden: str = "") -> SafeString:
    """A GOV.UK link; `hidden` is extra text for screen readers ("Change <hidden>")."""
    if hidden:
        return format_html(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> {}</span></a>',
            href,
            text,
            hidden,
        )
    return format_html('<a class="govuk-link" href="{}">{}</a>', href, text)


def lines(values: list[Any]) -> SafeString:
    """Several short values in one cell, one per line."""
    return format_html_join(mark_safe("<br>"), "{}", ((value,) for value in values))


def cell(value: Any, *, numeric: bool = False, header: bool = False) -> dict[str, Any]:
    return {"value": value, "numeric": numeric, "header": header}


def column(text: str, *, numeric: bool = False) -> dict[str, Any]:
    return {"text": text, "numeric": numeric}


def summary_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summary list rows ({key, value, actions}); marks rows without actions when others have
    them, as the component asks. Every key the partial reads is set: Django's templates pay for
    a missing one with two exceptions and a `dir()` of the row (a quarter of a results page's
    rendering went on its cards' missing `actions`)."""
    any_actions = any(row.get("actions") for row in rows)
    return [
        {"actions": (), **row, "no_actions": any_actions and not row.get("actions")} for row in rows
    ]


def action(href: str, text: str, hidden: str = "") -> dict[str, str]:
    return {"href": href, "text": text, "hidden": hidden}


def pagination(page: Page, request: HttpRequest, *, param: str = "page") -> dict[str, Any] | None:
    """The GOV.UK pagination component's links for `page`, keeping the other query parameters."""
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return None

    def href(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    items: list[dict[str, Any]] = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "href": href(number), "current": number == page.number})
    return {
        "previous": href(page.previous_page_number()) if page.has_previous() else "",
        "next": href(page.next_page_number()) if page.has_next() else "",
        "items": items,
    }


def button_form(
    action_url: str,
    label: str,
    *,
    csrf_token: str,
    name: str = "",
    value: str = "",
    classes: str = "govuk-button--secondary govuk-!-margin-bottom-1",
    form_classes: str = "govuk-!-margin-right-1",
    hidden: str = "",
) -> SafeString:
    """A one-button POST form (withdraw, move up...), small enough for a table cell."""
    return render_to_string(
        "components/button_form.html",
        {
            "action": action_url,
            "label": label,
            "csrf_token": csrf_token,
            "name": name,
            "value": value,
            "classes": classes,
            "form_classes": form_classes,
            "hidden": hidden,
        },
    )


def details(summary: str, text: Any, *, preformatted: bool = False) -> SafeString:
    """A GOV.UK details component: `summary` shown, `text` revealed (kept as laid out, e.g. a
    traceback, when `preformatted`)."""
    return render_to_string(
        "components/details.html",
        {"summary": summary, "text": text, "preformatted": preformatted},
    )

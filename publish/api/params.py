"""Parsing and checking query parameters: every value checked, unknown names refused."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime

from directory.geo import InvalidPostcode, PostcodePoint, lookup_postcode

from .errors import BadParameter, errors_from_form

TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error rather than quietly false."""

    def to_python(self, value):
        if value in (None, ""):
            return False
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError("must be true or false")


class Iso8601Field(forms.Field):
    """A date-time in ISO 8601, with or without a zone (UTC assumed), or a plain date (midnight)."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().replace(" ", "+")  # a "+" zone arrives as a space if unencoded
        try:
            # Well-formed but impossible values (30 February, hour 24, zone +25:00) raise.
            parsed = parse_datetime(text)
            day = parse_date(text) if parsed is None and len(text) == 10 else None
        except ValueError:
            raise forms.ValidationError(
                "must be a real date and time, like 2024-03-15T10:30:00Z or 2024-03-15"
            ) from None
        if parsed is None:
            if day is None:
                raise forms.ValidationError(
                    "must be an ISO 8601 date-time, like 2024-03-15T10:30:00Z or 2024-03-15"
                )
            parsed = dt.datetime.combine(day, dt.time())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed


class PostcodeField(forms.CharField):
    def to_python(self, value) -> PostcodePoint | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return lookup_postcode(text)
        except InvalidPostcode as exc:
            raise forms.ValidationError(str(exc)) from exc


class PageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000_000)
    per_page = forms.IntegerField(required=False, min_value=1)
    format = forms.ChoiceField(required=False, choices=[("json", "json"), ("ndjson", "ndjson")])
    full = StrictBooleanField(required=False)

    def __init__(self, data, *, max_per_page: int) -> None:
        super().__init__(data)
        self.fields["per_page"] = forms.IntegerField(
            required=False, min_value=1, max_value=max_per_page
        )


def check_known(params, allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise BadParameter(
            f"{unknown[0]} is not a parameter of this endpoint; it accepts "
            + (", ".join(sorted(allowed)) or "none"),
            parameter=unknown[0],
        )
    for name in params:
        if len(params.getlist(name)) > 1:
            raise BadParameter(f"{name} is given more than once", parameter=name)


def clean(form: forms.Form) -> dict:
    if not form.is_valid():
        raise errors_from_form(form.errors)
    return form.cleaned_data


def page_params(params, *, minimal: bool = False, feed_default: int | None = None) -> dict:
    """page, per_page, format and full, checked. `feed_default` is the feed's page size when the
    client names none (`Feed.default_per_page`); `per_page` is None for "every match on one
    page" (`Feed.ALL`)."""
    max_per_page = (
        settings.PORTAL_API_MAX_PER_PAGE_MINIMAL if minimal else settings.PORTAL_API_MAX_PER_PAGE
    )
    data = clean(PageForm(params, max_per_page=max_per_page))
    default = settings.PORTAL_API_PER_PAGE_MINIMAL if minimal else settings.PORTAL_API_PER_PAGE
    if feed_default is not None:
        default = feed_default or None
    data["page"] = data["page"] or 1
    data["per_page"] = data["per_page"] or default
    data["format"] = data["format"] or "json"
    return data


PAGE_PARAMS = {"page", "per_page", "format", "full"}

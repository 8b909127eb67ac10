"""No lost updates: a staff form carries the version of the row it was loaded from.

The version is a digest of the row's state as its service sees it (`version_of`). The form holds
it in a hidden field; on save the service locks the row, works out the version again and, if
someone else saved in between, raises `StaleEdit` instead of writing over their change. The view
then answers with a "someone else changed this" page (`StaleEditViewMixin`) that shows what the
person sent beside what is saved now, and a link to start again from the saved values.

A form posted without a version (an old tab from before this existed) is not checked: the
check must never stop an edit that cannot be compared.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.html import format_html

VERSION_FIELD = "loaded_version"


def version_of(state: Mapping[str, Any]) -> str:
    """A short, stable digest of a row's state (any JSON-able mapping; other values as text)."""
    text = json.dumps(state, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class StaleEdit(Exception):
    """The row changed after the form was loaded; nothing was written."""


def check_version(expected: str | None, state: Mapping[str, Any]) -> None:
    """Raise StaleEdit when `expected` (the form's version) is given and the row's current
    `state` no longer matches it. Call it with the row locked, inside the writing transaction."""
    if expected and expected != version_of(state):
        raise StaleEdit


class VersionedFormMixin:
    """Adds the hidden version field to a GDS form (put it before the form class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No length limit: a tampered version simply fails to match, and the save is refused.
        self.fields[VERSION_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.helper = self.build_helper()

    def get_layout(self) -> Any:
        from crispy_forms_gds.layout import Field

        layout = super().get_layout()
        if VERSION_FIELD not in [pointer.name for pointer in layout.get_field_names()]:
            layout.append(Field(VERSION_FIELD))
        return layout

    @property
    def loaded_version(self) -> str:
        return self.cleaned_data.get(VERSION_FIELD) or ""


def display_value(field: forms.Field, value: Any) -> str:
    """A form value as a person reads it: choice labels, "Yes"/"No", one item per line."""
    if isinstance(field, forms.BooleanField):
        return "Yes" if value else "No"
    if value in (None, "", [], ()):
        return "Not set"
    choices = {str(key): label for key, label in getattr(field, "choices", ()) or ()}
    if isinstance(value, list | tuple | set):
        return "\n".join(str(choices.get(str(item), item)) for item in value)
    return str(choices.get(str(value), value))


def _submitted(form: forms.Form, name: str) -> Any:
    """What the person sent for one field, as raw as the form's initial values are."""
    field = form.fields[name]
    if isinstance(field, forms.MultipleChoiceField):
        return form.data.getlist(name)
    if isinstance(field, forms.BooleanField):
        return form.cleaned_data.get(name, bool(form.data.get(name)))
    return form.data.get(name, "")


class StaleEditViewMixin:
    """For a FormView editing one row: puts the row's version in the form and answers a stale
    save with the "someone else changed this" page (HTTP 409).

    Subclasses define `current_state()` (the row's state, as its service computes the version)
    and `fresh_initial()` (the form's initial values from the row as saved now)."""

    stale_template_name = "core/stale_edit.html"

    def current_state(self) -> Mapping[str, Any]:
        raise NotImplementedError

    def fresh_initial(self) -> dict[str, Any]:
        raise NotImplementedError

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), VERSION_FIELD: version_of(self.current_state())}

    def stale_response(self, form: forms.Form) -> HttpResponse:
        from core.components import cell, column, lines, tag

        saved = self.fresh_initial()
        rows = []
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            yours = display_value(field, _submitted(form, name))
            now = display_value(field, saved.get(name))
            label = str(field.label)
            if yours != now:
                label = format_html("{} {}", label, tag("Different", "yellow"))
            rows.append(
                [
                    cell(label, header=True),
                    cell(lines(yours.splitlines())),
                    cell(lines(now.splitlines())),
                ]
            )
        context = self.get_context_data(
            form=form,
            head=[column("Question"), column("What you sent"), column("Saved now")],
            rows=rows,
            restart=self.request.path,
        )
        context["title"] = "Someone else changed this while you were editing it"
        return render(self.request, self.stale_template_name, context, status=409)

"""Forms of the legacy classification pages: upload a CSV, map one category."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Div, Field, Layout, Size
from django import forms
from django.conf import settings

from core.concurrency import VersionedFormMixin
from core.forms import GDSForm, submit_button

from .legacy import CategoryRow, parse_categories

PROBLEMS_SHOWN = 50  # a file with thousands of bad rows lists the first problems, then a count


class LegacyUploadForm(GDSForm):
    """A scheme's name and its categories as a CSV file; the file is checked whole here, so the
    view saves either every category or none."""

    submit_label = "Upload categories"

    name = forms.CharField(
        label="Name of the old directory's classification",
        help_text=(
            "Use the name its taxonomy has in the old directory's ORUK files, for example Old "
            "FIS categories. Upload to a name you used before to add categories to it."
        ),
        max_length=255,
        error_messages={"required": "Enter the name of the old directory's classification"},
    )
    file = forms.FileField(
        label="Upload a CSV file",
        help_text=(
            "The first row names the columns: code, label and, if you have it, parent (the label "
            "of the category above). Then one category a row."
        ),
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV file",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[CategoryRow] = []
        limit = settings.PORTAL_LEGACY_CSV_MAX_BYTES // 1000
        self.fields["file"].help_text += f" The file must be smaller than {limit} KB."

    def get_layout(self) -> Layout:
        return Layout(Field.text("name"), Field("file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.PORTAL_LEGACY_CSV_MAX_BYTES:
            limit = settings.PORTAL_LEGACY_CSV_MAX_BYTES // 1000
            raise forms.ValidationError(f"The selected file must be smaller than {limit} KB")
        rows, problems = parse_categories(upload.read())
        if problems:
            shown = problems[:PROBLEMS_SHOWN]
            if len(problems) > len(shown):
                shown.append(f"and {len(problems) - len(shown)} more problems in the file")
            raise forms.ValidationError([forms.ValidationError(p) for p in shown])
        self.rows = rows
        return upload


class LegacyCategoryChoiceForm(GDSForm):
    """The LGA service types one category maps to, chosen from those `choices` lists (the current
    ones, the assistant's suggestions and what a search found); a search box finds more without
    JavaScript, keeping what is ticked."""

    service_types = forms.MultipleChoiceField(
        label="Which LGA service types does this category map to?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select LGA service types from the list"},
    )
    search = forms.CharField(
        label="Find another LGA service type",
        required=False,
        max_length=100,
    )

    def __init__(self, *args: Any, choices: list[Choice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_types"].choices = choices
        if not choices:
            self.fields[
                "service_types"
            ].help_text = "No service types to show yet: search for one below."
        else:
            self.fields[
                "service_types"
            ].help_text = "Select all that apply. Select none if no LGA service type fits."
        self.helper = self.build_helper()

    def get_layout(self) -> Layout:
        return Layout(
            Field.checkboxes("service_types", legend_size=Size.MEDIUM, small=True),
            Field.text("search", field_width=20),
            Div(submit_button("find", "Search", variant="secondary")),
        )

    def get_buttons(self) -> list:
        return [
            submit_button("save", "Save mapping"),
            submit_button("next", "Save and map the next unmapped category", variant="secondary"),
        ]


class LegacyCategoryMapForm(VersionedFormMixin, LegacyCategoryChoiceForm):
    """Mapping a category: carries the version of the mapping it was loaded from
    (core.concurrency)."""

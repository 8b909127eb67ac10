"""The staff import page's form: an ORUK file, its dialect, and what to do with bad records."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout
from django import forms

from core.forms import GDSForm
from directory.oruk.run import AUTO
from directory.oruk.v1 import ORUK1, ORUK3

FORMATS = [
    (AUTO, "Recognise it from the records"),
    (ORUK3, "ORUK 3.0"),
    (ORUK1, "ORUK 1.0"),
]


class ImportUploadForm(GDSForm):
    submit_label = "Import the file"
    file = forms.FileField(
        label="ORUK file",
        help_text=(
            "A JSON file (a list page, an array or one record) or ndjson (one record a line) of "
            "services, organisations, locations or taxonomies"
        ),
        error_messages={
            "required": "Choose the file to import",
            "empty": "The file is empty: choose a file that holds ORUK records",
            "invalid": "Choose the file to import",
        },
    )
    dialect = forms.ChoiceField(
        label="Which version of ORUK is it?",
        choices=FORMATS,
        initial=AUTO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which version of ORUK the file is"},
    )
    source_name = forms.CharField(
        label="Name of the directory it comes from (ORUK 1.0 only, optional)",
        required=False,
        max_length=255,
        help_text=(
            "Records whose ids are not UUIDs get UUIDs made from this name: give the same name "
            "each time you import from the same directory"
        ),
    )
    skip_invalid = forms.BooleanField(
        label="Import the valid records even if some are invalid",
        required=False,
        help_text="Otherwise one invalid record stops the whole import and nothing changes",
    )

    def get_layout(self) -> Layout:
        return Layout(
            Field("file", css_class="govuk-file-upload"),
            self.layout_field("dialect"),
            self.layout_field("source_name"),
            self.layout_field("skip_invalid"),
        )

    def clean_source_name(self) -> str:
        value = self.cleaned_data["source_name"].strip()
        if "\n" in value or "\r" in value:
            raise forms.ValidationError("Enter the name on one line")
        return value

"""The public "report a problem" form: what is wrong with a listing, and what it should say.

Anyone can send it, so it holds what a person types and nothing more: every field has a size
limit, and a honeypot field (hidden from people, there for bots) lets the view drop what a bot
sends without telling it.
"""

from __future__ import annotations

import re
from typing import Any

from crispy_forms_gds.layout import (
    ConditionalQuestion,
    ConditionalRadios,
    Div,
    Field,
    Fieldset,
    Layout,
    Size,
)
from django import forms

from core.forms import GDSForm

from .models import ReportPart

# The question each part reveals: its field, and the label a person reads.
CORRECTION_FIELDS: dict[str, tuple[str, str]] = {
    ReportPart.PHONE: ("phone", "What should the phone number be?"),
    ReportPart.ADDRESS: ("address", "What should the address be?"),
    ReportPart.TIMES: ("times", "What should the opening times be?"),
    # Every option reveals a question: crispy-forms-gds points each option's aria-controls at
    # its revealed block, so an option without one would name an element that is not there.
    ReportPart.CLOSED: ("closed", "When did it close? (optional)"),
    ReportPart.OTHER: ("other", "What should it say?"),
}
HONEYPOT_FIELD = "website"
# Digits and what people write between them; an extension goes in the note.
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")
_PHONE_DIGITS = (6, 15)


def _optional_text(label: str, max_length: int, *, textarea: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 3}) if textarea else forms.TextInput,
    )


class ReportForm(GDSForm):
    """What a member of the public says is wrong with a published service's listing."""

    submit_label = "Send report"

    part = forms.ChoiceField(
        label="What is wrong?",
        choices=ReportPart.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what is wrong",
            "invalid_choice": "Select what is wrong",
        },
    )
    phone = _optional_text(CORRECTION_FIELDS[ReportPart.PHONE][1], 50)
    address = _optional_text(CORRECTION_FIELDS[ReportPart.ADDRESS][1], 500, textarea=True)
    times = _optional_text(CORRECTION_FIELDS[ReportPart.TIMES][1], 500, textarea=True)
    closed = _optional_text(CORRECTION_FIELDS[ReportPart.CLOSED][1], 100)
    other = _optional_text(CORRECTION_FIELDS[ReportPart.OTHER][1], 1000, textarea=True)
    note = forms.CharField(
        label="Anything else we should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    name = forms.CharField(
        label="Your name (optional)",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        max_length=254,
        help_text="Leave your email address if you want to know what happens",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    # The honeypot: hidden from people (CSS, aria-hidden, out of the tab order); a bot that
    # fills every field fills it too.
    website = forms.CharField(
        label="Website",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def get_layout(self) -> Layout:
        labels = dict(ReportPart.choices)
        questions = [
            ConditionalQuestion(labels[part], self._correction_field(part))
            for part in ReportPart.values
        ]
        return Layout(
            ConditionalRadios("part", *questions),
            Field.textarea("note", rows=4),
            Fieldset(
                Field.text("name", field_width=20),
                Field.text("email", field_width=20),
                legend="Your details",
                legend_size=Size.MEDIUM,
            ),
            Div(Field.text(HONEYPOT_FIELD), css_class="app-honeypot", aria_hidden="true"),
        )

    def _correction_field(self, part: str) -> Field:
        name = CORRECTION_FIELDS[part][0]
        if isinstance(self.fields[name].widget, forms.Textarea):
            return Field.textarea(name, rows=3)
        return Field.text(name, field_width=20)

    @property
    def is_from_a_bot(self) -> bool:
        """The honeypot was filled (read from the raw data: nothing else need be valid)."""
        return bool(self.is_bound and str(self.data.get(HONEYPOT_FIELD, "")).strip())

    def clean_phone(self) -> str:
        number = self.cleaned_data["phone"].strip()
        if number and self.data.get("part") == ReportPart.PHONE:
            digits = sum(c.isdigit() for c in number)
            low, high = _PHONE_DIGITS
            if not _PHONE.match(number) or not low <= digits <= high:
                raise forms.ValidationError("Enter a phone number, like 01632 960 001")
        return number

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        part = data.get("part")
        chosen = CORRECTION_FIELDS[part][0] if part in CORRECTION_FIELDS else ""
        # Without JavaScript every option's question shows: what was typed under an option the
        # person did not choose is not theirs to send, so neither is its error.
        for name, _label in CORRECTION_FIELDS.values():
            if name != chosen:
                self.errors.pop(name, None)
                data.pop(name, None)
        if part == ReportPart.OTHER and not (data.get("other") or data.get("note")):
            self.add_error("other", "Enter what the listing should say")
        return data

    def report_data(self) -> dict[str, str]:
        """Keyword arguments for workflow.services.report_create."""
        data = self.cleaned_data
        part = data["part"]
        return {
            "part": part,
            "corrected": data.get(CORRECTION_FIELDS[part][0], ""),
            "note": data["note"].strip(),
            "name": data["name"].strip(),
            "email": data["email"].strip(),
        }

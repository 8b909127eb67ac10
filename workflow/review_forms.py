"""The assurance forms: the queue's filters, and the review of one change request (accept per
field, correct the wording of simple text fields, confirm consent to personal data, decide).

The forms check the shape of what was sent; `workflow.services` decides everything else
(policy, conflicts, the personal data guard, the record's validity) and its errors are put back
on these forms by the views.
"""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import HTML
from crispy_forms_gds.layout import (
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Fieldset,
    Layout,
    Size,
)
from django import forms
from django.core.exceptions import ValidationError

from core.forms import GDSForm

from .documents import FieldChange
from .models import Source

# The queue's source filter: what an assurer tells apart (a restore is a change like another,
# but one they will want to find).
SOURCE_FILTERS: dict[str, tuple[str, ...]] = {
    "public": (Source.PUBLIC,),
    "frontline": (Source.FRONTLINE,),
    "provider": (Source.PROVIDER, Source.ASSURER, Source.IMPORT),
    "restore": (Source.RESTORE,),
}
SOURCE_FILTER_LABELS = {
    "public": "Reports from the public",
    "frontline": "Frontline workers' suggestions",
    "provider": "Providers' changes",
    "restore": "Restored versions",
}

# Fields an assurer may reword before approving: plain text, one value.
TEXT_FIELDS: dict[str, str] = {
    "name": "input",
    "description": "textarea",
    "url": "input",
    "website": "input",
    "email": "input",
    "fees": "textarea",
    "alert": "textarea",
}
# Generous, but a limit: a text box is not a place to post a book.
TEXT_LIMIT = 10_000

APPROVE, REJECT, ASK = "approve", "reject", "ask"
DECISIONS = [
    (APPROVE, "Approve the accepted changes"),
    (REJECT, "Reject the proposal"),
    (ASK, "Ask for more information"),
]


class QueueFilterForm(GDSForm):
    """The queue's filters (a GET form; both optional). Source labels carry their counts."""

    submit_label = "Filter"

    q = forms.CharField(
        label="Service name", required=False, max_length=200, help_text="All or part of the name"
    )
    source = forms.ChoiceField(
        label="Where the change comes from",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select where the change comes from"},
    )

    def __init__(self, *args: Any, counts: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        counts = counts or {}
        total = sum(counts.values())
        self.fields["source"].choices = [
            ("", f"All ({total})"),
            *(
                (key, f"{label} ({counts.get(key, 0)})")
                for key, label in SOURCE_FILTER_LABELS.items()
            ),
        ]
        self.helper.form_method = "get"

    def get_layout(self) -> Layout:
        return Layout(Field.text("q"), Field.radios("source", legend_size=Size.SMALL, small=True))


def edit_field_name(field: str) -> str:
    return f"edit_{field}"


class ReviewForm(GDSForm):
    """One change request's decision.

    `accept` lists the changed fields (rendered as one checkbox per row of the review's diff
    table, not by crispy); `edit_<field>` holds the wording to publish for each changed simple
    text field, prefilled with the proposal.
    """

    submit_label = "Send decision"

    accept = forms.MultipleChoiceField(
        label="Accept",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only changes this proposal makes"},
    )
    personal_data_confirmed = forms.BooleanField(
        label="The people named agreed to publish these details",
        required=False,
        help_text="Or untick the changes that hold them, or correct them before approving",
    )
    decision = forms.ChoiceField(
        label="What do you decide?",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you decide",
            "invalid_choice": "Select what you decide",
        },
    )
    reason = forms.CharField(
        label="Why is it rejected?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LIMIT,
        help_text="The proposer is told",
    )
    question = forms.CharField(
        label="What do you need to know?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LIMIT,
        help_text="The proposer is asked, and answers by changing the proposal",
    )

    def __init__(
        self,
        *args: Any,
        changes: list[FieldChange],
        show_personal_data: bool = False,
        name_required: str = "Enter the service's name",
        **kwargs: Any,
    ) -> None:
        self.changes = changes
        self.name_required = name_required
        self.show_personal_data = show_personal_data
        self.editable = [
            change
            for change in changes
            if change.field in TEXT_FIELDS and isinstance(change.after, str | None)
        ]
        super().__init__(*args, **kwargs)
        self.fields["accept"].choices = [(change.field, change.label) for change in changes]
        self.fields["accept"].initial = [change.field for change in changes]
        for change in self.editable:
            widget = (
                forms.Textarea(attrs={"rows": 4})
                if TEXT_FIELDS[change.field] == "textarea"
                else forms.TextInput()
            )
            field = forms.CharField(
                label=change.label,
                required=False,
                initial=change.after or "",
                widget=widget,
                max_length=TEXT_LIMIT,
                strip=True,
            )
            self._prepare_field(field)
            self.fields[edit_field_name(change.field)] = field
        # In the order the page shows them, which the error summary follows.
        self.order_fields(["accept", *(edit_field_name(c.field) for c in self.editable)])
        self.rebuild_helper()

    def rebuild_helper(self) -> None:
        """Build the layout again (fields were added, or the consent checkbox is now needed);
        the view draws the <form> around the diff table and these fields."""
        self.helper = self.build_helper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has the token

    def ask_for_consent(self) -> None:
        """Show the consent checkbox (what is to be published turned out to look personal)."""
        self.show_personal_data = True
        self.rebuild_helper()

    def get_layout(self) -> Layout:
        items: list[Any] = []
        if self.editable:
            items.append(
                Fieldset(
                    HTML(
                        '<p class="govuk-hint">What is published if you accept the change. '
                        "Correct it here if it needs it.</p>"
                    ),
                    *(Field(edit_field_name(change.field)) for change in self.editable),
                    legend="Correct the wording before it is published",
                    legend_size=Size.MEDIUM,
                )
            )
        if self.show_personal_data:
            items.append(Field.checkbox("personal_data_confirmed"))
        items.append(
            ConditionalRadios(
                "decision",
                # A question of its own, so that no radio controls a panel that is not there.
                ConditionalQuestion(
                    DECISIONS[0][1],
                    HTML(
                        '<p class="govuk-body">The ticked changes are published at once, '
                        "with today as the date the record was assured.</p>"
                    ),
                ),
                ConditionalQuestion(DECISIONS[1][1], Field("reason")),
                ConditionalQuestion(DECISIONS[2][1], Field("question")),
            )
        )
        return Layout(*items)

    def accepted(self) -> list[str]:
        return list(self.cleaned_data.get("accept") or [])

    def edited(self) -> dict[str, Any]:
        """The accepted text fields the assurer reworded (None: removed), by field. A box not
        sent at all leaves the proposal as it is."""
        accepted = set(self.accepted())
        edited: dict[str, Any] = {}
        for change in self.editable:
            if change.field not in accepted or edit_field_name(change.field) not in self.data:
                continue
            value = _one_kind_of_newline(self.cleaned_data.get(edit_field_name(change.field), ""))
            if value != _one_kind_of_newline(change.after or "").strip():
                edited[change.field] = value or None
        return edited

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decision = data.get("decision")
        if decision == APPROVE and not data.get("accept") and "accept" not in self.errors:
            self.add_error("accept", "Accept at least one change, or reject the proposal")
        if (
            decision == APPROVE
            and "name" in (data.get("accept") or [])
            and edit_field_name("name") in self.fields
            and edit_field_name("name") in self.data
            and not data.get(edit_field_name("name"))
        ):
            self.add_error(edit_field_name("name"), self.name_required)
        if decision == REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why the change is rejected: the proposer is told")
        if decision == ASK and not (data.get("question") or "").strip():
            self.add_error("question", "Enter what you need to know")
        return data

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the form: a reason on the decision's own box."""
        decision = self.cleaned_data.get("decision") if hasattr(self, "cleaned_data") else None
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                target = {"reason": "question" if decision == ASK else "reason"}.get(name, name)
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)
            return
        for message in error.messages:
            self.add_error(None, message)


def _one_kind_of_newline(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")

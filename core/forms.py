"""Base forms in the GOV.UK Design System style (crispy-forms-gds).

Forms extend `GDSForm` or `GDSModelForm` (or put `GDSFormMixin` first beside a Django form, e.g.
an auth form). The mixin builds the crispy helper: a layout that renders each field as the GOV.UK
component its widget calls for, real `<button type="submit">` buttons at the end of the layout, and
no browser validation (errors are ours, shown on the field and in the error summary). Field error
messages are GOV.UK sentences set on each form ("Enter your email address"); `error_summary`
prepares the summary's links.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, ConditionalRadios, Div, Field, Layout, Size
from django import forms


class GDSFormMixin:
    """Builds `self.helper` for `{% crispy form %}`; subclasses adjust with the attributes below
    or override `get_layout()` / `get_buttons()`."""

    submit_label = "Continue"
    submit_name = "submit"
    # A one-question page uses its question as the h1: the label of the only field, at size l.
    label_as_heading = False
    # Fields rendered with a fixed width (field name -> characters), e.g. {"code": 5}.
    field_widths: dict[str, int] = {}
    form_action = ""
    # GOV.UK forms validate on the server only: a browser's `required` bubble would stand in for
    # our error message and summary.
    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            self._prepare_field(field)
        self.helper = self.build_helper()

    def _prepare_field(self, field: forms.Field) -> None:
        # A `maxlength` attribute makes the browser drop what is typed past the limit without a
        # word; the server's check says so instead, in a GOV.UK sentence.
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs.pop("minlength", None)
        max_length = getattr(field, "max_length", None)
        if max_length and "max_length" not in field.error_messages:
            label = str(field.label or "This").rstrip("?")
            field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"

    def build_helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_action = self.form_action
        # Email and number inputs would otherwise show the browser's own validation bubble.
        helper.attrs = {"novalidate": ""}
        helper.layout = self.get_layout()
        buttons = self.get_buttons()
        if len(buttons) > 1:
            helper.layout.append(Div(*buttons, css_class="govuk-button-group"))
        else:
            helper.layout.extend(buttons)
        return helper

    def get_layout(self) -> Layout:
        return Layout(*(self.layout_field(name) for name in self.fields))

    def get_buttons(self) -> list[Button]:
        """The form's buttons, in order; pressing Enter in a field uses the first."""
        return [submit_button(self.submit_name, self.submit_label)] if self.submit_label else []

    def layout_field(self, name: str) -> Field:
        """The GOV.UK component for one field, chosen by its widget."""
        widget = self.fields[name].widget
        heading = {"label_size": Size.LARGE, "label_tag": "h1"} if self.label_as_heading else {}
        legend = (
            {"legend_size": Size.LARGE, "legend_tag": "h1"}
            if self.label_as_heading
            else {"legend_size": Size.SMALL}
        )
        if isinstance(widget, forms.HiddenInput):
            return Field(name)
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return Field.checkboxes(name, **legend)
        if isinstance(widget, forms.RadioSelect):
            return Field.radios(name, **legend)
        if isinstance(widget, forms.CheckboxInput):
            return Field.checkbox(name)
        if isinstance(widget, forms.Textarea):
            return Field.textarea(name, rows=widget.attrs.get("rows", 5), **heading)
        if isinstance(widget, forms.Select):
            return Field.select(name)
        width = self.field_widths.get(name)
        return Field.text(name, field_width=width, **heading)

    @property
    def error_summary(self) -> list[dict[str, str]]:
        """The error summary's entries: each error with the id of the input it links to.

        Radios and checkboxes link to their first input; errors about the whole form link to the
        first field.
        """
        if not self.is_bound or not self.errors:
            return []
        names = [name for name in self.fields if not self.fields[name].widget.is_hidden]
        entries = [
            {"href": f"#{self._input_id(names[0]) if names else ''}", "text": str(error)}
            for error in self.non_field_errors()
        ]
        for name in names:
            for error in self.errors.get(name, []):
                entries.append({"href": f"#{self._input_id(name)}", "text": str(error)})
        return entries

    def _input_id(self, name: str) -> str:
        widget = self.fields[name].widget
        html_name = self.add_prefix(name)
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            # crispy-forms-gds numbers radios and checkboxes from 1, conditional radios from 0.
            conditional = any(
                isinstance(item, ConditionalRadios) and item.field == name
                for item in self.helper.layout.fields
            )
            return f"id_{html_name}_{0 if conditional else 1}"
        if isinstance(widget, forms.MultiWidget):
            return f"id_{html_name}_0"
        return self[name].auto_id or f"id_{html_name}"


def submit_button(name: str, label: str, *, variant: str = "primary") -> Button:
    """A GOV.UK button that submits its form (crispy's `add_input` would draw `<input type="">`)."""
    make = {"primary": Button.primary, "secondary": Button.secondary, "warning": Button.warning}
    return make[variant](name, label, type="submit")


class GDSForm(GDSFormMixin, forms.Form):
    """A form rendered with GOV.UK components."""


class GDSModelForm(GDSFormMixin, forms.ModelForm):
    """A model form rendered with GOV.UK components; a view hands `cleaned_data` to a service."""

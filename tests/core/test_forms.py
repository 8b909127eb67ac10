"""Every GDS form renders buttons a browser can press, and leaves validation to the server."""

from __future__ import annotations

import re

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms

import accounts.forms
from core.forms import GDSForm, GDSFormMixin, GDSModelForm


def gds_form_classes() -> list[type]:
    """Every concrete form built on core.forms in the accounts app."""
    found = []
    for value in vars(accounts.forms).values():
        if (
            isinstance(value, type)
            and issubclass(value, GDSFormMixin)
            and value not in (GDSForm, GDSModelForm, GDSFormMixin)
            and not value.__name__.startswith("_")
        ):
            found.append(value)
    return found


def make(form_class: type) -> forms.Form:
    """An unbound form, given what its constructor asks for."""
    from tests.factories import UserFactory

    person = UserFactory.build()
    if form_class.__name__ in {"NewPasswordForm", "ChangePasswordForm"}:
        return form_class(person)
    arguments = {
        "SignInForm": {"request": None},
        "ConfirmPasswordForm": {"user": person},
        "InvitationAcceptForm": {"email": "new@example.org"},
    }
    return form_class(**arguments.get(form_class.__name__, {}))


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", gds_form_classes(), ids=lambda c: c.__name__)
def test_every_form_has_real_submit_buttons_and_no_browser_validation(form_class):
    html = render_crispy_form(make(form_class))
    form_tag = re.search(r"<form\b[^>]*>", html)
    assert form_tag and "novalidate" in form_tag.group(0)
    buttons = re.findall(r"<button\b[^>]*>", html)
    assert buttons, "the form has a button"
    for button in buttons:
        assert 'type="submit"' in button
        assert "govuk-button" in button
        assert 'data-module="govuk-button"' in button
    assert not re.search(r"<input\b[^>]*type=\"(submit|)\"", html)
    assert " required" not in html
    assert "maxlength" not in html


@pytest.mark.django_db
def test_the_first_button_is_the_one_enter_presses():
    html = render_crispy_form(accounts.forms.RuleForm())
    names = re.findall(r"<button\b[^>]*name=\"([^\"]+)\"", html)
    assert names == ["submit", "preview"]

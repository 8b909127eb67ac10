"""The staff forms' own checks: text over a field's limit gets a GOV.UK message.

Browsers are not told the limits (no `maxlength`: it would drop what is typed past it without a
word), so the server's check is the only guard and must say what is wrong.
"""

from __future__ import annotations

import inspect

import pytest
from django import forms

from accounts import forms as account_forms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _all_forms() -> list[type[forms.BaseForm]]:
    return [
        cls
        for _, cls in inspect.getmembers(account_forms, inspect.isclass)
        if issubclass(cls, forms.BaseForm) and cls.__module__ == account_forms.__name__
    ]


def _make(cls: type[forms.BaseForm], data: dict) -> forms.BaseForm:
    """Each form bound to `data`, with the arguments its views give it."""
    user = UserFactory.build(email="casey@example.org")  # unsaved: fields are listed at collection
    arguments = {
        account_forms.SignInForm: lambda: cls(None, data=data),
        account_forms.NewPasswordForm: lambda: cls(user, data),
        account_forms.ChangePasswordForm: lambda: cls(user, data),
        account_forms.InvitationAcceptForm: lambda: cls(data, email="new@example.org"),
        account_forms.ConfirmPasswordForm: lambda: cls(data, user=user),
    }
    return arguments.get(cls, lambda: cls(data))()


def _too_long(field: forms.Field, limit: int) -> str:
    if isinstance(field, forms.EmailField) or field.label == "Email address":
        return "a" * (limit + 1 - len("@example.org")) + "@example.org"
    return "a" * (limit + 1)


def _limited_fields() -> list[tuple[type[forms.BaseForm], str, int]]:
    found = []
    for cls in _all_forms():
        for name, field in _make(cls, {}).fields.items():
            if getattr(field, "max_length", None):
                found.append((cls, name, field.max_length))
    return found


def test_every_limited_field_is_checked_here():
    names = {(cls.__name__, name) for cls, name, _ in _limited_fields()}
    assert {
        ("SignInForm", "username"),
        ("PasswordResetRequestForm", "email"),
        ("InvitationAcceptForm", "first_name"),
        ("InvitationAcceptForm", "last_name"),
        ("InvitationForm", "email"),
        ("PartnerForm", "name"),
        ("PartnerForm", "slug"),
        ("RuleForm", "local_authority_code"),
        ("RuleForm", "postcode_districts"),
        ("RuleForm", "service_area_name"),
    } <= names


@pytest.mark.parametrize(
    ("cls", "name", "limit"),
    _limited_fields(),
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_text_over_the_limit_gets_a_gov_uk_message(cls, name, limit):
    label = str(_make(cls, {}).fields[name].label)
    form = _make(cls, {name: _too_long(_make(cls, {}).fields[name], limit)})
    assert not form.is_valid()
    assert form.errors[name] == [f"{label} must be {limit} characters or fewer"]
    # Text at the limit is not refused for its length.
    at_limit = _make(cls, {name: _too_long(_make(cls, {}).fields[name], limit - 1)})
    at_limit.is_valid()
    assert not any("characters or fewer" in error for error in at_limit.errors.get(name, []))


@pytest.mark.parametrize(
    ("cls", "name", "message"),
    [
        (account_forms.PartnerForm, "name", "Name must be 255 characters or fewer"),
        (account_forms.InvitationForm, "email", "Email address must be 254 characters or fewer"),
        (account_forms.SignInForm, "username", "Email address must be 254 characters or fewer"),
        (
            account_forms.InvitationAcceptForm,
            "first_name",
            "First name must be 150 characters or fewer",
        ),
        (
            account_forms.RuleForm,
            "local_authority_code",
            "Local authority code must be 9 characters or fewer",
        ),
    ],
)
def test_the_messages_read_as_gov_uk_sentences(cls, name, message):
    field = _make(cls, {}).fields[name]
    form = _make(cls, {name: _too_long(field, field.max_length)})
    form.is_valid()
    assert message in form.errors[name]
    assert not any("Ensure this value" in error for error in form.errors[name])


def test_the_summary_shows_the_message_on_the_sign_in_page(client):
    response = client.post(
        "/accounts/sign-in/", {"username": "a" * 250 + "@example.org", "password": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Email address must be 254 characters or fewer") == 2

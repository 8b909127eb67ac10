"""Forms of the staff pages. They check the shape of what was entered, with GOV.UK error
messages; views hand `cleaned_data` to the accounts services, which check permissions and rules."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import (
    Button,
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Layout,
    Size,
)
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from accounts.models import AuditAction, Partner, PartnerKind, Role, RuleKind
from core.concurrency import VersionedFormMixin
from core.forms import GDSForm, GDSFormMixin, submit_button
from directory.models import Organization, Service, TaxonomyTerm
from directory.taxonomies.identity import LGA_SERVICE_TYPES


def too_long(label: str, limit: int) -> str:
    """GOV.UK's message for text over a field's limit, which the server alone checks."""
    return f"{label} must be {limit} characters or fewer"


# Accounts and invitations keep email addresses of up to 254 characters (RFC 5321).
EMAIL_MAX_LENGTH = 254
EMAIL_ERRORS = {
    "required": "Enter an email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": too_long("Email address", EMAIL_MAX_LENGTH),
}
ROLE_HINTS = {
    Role.PROVIDER_EDITOR: "Edits the services of the organisations this partner runs",
    Role.FRONTLINE_WORKER: "Suggests changes and new services, keeps lists for clients",
    Role.ASSURER: "Checks and approves the services allocated to this partner",
    Role.PARTNER_ADMIN: "Invites people to this partner and manages their roles",
}
PASSWORD_HINT = (
    "Use at least 12 characters. Avoid common words and anything like your name or email "
    "address. Three random words work well."
)


def role_choices() -> list[Choice]:
    return [Choice(value, label, hint=ROLE_HINTS.get(value, "")) for value, label in Role.choices]


def email_widget() -> forms.EmailInput:
    return forms.EmailInput(
        attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
    )


def password_widget(autocomplete: str = "current-password") -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


def add_service_errors(form: forms.Form, error: ValidationError, field_map: dict | None = None):
    """Show a service's ValidationError on the form: each message on its field (renamed through
    `field_map`, e.g. the model's `taxonomy_term` is the form's `service_type`), the rest at the
    top of the form."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, errors in error.message_dict.items():
        field = field_map.get(name, name)
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


# --- signing in, passwords ------------------------------------------------------------------


class SignInForm(GDSFormMixin, auth_forms.AuthenticationForm):
    """Email and password. Django's form passes the request to `authenticate`, as axes needs."""

    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account has been closed. Ask your partner admin if you need it back",
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Email address"
        username.widget = email_widget()
        username.error_messages = {
            "required": "Enter your email address",
            "max_length": too_long("Email address", username.max_length),
        }
        # Django's form only tells the browser (maxlength); the server checks here.
        username.validators.append(MaxLengthValidator(username.max_length))
        self.fields["password"].error_messages = {"required": "Enter your password"}


class PasswordResetRequestForm(GDSFormMixin, auth_forms.PasswordResetForm):
    submit_label = "Send me a reset link"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget = email_widget()
        self.fields["email"].error_messages = dict(EMAIL_ERRORS)


class _NewPasswordFields:
    """GOV.UK wording for Django's two new-password fields."""

    error_messages = {"password_mismatch": "The passwords do not match"}

    def _word_new_password_fields(self) -> None:
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password1"].error_messages = {"required": "Enter a new password"}
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password2"].error_messages = {"required": "Confirm your new password"}


class NewPasswordForm(GDSFormMixin, _NewPasswordFields, auth_forms.SetPasswordForm):
    """Choose a new password after following a reset link."""

    submit_label = "Change password"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._word_new_password_fields()
        self.helper = self.build_helper()


class ChangePasswordForm(GDSFormMixin, _NewPasswordFields, auth_forms.PasswordChangeForm):
    submit_label = "Change password"
    error_messages = {
        **_NewPasswordFields.error_messages,
        "password_incorrect": "Your current password is not correct",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages = {"required": "Enter your current password"}
        self._word_new_password_fields()
        self.helper = self.build_helper()


class InvitationAcceptForm(GDSForm):
    """A new account from an invitation: a name and a strong password."""

    submit_label = "Create account"

    first_name = forms.CharField(
        label="First name",
        max_length=150,
        error_messages={
            "required": "Enter your first name",
            "max_length": too_long("First name", 150),
        },
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        error_messages={
            "required": "Enter your last name",
            "max_length": too_long("Last name", 150),
        },
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Create a password",
        help_text=PASSWORD_HINT,
        strip=False,
        error_messages={"required": "Enter a password"},
        widget=password_widget("new-password"),
    )
    password_again = forms.CharField(
        label="Confirm password",
        strip=False,
        error_messages={"required": "Confirm your password"},
        widget=password_widget("new-password"),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", "The passwords do not match")
        elif password:
            # The same validators the service applies, run here so the person sees every problem
            # at once, against the name and address they gave (similarity check).
            account = get_user_model()(
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, user=account)
            except ValidationError as error:
                self.add_error("password", error)
        return data


# --- two-factor authentication --------------------------------------------------------------


class SecurityCodeForm(GDSForm):
    """A 6-digit code from an authenticator app; the view checks it against the device."""

    submit_label = "Continue"
    field_widths = {"code": 10}

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows now",
        error_messages={"required": "Enter the security code"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError("The security code must be 6 numbers, like 123456")
        return code


class ConfirmPasswordForm(GDSForm):
    """Asks for the signed-in person's password before a sensitive change."""

    submit_label = "Turn off two-factor authentication"

    password = forms.CharField(
        label="Your password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=password_widget(),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def get_buttons(self) -> list[Button]:
        return [submit_button(self.submit_name, self.submit_label, variant="warning")]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("Your password is not correct")
        return password


class RecoveryCodeForm(GDSForm):
    """One of the recovery codes shown at two-factor set-up; the view checks and spends it."""

    submit_label = "Continue"
    field_widths = {"code": 10}

    code = forms.CharField(
        label="Recovery code",
        help_text="One of the codes you saved when you set up two-factor authentication, "
        "like abcde-23456",
        error_messages={"required": "Enter a recovery code"},
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()
        if not re.fullmatch(r"[a-z0-9]{10}", code):
            raise ValidationError("A recovery code is 10 letters and numbers, like abcde-23456")
        return code


# --- members and invitations ----------------------------------------------------------------


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Roles")
        kwargs.setdefault("help_text", "Select all that apply")
        kwargs.setdefault("error_messages", {"required": "Select at least one role"})
        super().__init__(choices=role_choices(), **kwargs)


class InvitationForm(GDSForm):
    submit_label = "Send invitation"

    email = forms.EmailField(
        label="Email address",
        max_length=EMAIL_MAX_LENGTH,
        error_messages=EMAIL_ERRORS,
        widget=email_widget(),
    )
    roles = RolesField()


class MemberRolesForm(VersionedFormMixin, GDSForm):
    submit_label = "Save roles"

    roles = RolesField(
        help_text="Select all that apply. To take every role away, remove them from the partner"
    )


# --- partners -------------------------------------------------------------------------------


class OrganisationsField(forms.CharField):
    """Organisations named one per line, by exact name or by id; cleans to a list."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def clean(self, value: str) -> list[Organization]:
        value = super().clean(value)
        organisations: list[Organization] = []
        for line in (value or "").splitlines():
            text = line.strip()
            if not text:
                continue
            found = _organisation_named(text)
            if found not in organisations:
                organisations.append(found)
        return organisations


def _organisation_named(text: str) -> Organization:
    try:
        by_id = Organization.objects.filter(pk=uuid.UUID(text)).first()
    except ValueError:
        by_id = None
    if by_id is not None:
        return by_id
    matches = list(Organization.objects.filter(name__iexact=text)[:2])
    if not matches:
        raise ValidationError(f"There is no organisation called {text!r}")
    if len(matches) > 1:
        raise ValidationError(f"More than one organisation is called {text!r}. Enter its id")
    return matches[0]


def organisations_text(organisations: list[Organization]) -> str:
    """The field's text for organisations: names, or ids where a name is not unique."""
    names = [organisation.name for organisation in organisations]
    shared = set(
        Organization.objects.filter(name__in=names)
        .values("name")
        .annotate(n=models.Count("pk"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    return "\n".join(
        str(organisation.pk) if organisation.name in shared else organisation.name
        for organisation in organisations
    )


class PartnerForm(GDSForm):
    submit_label = "Save partner"

    name = forms.CharField(
        label="Name",
        max_length=255,
        error_messages={
            "required": "Enter the partner's name",
            "max_length": too_long("Name", 255),
        },
    )
    slug = forms.SlugField(
        label="Short name",
        required=False,
        max_length=100,
        help_text="Lower-case letters, numbers and hyphens. Leave empty to make one from the name",
        error_messages={
            "invalid": "Enter a short name using only lower-case letters, numbers and hyphens",
            "max_length": too_long("Short name", 100),
        },
    )
    kind = forms.ChoiceField(
        label="What kind of partner is it?",
        choices=PartnerKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of partner it is"},
    )
    organizations = OrganisationsField(
        label="Organisations it runs",
        required=False,
        help_text=(
            "For a provider: the directory organisations whose services its provider editors "
            "edit. One on each line, by name or by id"
        ),
    )
    can_self_assure = forms.BooleanField(
        label="This partner may assure its own organisations' services", required=False
    )
    is_active = forms.BooleanField(
        label="This partner is active",
        required=False,
        initial=True,
        help_text="Members of a partner that is not active lose its rights",
    )

    def get_layout(self) -> Layout:
        return Layout(
            Field.text("name"),
            Field.text("slug", field_width=20),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.textarea("organizations", rows=4),
            Field.checkbox("can_self_assure"),
            Field.checkbox("is_active"),
        )


# --- allocation rules -----------------------------------------------------------------------

RULE_TARGET_FIELDS = {
    RuleKind.SERVICE_TYPE: "service_type",
    RuleKind.LOCAL_AUTHORITY: "local_authority_code",
    RuleKind.POSTCODE_DISTRICTS: "postcode_districts",
    RuleKind.SERVICE_AREA: "service_area_name",
    RuleKind.SERVICE: "service",
}
RULE_TARGET_ERRORS = {
    "service_type": "Enter a service type",
    "local_authority_code": "Enter a local authority code",
    "postcode_districts": "Enter at least one postcode district, like HU5",
    "service_area_name": "Enter the name of the service area",
    "service": "Enter the id of a service",
}
# The model's field names that the form calls differently.
RULE_MODEL_FIELDS = {"taxonomy_term": "service_type"}


class RuleForm(GDSForm):
    """One allocation rule. The kind's radios reveal its own target field; "Preview" shows what the
    rule would do without saving it."""

    submit_label = "Save rule"

    partner = forms.ModelChoiceField(
        label="Partner that assures the services",
        queryset=Partner.objects.none(),
        empty_label="Select a partner",
        error_messages={"required": "Select a partner", "invalid_choice": "Select a partner"},
    )
    kind = forms.ChoiceField(
        label="Which services does the rule cover?",
        choices=RuleKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which services the rule covers"},
    )
    service_type = forms.CharField(
        label="Service type",
        required=False,
        help_text="An LGA service type code (like 112) or its exact name; the types under it "
        "are covered too",
    )
    local_authority_code = forms.CharField(
        label="Local authority code",
        required=False,
        help_text="An ONS code, like E06000010",
        max_length=9,
        error_messages={"max_length": too_long("Local authority code", 9)},
    )
    postcode_districts = forms.CharField(
        label="Postcode districts",
        required=False,
        help_text="Separated by commas, like HU5, HU6",
        max_length=500,
        error_messages={"max_length": too_long("Postcode districts", 500)},
    )
    service_area_name = forms.CharField(
        label="Service area name",
        required=False,
        help_text="As the services give it",
        max_length=500,
        error_messages={"max_length": too_long("Service area name", 500)},
    )
    service = forms.CharField(
        label="Service id", required=False, help_text="The id of one service in the directory"
    )
    is_active = forms.BooleanField(label="This rule is in force", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.active()

    def get_layout(self) -> Layout:
        labels = dict(RuleKind.choices)
        return Layout(
            Field.select("partner"),
            ConditionalRadios(
                "kind",
                *(
                    ConditionalQuestion(labels[kind], Field.text(field))
                    for kind, field in RULE_TARGET_FIELDS.items()
                ),
            ),
            Field.checkbox("is_active"),
        )

    def get_buttons(self) -> list[Button]:
        # Saving comes first, so that Enter in a field saves rather than previews.
        return [
            submit_button(self.submit_name, self.submit_label),
            submit_button("preview", "Preview", variant="secondary"),
        ]

    def clean_service_type(self) -> TaxonomyTerm | None:
        text = self.cleaned_data["service_type"].strip()
        if not text:
            return None
        return _term_named(text)

    def clean_service(self) -> Service | None:
        text = self.cleaned_data["service"].strip()
        if not text:
            return None
        try:
            service = Service.objects.filter(pk=uuid.UUID(text)).first()
        except ValueError:
            service = None
        if service is None:
            raise ValidationError("There is no service with this id")
        return service

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        target = RULE_TARGET_FIELDS.get(kind)
        if target and not data.get(target) and target not in self.errors:
            self.add_error(target, RULE_TARGET_ERRORS[target])
        return data

    def rule_data(self) -> dict[str, Any]:
        """Keyword arguments for rule_create / the data of rule_update: the kind's own target
        filled, the others emptied."""
        data = self.cleaned_data
        target = RULE_TARGET_FIELDS[data["kind"]]
        values = {
            "service_type": None,
            "local_authority_code": "",
            "postcode_districts": "",
            "service_area_name": "",
            "service": None,
        }
        values[target] = data[target]
        return {
            "partner": data["partner"],
            "kind": data["kind"],
            "taxonomy_term": values["service_type"],
            "local_authority_code": values["local_authority_code"],
            "postcode_districts": values["postcode_districts"],
            "service_area_name": values["service_area_name"],
            "service": values["service"],
            "is_active": data["is_active"],
        }

    @classmethod
    def initial_for(cls, rule: Any) -> dict[str, Any]:
        term = rule.taxonomy_term
        return {
            "partner": rule.partner_id,
            "kind": rule.kind,
            "service_type": _term_text(term) if term else "",
            "local_authority_code": rule.local_authority_code,
            "postcode_districts": rule.postcode_districts.replace(",", ", "),
            "service_area_name": rule.service_area_name,
            "service": str(rule.service_id or ""),
            "is_active": rule.is_active,
        }


def _term_text(term: TaxonomyTerm) -> str:
    """How the form names a term: its code if that finds it again, else its name or id."""
    for text in (term.term, term.name, str(term.pk)):
        try:
            if text and _term_named(text) == term:
                return text
        except ValidationError:
            continue
    return str(term.pk)


def _term_named(text: str) -> TaxonomyTerm:
    """A service type by id, code or exact name; LGA service types first, then any taxonomy."""
    terms = TaxonomyTerm.objects.all()
    try:
        by_id = terms.filter(pk=uuid.UUID(text)).first()
    except ValueError:
        by_id = None
    if by_id is not None:
        return by_id
    lga = terms.filter(taxonomy__vocabulary=LGA_SERVICE_TYPES)
    ambiguous = False
    for candidates in (
        lga.filter(term=text),
        lga.filter(name__iexact=text),
        terms.filter(term=text),
        terms.filter(name__iexact=text),
    ):
        found = list(candidates[:2])
        if len(found) == 1:
            return found[0]
        ambiguous = ambiguous or len(found) > 1
    if ambiguous:
        raise ValidationError(f"More than one service type is called {text!r}. Enter its id")
    raise ValidationError(f"There is no service type {text!r}. Enter an LGA code or exact name")


# --- audit log ------------------------------------------------------------------------------


class RealDateField(DateInputField):
    """A GOV.UK date input whose errors name the date, as the design system words them ("Date
    from must be a real date", "... must include a month"), for letters and impossible dates
    alike: never Python's "day is out of range for month", never a server error."""

    def __init__(self, *, name: str, **kwargs: Any) -> None:
        super().__init__(require_all_fields=False, **kwargs)
        self.name = name

    def clean(self, value: Any) -> date | None:
        parts = [str(part or "").strip() for part in [*(value or ()), "", "", ""][:3]]
        if not any(parts):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        words = ("day", "month", "year")
        missing = [word for word, part in zip(words, parts, strict=True) if not part]
        if missing:
            raise ValidationError(
                f"{self.name} must include a {' and '.join(missing)}", code="incomplete"
            )
        real = f"{self.name} must be a real date"
        if not all(re.fullmatch(r"[0-9]{1,4}", part) for part in parts):
            raise ValidationError(real, code="invalid")
        day, month, year = parts
        if len(year) != 4:
            raise ValidationError(
                f"{self.name} must have a year with 4 numbers, like 2026", code="invalid"
            )
        try:
            out = date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValidationError(real, code="invalid") from exc
        self.validate(out)
        self.run_validators(out)
        return out


class AuditFilterForm(GDSForm):
    """The audit log's filters (a GET form; every field optional)."""

    submit_label = "Filter"

    action = forms.ChoiceField(
        label="What happened", required=False, choices=[("", "All actions"), *AuditAction.choices]
    )
    actor = forms.CharField(
        label="Who", required=False, help_text="All or part of an email address"
    )
    partner = forms.ModelChoiceField(
        label="Partner",
        required=False,
        queryset=Partner.objects.all(),
        empty_label="All partners",
        error_messages={"invalid_choice": "Select a partner from the list"},
    )
    date_from = RealDateField(
        name="Date from", label="From", required=False, help_text="For example, 27 3 2026"
    )
    date_to = RealDateField(name="Date to", label="To (inclusive)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"

    def get_layout(self) -> Layout:
        return Layout(
            Field.select("action"),
            Field.text("actor"),
            Field.select("partner"),
            Field("date_from"),
            Field("date_to"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data


class PartnerUpdateForm(VersionedFormMixin, PartnerForm):
    """Changing a partner: carries the version it was loaded from (core.concurrency)."""


class RuleUpdateForm(VersionedFormMixin, RuleForm):
    """Changing a rule: carries the version it was loaded from (core.concurrency)."""

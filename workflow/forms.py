"""The forms of a proposal's sections (workflow.sections): each checks the shape of what was
entered, with GOV.UK error messages, and turns it into ORUK 3.0 JSON. Nothing here writes: the
editing views put the result into the proposed document and hand it to
`workflow.services.change_request_save`.

A section form reads and writes top-level members of the service document (`initial_for`,
`apply`); an item form one element of a nested array (a phone, a location, a session), keeping
the element's id, or giving a new element a fresh uuid4.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import re
import uuid
from typing import Any

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

from accounts.forms import RealDateField
from core.forms import GDSForm
from directory.geo import InvalidPostcode, UnknownPostcode, lookup_postcode
from directory.models import ServiceStatus
from directory.oruk.closures import is_closure
from workflow.presenters import describe_schedule
from workflow.tagging.screen import apply_tags, chosen_by_field, tag_choices

SAVE = "Save and continue"
EMPTY = (None, "", [])
# How people attend, in the words the directory's own records use (the demo data and imports):
# kept on each schedule's ORUK `attending_type` (see `AttendForm`).
DROP_IN, APPOINTMENT, REFERRAL = "Drop in", "By appointment", "By referral"
ATTENDING_CHOICES = [
    (DROP_IN, "Drop in: there is no need to book"),
    (APPOINTMENT, "By appointment: people book first"),
    (REFERRAL, "By referral: a professional refers people, or they refer themselves"),
]
DAY_CHOICES = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]
WEEK_CHOICES = [
    ("", "Choose a week"),
    ("1", "First"),
    ("2", "Second"),
    ("3", "Third"),
    ("4", "Fourth"),
    ("-1", "Last"),
]
WEEKLY, FORTNIGHTLY, MONTHLY = "weekly", "fortnightly", "monthly"
FREQUENCY_CHOICES = [
    (WEEKLY, "Every week"),
    (FORTNIGHTLY, "Every 2 weeks"),
    (MONTHLY, "Once a month"),
]
# The ONS statistical geography of a local authority, as the directory's service areas name it.
AREA_URI = "http://statistics.data.gov.uk/id/statistical-geography/"
_GSS_CODE = re.compile(r"^[ENSW][0-9]{8}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")
_TIME = re.compile(r"^([0-9]{1,2})[:.]([0-9]{2})$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


def put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set `key`, or leave it out when empty: ORUK 3.0 forbids nulls."""
    if value in EMPTY:
        target.pop(key, None)
    else:
        target[key] = value


def new_id() -> str:
    return str(uuid.uuid4())


def _text(label: str, *, required: bool = True, max_length: int = 255, **kwargs: Any) -> Any:
    return forms.CharField(label=label, required=required, max_length=max_length, **kwargs)


def _parse_time(value: str, label: str) -> str:
    match = _TIME.match(value.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValidationError(f"{label} must be a time, like 09:30 or 14:00")
    return f"{int(match[1]):02d}:{match[2]}:00"


def _date_field(name: str, *, required: str = "", label: str = "", **kwargs: Any) -> Any:
    """A GOV.UK date input; `required` is the message when it is left empty (none: optional)."""
    field = RealDateField(name=name, label=label or name, required=bool(required), **kwargs)
    if required:
        field.error_messages = {**field.error_messages, "required": required}
    return field


def _email_field(label: str, *, help_text: str = "") -> forms.EmailField:
    """An optional email address with the GOV.UK wording for a malformed one."""
    return forms.EmailField(
        label=label,
        required=False,
        help_text=help_text,
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.org"
        },
    )


def _web_address_field(label: str, *, help_text: str, required: str = "") -> forms.URLField:
    """A web address (https:// assumed when left out) with the GOV.UK wording for a bad one;
    `required` is the message when it is left empty (none: optional)."""
    messages = {"invalid": "Enter a web address in the right format, like https://..."}
    if required:
        messages["required"] = required
    return forms.URLField(
        label=label,
        required=bool(required),
        max_length=500,
        assume_scheme="https",
        help_text=help_text,
        error_messages=messages,
    )


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# --- sections of the service itself -------------------------------------------------------------


class SectionForm(GDSForm):
    """A form for top-level members of the service document."""

    submit_label = SAVE

    @classmethod
    def initial_for(cls, document: dict[str, Any]) -> dict[str, Any]:
        return {name: document.get(name) for name in cls.base_fields}

    def apply(self, document: dict[str, Any]) -> None:
        for name in self.base_fields:
            value = self.cleaned_data.get(name)
            put(document, name, value.strip() if isinstance(value, str) else value)


class DetailsForm(SectionForm):
    name = _text("Service name", error_messages={"required": "Enter the service name"})
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the service does and for whom, in plain English",
    )
    status = forms.ChoiceField(
        label="Is the service running?",
        choices=ServiceStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the service is running"},
    )
    url = _web_address_field("Website", help_text="For example, https://www.example.org/lunch-club")
    email = _email_field(
        "Email address", help_text="An address for the service, not a person's own"
    )
    alert = forms.CharField(
        label="Alert (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A short notice people must see first, like a change of venue this month",
    )


class OrganizationDetailsForm(SectionForm):
    """An organisation's own details (its services have their own pages)."""

    name = _text("Organisation name", error_messages={"required": "Enter the organisation's name"})
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the organisation does, in plain English",
        error_messages={"required": "Enter a description of the organisation"},
    )
    email = _email_field(
        "Email address (optional)", help_text="An address for the organisation, not a person's own"
    )
    website = _web_address_field(
        "Website (optional)", help_text="For example, https://www.example.org"
    )


class AgeForm(SectionForm):
    minimum_age = forms.IntegerField(
        label="Youngest age (optional)",
        required=False,
        min_value=0,
        max_value=120,
        help_text="Leave empty if there is no lower age limit",
        error_messages={
            "invalid": "Youngest age must be a whole number, like 18",
            "min_value": "Youngest age must be 0 or more",
            "max_value": "Youngest age must be 120 or less",
        },
    )
    maximum_age = forms.IntegerField(
        label="Oldest age (optional)",
        required=False,
        min_value=0,
        max_value=120,
        help_text="Leave empty if there is no upper age limit",
        error_messages={
            "invalid": "Oldest age must be a whole number, like 65",
            "min_value": "Oldest age must be 0 or more",
            "max_value": "Oldest age must be 120 or less",
        },
    )
    field_widths = {"minimum_age": 3, "maximum_age": 3}

    @classmethod
    def initial_for(cls, document: dict[str, Any]) -> dict[str, Any]:
        def whole(value: Any) -> Any:
            if isinstance(value, int | float) and value == int(value):
                return int(value)
            return value

        return {name: whole(document.get(name)) for name in cls.base_fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and high < low:
            self.add_error(
                "maximum_age", "Oldest age must be the same as or more than the youngest"
            )
        return data


class CostsForm(SectionForm):
    fees = forms.CharField(
        label="What people pay",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In words, like “Free” or “£2 a session, free for carers”",
    )


class AttendForm(GDSForm):
    """How people attend. ORUK 3.0 keeps this as `attending_type` on each schedule (the service
    itself has no such member), so the answer is written on every regular session, at the service
    and at its locations; a service without set times gets one schedule that says only this."""

    submit_label = SAVE
    attending_type = forms.ChoiceField(
        label="How do people use the service?",
        choices=ATTENDING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how people use the service"},
    )

    @classmethod
    def initial_for(cls, document: dict[str, Any]) -> dict[str, Any]:
        for schedule in all_schedules(document):
            if schedule.get("attending_type"):
                return {"attending_type": schedule["attending_type"]}
        return {}

    def apply(self, document: dict[str, Any]) -> None:
        attending = self.cleaned_data["attending_type"]
        sessions = [s for s in all_schedules(document) if not is_closure(s)]
        for schedule in sessions:
            schedule["attending_type"] = attending
            if schedule.get("description") in dict(ATTENDING_CHOICES) and not (
                schedule.get("byday") or schedule.get("opens_at")
            ):
                schedule["description"] = attending
        if not sessions:
            schedules = document.setdefault("schedules", [])
            schedules.append(
                {"id": new_id(), "attending_type": attending, "description": attending}
            )


def all_schedules(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The service's schedules and those of its locations (edited in place)."""
    found = list(document.get("schedules") or [])
    for pairing in document.get("service_at_locations") or []:
        found += pairing.get("schedules") or []
    return found


# --- items of the nested arrays -----------------------------------------------------------------


class ItemForm(GDSForm):
    """One element of a nested array: `initial_for` reads it, `apply` returns it changed (the
    element's id kept; a new element gets a fresh one)."""

    submit_label = SAVE

    @classmethod
    def initial_for(cls, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item.get(name) for name in cls.base_fields}

    def apply(self, item: dict[str, Any] | None) -> dict[str, Any]:
        result = copy.deepcopy(item) if item else {"id": new_id()}
        self.fill(result)
        return result

    def fill(self, item: dict[str, Any]) -> None:
        for name in self.base_fields:
            value = self.cleaned_data.get(name)
            put(item, name, value.strip() if isinstance(value, str) else value)


def _clean_phone(value: str, label: str = "Phone number") -> str:
    value = value.strip()
    if value and not _PHONE.match(value):
        raise ValidationError(f"Enter a {label.lower()} in the right format, like 01632 960 001")
    return value


class PhoneForm(ItemForm):
    number = _text(
        "Phone number", max_length=50, error_messages={"required": "Enter a phone number"}
    )
    description = _text(
        "What the number is for (optional)",
        required=False,
        help_text="For example, “Bookings” or “Text only”",
    )
    field_widths = {"number": 20}

    def clean_number(self) -> str:
        return _clean_phone(self.cleaned_data["number"])


class ContactForm(ItemForm):
    name = _text(
        "Name (optional)",
        required=False,
        help_text="A team or role is better than a person's own name: the directory is open data",
    )
    title = _text("Job title or team (optional)", required=False)
    email = _email_field("Email address (optional)")
    phone = _text("Phone number (optional)", required=False, max_length=50)
    field_widths = {"phone": 20}

    @classmethod
    def initial_for(cls, item: dict[str, Any]) -> dict[str, Any]:
        phones = item.get("phones") or [{}]
        return {**super().initial_for(item), "phone": phones[0].get("number")}

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not any(data.get(k) for k in ("name", "title", "email", "phone")):
            self.add_error("name", "Enter a name, a job title, an email address or a phone number")
        return data

    def fill(self, item: dict[str, Any]) -> None:
        for name in ("name", "title", "email"):
            put(item, name, self.cleaned_data.get(name, "").strip())
        # The first phone is the one this form shows; any others the record has are kept.
        phones = list(item.get("phones") or [])
        number = self.cleaned_data.get("phone", "")
        if number:
            first = phones[0] if phones else {"id": new_id()}
            phones[:1] = [{**first, "number": number}]
        else:
            phones = phones[1:]
        put(item, "phones", phones)


class LocationForm(ItemForm):
    location_name = _text(
        "Name of the place",
        error_messages={"required": "Enter the name of the place, like Hull Central Library"},
    )
    address_1 = _text(
        "Address line 1",
        error_messages={"required": "Enter address line 1, typically the building and street"},
    )
    address_2 = _text("Address line 2 (optional)", required=False)
    city = _text("Town or city", max_length=100, error_messages={"required": "Enter town or city"})
    county = _text("County (optional)", required=False, max_length=100)
    postcode = _text("Postcode", max_length=20, error_messages={"required": "Enter postcode"})
    accessibility = forms.CharField(
        label="Accessibility (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One feature a line, like “Step-free entrance” or “Hearing loop”",
    )
    field_widths = {"postcode": 10}

    @classmethod
    def initial_for(cls, item: dict[str, Any]) -> dict[str, Any]:
        location = item.get("location") or {}
        address = (location.get("addresses") or [{}])[0]
        return {
            "location_name": location.get("name"),
            "address_1": address.get("address_1"),
            "address_2": address.get("address_2"),
            "city": address.get("city"),
            "county": address.get("state_province"),
            "postcode": address.get("postal_code"),
            "accessibility": "\n".join(
                a.get("description", "") for a in location.get("accessibility") or []
            ),
        }

    def clean_postcode(self) -> str:
        try:
            self.point = lookup_postcode(self.cleaned_data["postcode"])
        except UnknownPostcode as error:
            raise ValidationError(
                f"We could not find the postcode {error.postcode}. Check it is right: the "
                "directory places the location on a map from its postcode"
            ) from error
        except InvalidPostcode as error:
            raise ValidationError("Enter a full UK postcode, like HU1 3DZ") from error
        return self.point.postcode

    def fill(self, item: dict[str, Any]) -> None:
        data = self.cleaned_data
        location = item.setdefault("location", {"id": new_id(), "location_type": "physical"})
        location.setdefault("location_type", "physical")
        location["name"] = data["location_name"].strip()
        addresses = location.get("addresses") or [{"id": new_id()}]
        address = addresses[0]
        put(address, "address_1", data["address_1"].strip())
        put(address, "address_2", data["address_2"].strip())
        put(address, "city", data["city"].strip())
        # ORUK 3.0 requires a state_province; many UK addresses have no county, so the town
        # stands in when none is given.
        address["state_province"] = data["county"].strip() or data["city"].strip()
        address["postal_code"] = data["postcode"]
        address.setdefault("country", "GB")
        address.setdefault("address_type", "physical")
        location["addresses"] = [address, *addresses[1:]]
        location["latitude"] = self.point.latitude
        location["longitude"] = self.point.longitude
        # A feature already recorded keeps its id and details; a new line is a new feature.
        known = {a.get("description"): a for a in location.get("accessibility") or []}
        lines = [line.strip() for line in data["accessibility"].splitlines() if line.strip()]
        put(
            location,
            "accessibility",
            [known.get(line) or {"id": new_id(), "description": line} for line in lines],
        )


class SessionForm(ItemForm):
    """A regular session: weekly, every two weeks or monthly ("second Tuesday" is ORUK freq
    MONTHLY, byday 2TU), with its opening and closing times."""

    frequency = forms.ChoiceField(
        label="How often does it run?",
        choices=FREQUENCY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how often it runs"},
    )
    weekly_days = forms.MultipleChoiceField(
        label="Which days?",
        required=False,
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    fortnightly_days = forms.MultipleChoiceField(
        label="Which days?",
        required=False,
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    fortnightly_start = RealDateField(
        name="Date of one session",
        label="Date of one session",
        required=False,
        help_text="So people know which weeks it runs. For example, 14 1 2027",
    )
    monthly_week = forms.ChoiceField(
        label="Week of the month", required=False, choices=WEEK_CHOICES
    )
    monthly_day = forms.ChoiceField(
        label="Day of the week", required=False, choices=[("", "Choose a day"), *DAY_CHOICES]
    )
    opens_at = _text(
        "Opening time",
        max_length=5,
        help_text="For example, 09:30",
        error_messages={"required": "Enter the opening time"},
    )
    closes_at = _text(
        "Closing time",
        max_length=5,
        help_text="For example, 14:00",
        error_messages={"required": "Enter the closing time"},
    )
    valid_from = RealDateField(
        name="First date",
        label="First date (optional)",
        required=False,
        help_text="For example, 5 1 2027",
    )
    valid_to = RealDateField(name="Last date", label="Last date (optional)", required=False)
    field_widths = {"opens_at": 5, "closes_at": 5}

    def get_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "frequency",
                ConditionalQuestion(
                    "Every week", Field.checkboxes("weekly_days", legend_size=Size.SMALL)
                ),
                ConditionalQuestion(
                    "Every 2 weeks",
                    Field.checkboxes("fortnightly_days", legend_size=Size.SMALL),
                    Field("fortnightly_start"),
                ),
                ConditionalQuestion(
                    "Once a month", Field.select("monthly_week"), Field.select("monthly_day")
                ),
            ),
            Field.text("opens_at", field_width=5),
            Field.text("closes_at", field_width=5),
            Fieldset(
                Field("valid_from"),
                Field("valid_to"),
                legend="Does it run only between two dates?",
                legend_size=Size.SMALL,
            ),
        )

    @classmethod
    def initial_for(cls, item: dict[str, Any]) -> dict[str, Any]:
        days = [d.strip() for d in (item.get("byday") or "").split(",") if d.strip()]
        initial: dict[str, Any] = {
            "opens_at": (item.get("opens_at") or "")[:5],
            "closes_at": (item.get("closes_at") or "")[:5],
            "valid_from": _date(item.get("valid_from")),
            "valid_to": _date(item.get("valid_to")),
        }
        if item.get("freq") == "MONTHLY":
            initial["frequency"] = MONTHLY
            if days:
                initial["monthly_week"], initial["monthly_day"] = days[0][:-2], days[0][-2:]
        elif item.get("freq") == "WEEKLY" and int(item.get("interval") or 1) == 2:
            initial["frequency"] = FORTNIGHTLY
            initial["fortnightly_days"] = days
            initial["fortnightly_start"] = _date(item.get("dtstart"))
        elif item.get("freq") == "WEEKLY":
            initial["frequency"] = WEEKLY
            initial["weekly_days"] = days
        return initial

    def clean_opens_at(self) -> str:
        return _parse_time(self.cleaned_data["opens_at"], "Opening time")

    def clean_closes_at(self) -> str:
        return _parse_time(self.cleaned_data["closes_at"], "Closing time")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        frequency = data.get("frequency")
        if frequency == WEEKLY and not data.get("weekly_days"):
            self.add_error("weekly_days", "Select the days it runs")
        if frequency == FORTNIGHTLY:
            if not data.get("fortnightly_days"):
                self.add_error("fortnightly_days", "Select the days it runs")
            if not data.get("fortnightly_start") and "fortnightly_start" not in self.errors:
                self.add_error("fortnightly_start", "Enter the date of one session")
        if frequency == MONTHLY:
            if not data.get("monthly_week"):
                self.add_error("monthly_week", "Select which week of the month it runs")
            if not data.get("monthly_day"):
                self.add_error("monthly_day", "Select the day of the week it runs")
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "Closing time must be after the opening time")
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "Last date must be the same as or after the first date")
        return data

    def fill(self, item: dict[str, Any]) -> None:
        data = self.cleaned_data
        for key in ("freq", "interval", "byday", "bymonthday", "dtstart", "description"):
            item.pop(key, None)
        frequency = data["frequency"]
        if frequency == MONTHLY:
            item["freq"] = "MONTHLY"
            item["byday"] = f"{data['monthly_week']}{data['monthly_day']}"
        else:
            item["freq"] = "WEEKLY"
            days = data["weekly_days"] if frequency == WEEKLY else data["fortnightly_days"]
            item["byday"] = ",".join(code for code, _ in DAY_CHOICES if code in days)
            if frequency == FORTNIGHTLY:
                # ORUK: dtstart is needed with an interval, to know which weeks are meant.
                item["interval"] = 2
                item["dtstart"] = data["fortnightly_start"].isoformat()
        item["opens_at"] = data["opens_at"]
        item["closes_at"] = data["closes_at"]
        for key in ("valid_from", "valid_to"):
            put(item, key, data[key].isoformat() if data.get(key) else None)
        # The description readers show is written from the rule, so it never disagrees with it.
        item["description"] = describe_schedule(item)


class ClosureForm(ItemForm):
    """A holiday closure: see `directory.oruk.closures.is_closure` for how ORUK 3.0 holds it."""

    first_day = _date_field(
        "First day closed",
        help_text="For example, 24 12 2026",
        required="Enter the first day the service is closed",
    )
    last_day = _date_field("Last day closed", required="Enter the last day the service is closed")
    reason = _text("What is it for? (optional)", required=False, help_text="For example, Christmas")

    def get_layout(self) -> Layout:
        return Layout(Field("first_day"), Field("last_day"), Field.text("reason"))

    @classmethod
    def initial_for(cls, item: dict[str, Any]) -> dict[str, Any]:
        description = str(item.get("description") or "")
        reason = description.removeprefix("Closed").removeprefix(" for ").strip()
        return {
            "first_day": _date(item.get("valid_from")),
            "last_day": _date(item.get("valid_to")),
            "reason": reason,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("first_day"), data.get("last_day")
        if start and end and end < start:
            self.add_error("last_day", "Last day closed must be the same as or after the first")
        return data

    def fill(self, item: dict[str, Any]) -> None:
        data = self.cleaned_data
        for key in list(item):
            if key != "id":
                item.pop(key)
        item["valid_from"] = data["first_day"].isoformat()
        item["valid_to"] = data["last_day"].isoformat()
        reason = data["reason"].strip()
        item["description"] = f"Closed for {reason}" if reason else "Closed"


class CostOptionForm(ItemForm):
    option = _text(
        "What is the cost for?",
        help_text="For example, “Each session” or “A year's membership”",
        error_messages={"required": "Enter what the cost is for"},
    )
    amount = _text(
        "Amount in pounds",
        max_length=12,
        help_text="For example, 2.50. Enter 0 if it is free",
        error_messages={"required": "Enter the amount, like 2.50"},
    )
    amount_description = _text(
        "Anything else about the cost (optional)",
        required=False,
        help_text="For example, “Free for carers”",
    )
    field_widths = {"amount": 10}

    def clean_amount(self) -> int | float:
        text = self.cleaned_data["amount"].strip().removeprefix("£").replace(",", "")
        try:
            amount = decimal.Decimal(text)
        except decimal.InvalidOperation as error:
            raise ValidationError("Amount must be a number, like 2.50") from error
        if not amount.is_finite() or amount < 0:
            raise ValidationError("Amount must be 0 or more")
        if amount != amount.quantize(decimal.Decimal("0.01")) or amount >= 1_000_000:
            raise ValidationError("Amount must be in pounds and pence, like 2.50")
        return int(amount) if amount == int(amount) else float(amount)

    def fill(self, item: dict[str, Any]) -> None:
        super().fill(item)
        item.setdefault("currency", "GBP")


class LanguageForm(ItemForm):
    name = _text(
        "Language", max_length=100, error_messages={"required": "Enter the language, like Polish"}
    )
    code = _text(
        "Language code (optional)",
        required=False,
        max_length=3,
        help_text="The ISO 639 code, like pl for Polish or cy for Welsh",
    )
    field_widths = {"code": 3}

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().lower()
        if code and not _LANGUAGE_CODE.match(code):
            raise ValidationError("Language code must be 2 or 3 letters, like pl")
        return code


class WebAddressForm(ItemForm):
    """One of an organisation's other web addresses (ORUK `additional_urls`)."""

    url = _web_address_field(
        "Web address",
        help_text="For example, https://www.facebook.com/example",
        required="Enter a web address",
    )
    label = _text(
        "What it is (optional)",
        required=False,
        help_text="For example, “Facebook page” or “Annual report”",
    )


class AreaForm(ItemForm):
    name = _text(
        "Area",
        max_length=500,
        error_messages={"required": "Enter the area, like Kingston upon Hull"},
    )
    local_authority_code = _text(
        "Local authority code (optional)",
        required=False,
        max_length=9,
        help_text="The ONS code of the council's area, like E06000010 for Hull",
    )
    service_area = forms.CharField(
        label="Who it covers (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, “People who live in Hull”",
    )
    field_widths = {"local_authority_code": 10}

    @classmethod
    def initial_for(cls, item: dict[str, Any]) -> dict[str, Any]:
        uri = str(item.get("uri") or "")
        code = uri.removeprefix(AREA_URI) if uri.startswith(AREA_URI) else ""
        return {
            "name": item.get("name"),
            "local_authority_code": code,
            "service_area": item.get("service_area"),
        }

    def clean_local_authority_code(self) -> str:
        code = self.cleaned_data["local_authority_code"].strip().upper()
        if code and not _GSS_CODE.match(code):
            raise ValidationError(
                "Local authority code must be a letter and 8 numbers, like E06000010"
            )
        return code

    def fill(self, item: dict[str, Any]) -> None:
        data = self.cleaned_data
        put(item, "name", data["name"].strip())
        put(item, "service_area", data["service_area"].strip())
        # The code is kept as the area's ONS URI, as the directory's own records hold it.
        code = data["local_authority_code"]
        if code:
            item["uri"] = AREA_URI + code
        elif str(item.get("uri") or "").startswith(AREA_URI):
            item.pop("uri")


# --- tags (the tagging screen, workflow.tagging.screen) -------------------------------------------


class TagsForm(SectionForm):
    """What the service is: the terms it is tagged with (ORUK `attributes`), in three lists.

    The page lays the checkboxes out itself (grouped by function, filtered by a search); this
    form checks that every ticked term is one of the lists' and rewrites `attributes`, keeping
    every attribute it does not edit (other taxonomies, link types) as it was."""

    service_types = forms.MultipleChoiceField(
        label="Service types",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select service types from the list"},
    )
    activities = forms.MultipleChoiceField(
        label="Activities",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select activities from the list"},
    )
    local_terms = forms.MultipleChoiceField(
        label="Local categories",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select local categories from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices_by_field = tag_choices()
        for name, choices in self.choices_by_field.items():
            self.fields[name].choices = choices

    @classmethod
    def initial_for(cls, document: dict[str, Any]) -> dict[str, Any]:
        return chosen_by_field(document)

    def chosen(self) -> list[str]:
        return [
            term_id
            for name in self.choices_by_field
            for term_id in self.cleaned_data.get(name) or []
        ]

    def apply(self, document: dict[str, Any]) -> None:
        editable = {term_id for choices in self.choices_by_field.values() for term_id, _ in choices}
        apply_tags(document, chosen=self.chosen(), editable=editable)

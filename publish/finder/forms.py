"""The finder's search form: the query string of the results page, checked and turned into a
`FinderQuery`.

The form is sent by GET, so anything may arrive in the address bar. Words, postcode and age are
questions a person answers: a wrong answer there gets a GOV.UK error on the field. Filter values
come from links and checkboxes the portal drew: an unknown one is dropped rather than shown as an
error, since the person did not type it and cannot correct it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from core.forms import GDSForm
from publish.finder.opening import ATTENDING_LABELS, DAY_NAMES, TIMES_OF_DAY
from publish.finder.search import FinderQuery

ATTENDING = ATTENDING_LABELS
DAYS = DAY_NAMES
COSTS = {"free": "Free", "paid": "Paid"}
DISTANCES = [("", "Any distance"), ("1", "1 mile"), ("3", "3 miles"), ("5", "5 miles")]
DISTANCES += [("10", "10 miles"), ("25", "25 miles")]

MAX_WORDS = 200
MAX_VALUES = 30  # of one filter; more than the portal ever draws
MAX_VALUE_LENGTH = 100


class LenientMultipleField(forms.Field):
    """Several values of one query parameter; values that fail `accept` are dropped, never an
    error (they came from a link, not from the person)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, accept: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.accept = accept or (lambda value: 0 < len(value) <= MAX_VALUE_LENGTH)

    def to_python(self, value: Any) -> tuple[str, ...]:
        if not value:
            return ()
        if isinstance(value, str):
            value = [value]
        kept: list[str] = []
        for item in value[:MAX_VALUES]:
            item = str(item).strip()
            if item and self.accept(item) and item not in kept:
                kept.append(item)
        return tuple(kept)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _one_of(allowed: dict[str, str]):
    return lambda value: value in allowed


class FinderSearchForm(GDSForm):
    """What the results page was asked for. Laid out by the finder's templates (the filters are
    drawn from the facet counts), so `submit_label` is not used."""

    submit_label = ""

    q = forms.CharField(
        label="Search for a service or activity",
        required=False,
        max_length=MAX_WORDS,
        help_text="For example, lunch club, debt advice or swimming",
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="To find services near you",
    )
    within = forms.TypedChoiceField(
        label="Distance",
        choices=DISTANCES,
        required=False,
        coerce=float,
        empty_value=None,
    )
    age = forms.IntegerField(
        label="Age of the person",
        required=False,
        min_value=0,
        max_value=120,
        error_messages={
            "invalid": "Enter the age as a whole number, like 15",
            "min_value": "Age must be 0 or more",
            "max_value": "Age must be 120 or less",
        },
    )
    service_type = LenientMultipleField(accept=_is_uuid)
    need = LenientMultipleField(accept=_is_uuid)
    circumstance = LenientMultipleField(accept=_is_uuid)
    attending = LenientMultipleField(accept=_one_of(ATTENDING))
    day = LenientMultipleField(accept=_one_of(DAYS))
    time = forms.CharField(required=False)
    open_now = forms.CharField(required=False)
    cost = forms.CharField(required=False)
    accessibility = LenientMultipleField()
    language = LenientMultipleField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].error_messages["max_length"] = (
            f"Search words must be {MAX_WORDS} characters or fewer"
        )
        self.fields["postcode"].error_messages["max_length"] = "Enter a real postcode, like HU1 1AA"

    def full_clean(self) -> None:
        # A distance from a link we did not draw is dropped, not an error.
        if self.is_bound and self.data.get("within") not in {value for value, _ in DISTANCES}:
            self.data = self.data.copy()
            self.data.pop("within", None)
        super().full_clean()

    def clean_time(self) -> str:
        value = self.cleaned_data["time"]
        return value if value in TIMES_OF_DAY else ""

    def clean_cost(self) -> str:
        value = self.cleaned_data["cost"]
        return value if value in COSTS else ""

    def clean_open_now(self) -> bool:
        return self.cleaned_data["open_now"] in {"1", "true", "on", "yes"}

    def clean_postcode(self) -> str:
        return " ".join(self.cleaned_data["postcode"].split()).upper()

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def to_query(self) -> FinderQuery:
        """The engine's query for what was asked (call after `is_valid()`); fields in error are
        left out."""
        data = getattr(self, "cleaned_data", {})
        postcode = data.get("postcode", "")
        return FinderQuery(
            text=data.get("q", ""),
            postcode=postcode,
            within_miles=data.get("within") if postcode else None,
            service_types=data.get("service_type", ()),
            needs=data.get("need", ()),
            circumstances=data.get("circumstance", ()),
            age=data.get("age"),
            attending=data.get("attending", ()),
            days=data.get("day", ()),
            time_of_day=data.get("time", ""),
            open_now=data.get("open_now", False),
            cost=data.get("cost", ""),
            accessibility=data.get("accessibility", ()),
            languages=data.get("language", ()),
        )

    @property
    def has_filters(self) -> bool:
        """Whether any filter (beyond the words and the postcode) narrows the results."""
        query = self.to_query()
        return bool(
            query.service_types
            or query.needs
            or query.circumstances
            or query.age is not None
            or query.attending
            or query.days
            or query.time_of_day
            or query.open_now
            or query.cost
            or query.accessibility
            or query.languages
        )

    # Query parameter of the form field -> the contract's facet key.
    FACET_PARAMS = {
        "service_type": "service_type",
        "attending": "attending",
        "cost": "cost",
        "day": "day",
        "accessibility": "accessibility",
        "language": "language",
    }

"""The import checks the models' check constraints in Python (`load._truth`), once per record
without a query: it must refuse exactly what Django's own check (`constraint.validate`, which
asks the database) refuses, NULLs included."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models as djm

from directory import models as m
from directory.oruk.load import _truth

pytestmark = pytest.mark.django_db

CASES = [
    (m.Service, {"status": "active"}),
    (m.Service, {"status": "open"}),
    (m.Service, {"status": "active", "minimum_age": -1}),
    (m.Service, {"status": "active", "minimum_age": 18, "maximum_age": 16}),
    (m.Service, {"status": "active", "minimum_age": 16, "maximum_age": 16}),
    (m.Service, {"status": "active", "minimum_age": None, "maximum_age": 16}),
    (m.Location, {"location_type": "physical", "latitude": 53.7, "longitude": None}),
    (m.Location, {"location_type": "virtual", "latitude": None, "longitude": None}),
    (m.Location, {"location_type": "moon", "latitude": 1.0, "longitude": 2.0}),
    (m.Schedule, {"freq": "", "valid_from": dt.date(2026, 2, 1), "valid_to": dt.date(2026, 1, 1)}),
    (m.Schedule, {"freq": "WEEKLY", "valid_from": None, "valid_to": dt.date(2026, 1, 1)}),
    (m.Schedule, {"freq": "HOURLY"}),
    (m.CostOption, {"amount": decimal.Decimal("-0.01")}),
    (m.CostOption, {"amount": decimal.Decimal("0")}),
    (m.CostOption, {"amount": None}),
    (m.Attribute, {"link_entity": "service"}),
    (m.Attribute, {"link_entity": "planet"}),
]


@pytest.mark.parametrize(("model", "values"), CASES)
def test_python_refuses_what_the_database_check_refuses(model, values):
    record = model(**values)
    for constraint in model._meta.constraints:
        if not isinstance(constraint, djm.CheckConstraint):
            continue
        try:
            constraint.validate(model, record)
            database_refuses = False
        except ValidationError:
            database_refuses = True
        assert (_truth(constraint.condition, record, set()) is False) == database_refuses, (
            constraint.name
        )


def test_every_constraint_of_these_cases_is_met_and_broken_at_least_once():
    """The cases above are not all passes: each model's constraints are broken somewhere."""
    broken = set()
    for model, values in CASES:
        record = model(**values)
        broken |= {
            c.name
            for c in model._meta.constraints
            if isinstance(c, djm.CheckConstraint) and _truth(c.condition, record, set()) is False
        }
    assert broken >= {
        "service_status_valid",
        "service_minimum_age_not_negative",
        "service_age_range_ordered",
        "location_type_valid",
        "location_coordinates_both_or_neither",
        "schedule_freq_valid",
        "schedule_validity_ordered",
        "schedule_has_owner",
        "cost_option_amount_not_negative",
        "attribute_link_entity_valid",
    }

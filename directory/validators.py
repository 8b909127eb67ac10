"""Field validators for the ORUK 3.0 formats the JSON schemas name but do not spell out."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# RFC 5545 BYDAY: comma separated day codes, each optionally prefixed by an ordinal (2MO, -1FR).
_BYDAY = re.compile(r"^[+-]?(?:[1-9]|[1-4][0-9]|5[0-3])?(MO|TU|WE|TH|FR|SA|SU)$")


def validate_byday(value: str) -> None:
    bad = [part for part in value.split(",") if not _BYDAY.match(part.strip().upper())]
    if bad:
        raise ValidationError(
            "Enter days as RFC 5545 day codes separated by commas, like MO,WE or 2MO; "
            "%(bad)s is not one",
            params={"bad": ", ".join(bad)},
            code="invalid_byday",
        )


def validate_bymonthday(value: str) -> None:
    for part in value.split(","):
        try:
            day = int(part.strip())
        except ValueError:
            day = 0
        if day == 0 or not -31 <= day <= 31:
            raise ValidationError(
                "Enter days of the month as numbers from 1 to 31 (or -1 to -31 counting from "
                "the end) separated by commas; %(part)s is not one",
                params={"part": part},
                code="invalid_bymonthday",
            )


validate_country_code = RegexValidator(
    r"^[A-Z]{2}$", "Enter the country as a two-letter ISO 3166 code, like GB", "invalid_country"
)

"""Placeholder replaced by the geo helper."""


class InvalidPostcode(ValueError):
    pass


def normalise_postcode(value: str) -> str:
    return value.strip().upper()

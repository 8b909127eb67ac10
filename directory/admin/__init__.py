"""Django admin for every directory record; the needs/circumstances admin lives in needs.py."""

from . import needs, records  # noqa: F401

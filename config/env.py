"""Typed readers for configuration from environment variables (the only source of settings)."""

from __future__ import annotations

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


# `manage.py runserver` takes "port" or "addr:port" (an IPv6 address in brackets), as `make run
# HOST=...` passes it.
_ADDRPORT = re.compile(r"^(?:(?P<addr>\[[0-9a-fA-F:.]+\]|[^\[\]:/\s]+):)?(?P<port>\d{1,5})$")
# Addresses that mean "every interface": a server listens there, a browser cannot go there.
_EVERY_INTERFACE = {"0": "127.0.0.1", "0.0.0.0": "127.0.0.1", "[::]": "[::1]", "[::0]": "[::1]"}


def served_url(addrport: str) -> str:
    """The http:// address a browser opens for a development server started on `addrport`
    ("0.0.0.0:8080" -> "http://127.0.0.1:8080"); "" when `addrport` is not such an address."""
    match = _ADDRPORT.fullmatch(addrport.strip())
    if not match:
        return ""
    addr = match["addr"] or "127.0.0.1"
    return f"http://{_EVERY_INTERFACE.get(addr, addr)}:{match['port']}"

"""Limits on the emails a request can make the portal send, counted in the shared cache.

Password-reset links can be asked for by anyone, and a flood of them to one address is abuse of
its owner and of the portal's sending reputation; invitations come from signed-in partner admins
but are emails to strangers all the same. Each send is counted per recipient address and per
client address over a rolling hour (fixed windows of an hour, keyed by the window's start): the
cache is Redis in production, so every web process and machine counts together.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

WINDOW_SECONDS = 3600


def _key(kind: str, scope: str, value: str) -> str:
    window = int(time.time() // WINDOW_SECONDS)
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"throttle:{kind}:{scope}:{window}:{digest}"


def _count(key: str) -> int:
    if cache.add(key, 1, WINDOW_SECONDS + 60):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS + 60)
        return 1


def allow_email(kind: str, *, address: str, client: str | None, limits: tuple[int, int]) -> bool:
    """Count one email of `kind` to `address` asked for by `client`; False if over a limit.

    `limits` is (per address, per client) per hour. A refused send is counted too, so that
    hammering does not reopen the limit. An empty `address` (a form where leaving one is
    optional) is counted per client only, not as one address shared by everyone.
    """
    per_address, per_client = limits
    allowed = not address or _count(_key(kind, "address", address)) <= per_address
    if client:
        allowed = _count(_key(kind, "client", client)) <= per_client and allowed
    return allowed

"""Signing test clients in the way the portal does: password, then (if set up) a security code.

`sign_in` gives the person a confirmed TOTP device and marks the session verified, so that the
two-factor middleware lets them through whatever their role; `verified=False` leaves the session
half signed in (password only).
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user: Any, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Test app", confirmed=confirmed)


def current_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now."""
    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def sign_in(client: Client, user: Any, *, verified: bool = True) -> Client:
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client

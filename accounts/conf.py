"""Defaults of the accounts knobs; a Django setting of the same name overrides each."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

# How long an invitation link works.
PORTAL_INVITATION_VALID_DAYS = 7
# Where an invitation link points; the staff pages serve it (URL name accounts:invitation-accept).
PORTAL_INVITATION_PATH = "/accounts/invitations/{token}/"
# More services than this changed in one transaction are recomputed by the bulk task instead of
# one by one (imports save thousands of records in one go).
PORTAL_ALLOCATION_BULK_THRESHOLD = 200


def get(name: str):
    return getattr(settings, name, globals()[name])


def invitation_valid_for() -> timedelta:
    return timedelta(days=get("PORTAL_INVITATION_VALID_DAYS"))

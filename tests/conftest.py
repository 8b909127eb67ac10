from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_and_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

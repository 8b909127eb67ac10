from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, str]:
    """The service name every page's title and header use."""
    return {"portal_name": settings.PORTAL_NAME}

"""`{% robust_static %}`: a static file's URL that never fails, for the error pages.

`{% static %}` raises when collectstatic's manifest lacks the file (or is missing), and an error
page that raises is a blank 500. The error pages fall back to the file's plain name, which
collectstatic also writes.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@register.simple_tag
def robust_static(path: str) -> str:
    try:
        return static(path)
    except ValueError:
        return settings.STATIC_URL + path

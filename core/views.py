"""Domain-free view helpers: page titles, and the error page that must not depend on context."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseServerError
from django.template import loader


class PageTitleMixin:
    """Gives the template `title`: the page's h1, which base.html also puts in `<title>`."""

    title = ""

    def get_title(self) -> str:
        return self.title

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.get_title())
        return context


def server_error(request: HttpRequest) -> HttpResponseServerError:
    """The 500 page, rendered without context processors (they may be what failed)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"portal_name": settings.PORTAL_NAME}))

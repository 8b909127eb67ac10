"""Template context of the accounts app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    """The header's links (see `presenters.navigation`), worked out only if a page shows them."""

    def items() -> list[dict[str, Any]]:
        from accounts.presenters import navigation

        return navigation(request)

    return {"staff_navigation": items}

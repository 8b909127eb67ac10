"""System checks of the accounts app (run by `manage.py check`; the deploy ones by --deploy)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from accounts.backends import DEMO_EMAIL_DOMAIN


@register(Tags.security, deploy=True)
def demo_accounts_on_a_live_portal(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Demo accounts have a published password: a live portal must not hold them."""
    if settings.DEBUG:
        return []
    from accounts.models import User

    try:
        emails = list(
            User.objects.filter(email__iendswith=DEMO_EMAIL_DOMAIN)
            .order_by("email")
            .values_list("email", flat=True)[:10]
        )
    except DatabaseError:
        return []  # no database yet (before migrate): nothing to find
    if not emails:
        return []
    return [
        Warning(
            f"The database holds demo accounts ({', '.join(emails)}), whose password is "
            "published. They cannot sign in while DEBUG is off; delete them.",
            hint='manage.py shell -c "from accounts.models import User; '
            f"User.objects.filter(email__iendswith='{DEMO_EMAIL_DOMAIN}').delete()\"",
            id="accounts.W001",
        )
    ]

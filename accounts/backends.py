"""Who may sign in at all: Django's model backend, minus the demo accounts on a live portal.

The demo accounts (`accounts.demo`, addresses @demo.example) have a published password. They are
made only with DEBUG on, but a database copied from a demo, or DEBUG turned off after one, would
still hold them: with DEBUG off they cannot sign in anywhere (staff pages, Django admin), and
`manage.py check --deploy` names them (`accounts.checks`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

DEMO_EMAIL_DOMAIN = "@demo.example"


def is_demo_account(user: Any) -> bool:
    return str(getattr(user, "email", "") or "").lower().endswith(DEMO_EMAIL_DOMAIN)


class PortalModelBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        if is_demo_account(user) and not settings.DEBUG:
            return False
        return super().user_can_authenticate(user)

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_ACCOUNTS, seed_demo_accounts
from config.env import env_str

DEFAULT_DEMO_PASSWORD = "demo-directory-2026"


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo partners, allocation rules and one account per role, with the "
        "password DEMO_PASSWORD, and print how to sign in. Refuses when DEBUG is off: demo "
        "accounts never exist on a live portal."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo users are only created when DEBUG is on")
        password = env_str("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        seed_demo_accounts(password=password)
        width = max(len(account.email) for account in DEMO_ACCOUNTS)
        accounts = "\n".join(
            f"    {account.email:<{width}}  {account.role}" for account in DEMO_ACCOUNTS
        )
        # The address the server answers on (PORTAL_BASE_URL follows `make run HOST=...`).
        base_url = settings.PORTAL_BASE_URL.rstrip("/")
        self.stdout.write(
            "\nDemo portal ready.\n"
            f"  Sign in at {base_url}/accounts/sign-in/"
            f" (the Django admin is at {base_url}/admin/)\n"
            f"  as {DEMO_ACCOUNTS[0].email} with the password {password!r}"
            " (set DEMO_PASSWORD to change it).\n"
            "  Every demo account has the same password:\n"
            f"{accounts}\n"
        )

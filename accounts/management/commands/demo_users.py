from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from config.env import env_str

DEMO_ADMIN_EMAIL = "admin@demo.example"
DEFAULT_DEMO_PASSWORD = "demo-directory-2026"


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo directory admin from DEMO_PASSWORD and print how to sign in. "
        "Refuses when DEBUG is off: demo accounts never exist on a live portal."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo users are only created when DEBUG is on")
        password = env_str("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(
            username=DEMO_ADMIN_EMAIL, defaults={"email": DEMO_ADMIN_EMAIL}
        )
        user.email = DEMO_ADMIN_EMAIL
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            "\nDemo portal ready.\n"
            f"  Sign in at {settings.PORTAL_BASE_URL}/admin/\n"
            f"  as {DEMO_ADMIN_EMAIL} with the password {password!r}"
            " (set DEMO_PASSWORD to change it)\n"
        )

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, partners and permissions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import checks, lockout, signals  # noqa: F401 (checks register themselves)

        signals.connect()
        lockout.connect()

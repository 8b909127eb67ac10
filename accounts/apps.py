from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, partners and permissions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import lockout, signals

        signals.connect()
        lockout.connect()

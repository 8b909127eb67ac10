from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower

from core.models import TimestampedModel


def normalise_email(email: str) -> str:
    """Addresses are compared and stored lower-cased: people type their address differently."""
    return (email or "").strip().lower()


class UserQuerySet(models.QuerySet["User"]):
    def active(self) -> UserQuerySet:
        return self.filter(is_active=True)

    def directory_admins(self) -> UserQuerySet:
        return self.active().filter(models.Q(is_directory_admin=True) | models.Q(is_superuser=True))

    def with_email(self, email: str) -> UserQuerySet:
        return self.filter(email=normalise_email(email))


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Creates users by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=normalise_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_directory_admin", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("A superuser needs is_staff and is_superuser")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str) -> User:
        # Sign-in by email, whatever case it was typed in.
        return self.get(email=normalise_email(username))


class User(TimestampedModel, AbstractUser):
    """A person who signs in with their email address.

    Roles come from memberships of partners (see `Membership`), except the site-wide directory
    admin role, which is the `is_directory_admin` flag. `is_superuser` is the break-glass account
    for the Django admin and is treated by the policy as a directory admin too.
    """

    username = None
    email = models.EmailField("email address", unique=True)
    is_directory_admin = models.BooleanField(
        "directory admin",
        default=False,
        help_text="Manages partners, allocation rules, taxonomies and feeds across the directory.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta(AbstractUser.Meta):
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_lower_case"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalise_email(self.email)

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from accounts.demo import DEMO_ACCOUNTS, seed_demo_accounts
from accounts.models import Membership, Partner, Role, ServiceAllocation, User
from accounts.policy import Action, objects_user_can, user_can
from directory.demo.seed import seed_demo
from directory.models import Service


@pytest.mark.django_db
def test_demo_admin_is_created_with_the_demo_password(settings, monkeypatch, capsys):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "a-long-demo-password")
    call_command("demo_users")
    user = User.objects.get(email="admin@demo.example")
    assert user.is_superuser and user.is_directory_admin
    assert user.check_password("a-long-demo-password")
    out = capsys.readouterr().out
    for account in DEMO_ACCOUNTS:
        assert account.email in out


@pytest.mark.django_db
def test_demo_help_names_the_address_the_portal_is_served_on(settings, capsys):
    settings.DEBUG = True
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8080/"
    call_command("demo_users")
    out = capsys.readouterr().out
    assert "Sign in at http://127.0.0.1:8080/accounts/sign-in/" in out
    assert "http://127.0.0.1:8080/admin/" in out and ":8000" not in out


@pytest.mark.django_db
def test_demo_users_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only created when DEBUG is on"):
        call_command("demo_users")
    with pytest.raises(ImproperlyConfigured):
        seed_demo_accounts(password="whatever-it-is")
    assert not User.objects.exists() and not Partner.objects.exists()


@pytest.mark.django_db
def test_the_demo_has_one_account_per_role_with_rights_on_the_demo_place(settings):
    settings.DEBUG = True
    seed_demo(services=150, seed=1)
    seed_demo_accounts(password="demo-password-123")
    seed_demo_accounts(password="demo-password-123")  # a rerun adds nothing
    users = {user.email: user for user in User.objects.all()}
    assert set(users) == {account.email for account in DEMO_ACCOUNTS}
    assert Membership.objects.count() == len(DEMO_ACCOUNTS) - 1
    services = Service.objects.all()
    assert objects_user_can(users["assurer@demo.example"], Action.ASSURE, services).exists()
    assert objects_user_can(users["area-assurer@demo.example"], Action.ASSURE, services).exists()
    assert objects_user_can(users["provider@demo.example"], Action.EDIT, services).exists()
    assert not objects_user_can(users["provider@demo.example"], Action.ASSURE, services).exists()
    assert user_can(users["worker@demo.example"], Action.SUGGEST, services.first())
    cvs = Partner.objects.get(slug="demo-hull-cvs")
    assert user_can(users["partner-admin@demo.example"], Action.MANAGE_MEMBERS, cvs)
    trusted = Partner.objects.get(slug="demo-trusted-provider")
    assert trusted.can_self_assure and trusted.organizations.exists()
    # Some services stay unallocated, to show the admin's list of them.
    assert 0 < ServiceAllocation.objects.count() < services.count()
    assert Membership.objects.filter(role=Role.PROVIDER_EDITOR).count() == 1

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_demo_admin_is_created_with_the_demo_password(settings, monkeypatch, capsys):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "a-long-demo-password")
    call_command("demo_users")
    user = get_user_model().objects.get(username="admin@demo.example")
    assert user.is_superuser and user.check_password("a-long-demo-password")
    assert "admin@demo.example" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_users_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only created when DEBUG is on"):
        call_command("demo_users")
    assert not get_user_model().objects.filter(username="admin@demo.example").exists()

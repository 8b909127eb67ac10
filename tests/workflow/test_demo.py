"""The demo's change requests: one of each kind, waiting for the demo assurers."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from accounts.demo import seed_demo_accounts
from workflow.demo import seed_demo_changes
from workflow.models import ChangeRequest, Source, State


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_a_change_of_each_kind_waiting_and_a_rerun_adds_none(settings):
    settings.DEBUG = True
    call_command("seed_demo", services=60, seed=7, stdout=io.StringIO())
    seed_demo_accounts(password="demo-password-for-tests")
    out = io.StringIO()
    call_command("seed_demo_changes", stdout=out)
    assert out.getvalue().strip() == "3 demo change requests added"
    assert set(ChangeRequest.objects.values_list("source", "state")) == {
        (Source.PROVIDER, State.SUBMITTED),
        (Source.FRONTLINE, State.SUBMITTED),
        (Source.PUBLIC, State.SUBMITTED),
    }
    assert seed_demo_changes() == 0


@pytest.mark.django_db
def test_demo_changes_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        seed_demo_changes()

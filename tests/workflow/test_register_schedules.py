"""`manage.py register_schedules`: idempotent, and says what it registered."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from workflow.schedules import SCHEDULES

pytestmark = pytest.mark.django_db


def test_register_schedules_creates_each_schedule_once_and_says_so():
    for _ in range(2):
        out = StringIO()
        call_command("register_schedules", stdout=out)
        text = out.getvalue()
        for job in SCHEDULES:
            assert f"{job.name}: {job.func}" in text
        assert f"Registered {len(SCHEDULES)} schedule" in text
    assert Schedule.objects.count() == len(SCHEDULES)
    assert set(Schedule.objects.values_list("name", flat=True)) == {job.name for job in SCHEDULES}


def test_register_schedules_puts_back_a_schedule_someone_changed():
    call_command("register_schedules", stdout=StringIO())
    job = SCHEDULES[0]
    Schedule.objects.filter(name=job.name).update(func="somewhere.else", repeats=0)
    call_command("register_schedules", stdout=StringIO())
    schedule = Schedule.objects.get(name=job.name)
    assert schedule.func == job.func and schedule.repeats == -1

"""`manage.py register_schedules`: create or update the portal's django-q2 schedules.

Run on every deployment (and by `make setup`); running it again updates the schedules in place
rather than adding copies.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from workflow.schedules import register_schedules


class Command(BaseCommand):
    help = "Create or update the portal's scheduled jobs (django-q2 schedules), matched by name."

    def handle(self, *args, **options) -> None:
        schedules = register_schedules()
        for schedule in schedules:
            next_run = timezone.localtime(schedule.next_run).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"{schedule.name}: {schedule.func}, {schedule.get_schedule_type_display().lower()}"
                f", next run {next_run}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Registered {len(schedules)} schedule{'' if len(schedules) == 1 else 's'}"
            )
        )

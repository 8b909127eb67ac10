from __future__ import annotations

from django.core.management.base import BaseCommand

from workflow.demo import seed_demo_changes


class Command(BaseCommand):
    help = (
        "Add demo change requests waiting for the demo assurers (DEBUG only; run after demo_users)."
    )

    def handle(self, *args, **options) -> None:
        made = seed_demo_changes()
        self.stdout.write(f"{made} demo change request{'' if made == 1 else 's'} added")

"""`manage.py seed_personas`: a few made-up people for training in needs-based finding.

Each persona names the demo's needs and circumstances by code (directory/demo/needs_mapping.csv).
Safe to run again: a persona is found by its slug and brought back to these answers; personas a
directory admin added are left alone. Codes not loaded yet are skipped and reported.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from directory.models import Circumstance, Need
from publish.finder.models import Persona

PERSONAS: list[dict[str, Any]] = [
    {
        "slug": "older-person-living-alone",
        "name": "Older person living alone",
        "description": "Margaret is 78 and has lived alone since her husband died. She rarely "
        "goes out, and worries about her heating bills.",
        "age": 78,
        "needs": ["loneliness-and-isolation", "keeping-warm", "getting-about"],
        "circumstances": ["older-person", "bereaved"],
    },
    {
        "slug": "young-carer",
        "name": "Young carer",
        "description": "Jay is 14 and helps look after his mum, who has multiple sclerosis. He "
        "misses time with friends.",
        "age": 14,
        "needs": ["caring-for-someone", "mental-health"],
        "circumstances": ["young-carer", "young-person"],
    },
    {
        "slug": "new-parent",
        "name": "New parent",
        "description": "Aisha had her first baby three months ago, has just moved to the area "
        "and knows nobody nearby.",
        "age": 29,
        "needs": ["family-and-parenting", "loneliness-and-isolation"],
        "circumstances": ["family-with-children"],
    },
    {
        "slug": "someone-in-debt",
        "name": "Someone in debt",
        "description": "Dave, 45, lost his job in the spring. He is behind on his rent and his "
        "energy bills and is not sleeping.",
        "age": 45,
        "needs": ["debt", "benefits", "mental-health", "food"],
        "circumstances": ["low-income"],
    },
    {
        "slug": "veteran-looking-for-work",
        "name": "Veteran looking for work",
        "description": "Sam, 38, left the army last year and wants work and people to talk to "
        "who understand.",
        "age": 38,
        "needs": ["work-and-skills", "loneliness-and-isolation"],
        "circumstances": ["veteran"],
    },
]


class Command(BaseCommand):
    help = "Add the training personas for needs-based finding (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = updated = 0
        missing: set[str] = set()
        with transaction.atomic():
            needs = {t.term: t for t in Need.objects.all()}
            circumstances = {t.term: t for t in Circumstance.objects.all()}
            for order, spec in enumerate(PERSONAS):
                persona, made = Persona.objects.update_or_create(
                    slug=spec["slug"],
                    defaults={
                        "name": spec["name"],
                        "description": spec["description"],
                        "age": spec["age"],
                        "order": order,
                    },
                )
                persona.needs.set([needs[c] for c in spec["needs"] if c in needs])
                persona.circumstances.set(
                    [circumstances[c] for c in spec["circumstances"] if c in circumstances]
                )
                missing |= {c for c in spec["needs"] if c not in needs}
                missing |= {c for c in spec["circumstances"] if c not in circumstances}
                created += made
                updated += not made
        self.stdout.write(f"Personas: {created} created, {updated} brought up to date.")
        if missing:
            self.stdout.write(
                "Not loaded yet, so left out: " + ", ".join(sorted(missing)) + ". Load the needs "
                "and circumstances (manage.py import_needs_mapping, or seed_demo), then run this "
                "again."
            )

"""Demo change requests, so that the demo's queues show the workflow: a provider's edit, a
frontline worker's suggestion and a public report, each waiting for the demo assurers. Made
through the workflow services like any other change. Run after `demo_users`; safe to run again
(it adds nothing once the demo has change requests)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from accounts.models import User
from accounts.policy import Action, objects_user_can
from directory.models import Service

from . import services
from .documents import current_document
from .models import ChangeRequest, ReportPart

PROVIDER = "provider@demo.example"
WORKER = "worker@demo.example"
ASSURER = "assurer@demo.example"


def seed_demo_changes() -> int:
    """Add the demo change requests; returns how many were made."""
    if not settings.DEBUG:
        raise ImproperlyConfigured("Demo data is only made when DEBUG is on")
    if ChangeRequest.objects.exists():
        return 0
    people = {u.email: u for u in User.objects.filter(email__in=[PROVIDER, WORKER, ASSURER])}
    if len(people) < 3:
        return 0
    assured = list(
        objects_user_can(people[ASSURER], Action.ASSURE, Service.objects.all())
        .filter(assured_date__isnull=False)
        .order_by("name")[:3]
    )
    provided = (
        objects_user_can(people[PROVIDER], Action.SUBMIT, Service.objects.all())
        .order_by("name")
        .first()
    )
    made = 0
    with transaction.atomic():
        if provided is not None:
            document = current_document(provided)
            services.change_request_save(
                actor=people[PROVIDER],
                service=provided,
                proposed={
                    **document,
                    "description": document.get("description", "") + " Now also "
                    "open on Saturday mornings.",
                },
                note="We have added Saturday sessions.",
                submit=True,
            )
            made += 1
        if assured:
            document = current_document(assured[0])
            services.change_request_save(
                actor=people[WORKER],
                service=assured[0],
                proposed={**document, "fees": "Free. Donations welcome."},
                note="A client told me it is free now.",
                submit=True,
            )
            made += 1
        if len(assured) > 1:
            services.report_create(
                service=assured[1],
                part=ReportPart.PHONE,
                corrected="01482 300 300",
                note="The number on the website rings out.",
                email="resident@example.com",
            )
            made += 1
    return made

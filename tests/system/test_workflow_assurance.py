"""The allocated assurer decides a provider's change field by field: two parts accepted, one
not; the open feed then shows exactly the accepted parts, assured today, and the provider is
told the outcome by email."""

from __future__ import annotations

from django.core import mail
from django.utils import timezone

from accounts.models import User
from tests.auth import totp_device
from tests.system.people import person_email, providers_service_the_assurer_assures, sign_in
from workflow import services as ws
from workflow.documents import current_document

ASSURER = person_email("assurer@demo.example")
PROVIDER = person_email("provider@demo.example")
ADMIN = person_email("admin@demo.example")


def test_the_assurer_accepts_two_fields_and_not_the_third(portal, world, live_server):
    service = providers_service_the_assurer_assures()
    old_description = service.description
    change = ws.change_request_save(
        actor=User.objects.get(email=PROVIDER),
        service=service,
        proposed={
            **current_document(service),
            "name": "Riverside advice drop-in",
            "description": "Free advice on money and housing, no appointment needed.",
            "fees": "Free, donations welcome",
        },
        submit=True,
    )
    mail.outbox.clear()

    totp_device(User.objects.get(email=ASSURER))
    sign_in(portal, ASSURER, world.password)
    portal.visit("/staff/assurance/")
    assert portal.heading() == "Changes waiting for assurance"
    portal.follow(service.name)
    assert portal.heading() == f"Review the change to {service.name}"
    portal.untick("Accept the change to Description")
    portal.choose("Approve the accepted changes")
    portal.press("Send decision")
    assert portal.heading() == "Changes waiting for assurance"
    portal.sees("Riverside advice drop-in: the name and fees are published")

    feed = portal.context.request.get(f"{live_server.url}/api/v3/services/{service.pk}").json()
    assert feed["name"] == "Riverside advice drop-in"
    assert feed["fees"] == "Free, donations welcome"
    assert feed["description"] == old_description
    assert feed["assured_date"] == timezone.localdate().isoformat()

    change.refresh_from_db()
    assert change.accepted_fields == ["name", "fees"]
    (message,) = [m for m in mail.outbox if PROVIDER in m.to]
    assert "partly approved" in message.body
    assert "name, fees" in message.body

"""An assurer opens the data quality dashboard from their home page, follows a count to the list
of those services, opens one and reads its richness score and what would raise it; a directory
admin follows a count in the table of partners."""

from __future__ import annotations

import re

from django.db.models import Count

from accounts.policy import Action, objects_user_can
from directory.models import Service
from tests.auth import totp_device
from tests.system.browser import Portal
from tests.system.people import sign_in
from workflow.documents import current_document
from workflow.quality.scoring import score_document
from workflow.quality.services import service_quality_compute_all

ASSURER = "assurer@people.test"
ADMIN = "admin@people.test"
DESCRIBE = "Describe what the service does, who it is for and how to use it: +25"


def thin_service(user) -> Service:
    """One of `user`'s services (with a name no other has) left without a description."""
    unique = Service.objects.values("name").annotate(n=Count("pk")).filter(n=1).values("name")
    service = (
        objects_user_can(user, Action.ASSURE, Service.objects.all())
        .filter(name__in=unique)
        .order_by("name")
        .first()
    )
    # A queryset update passes by the signals, as bulk writes do; the nightly job scores it.
    Service.objects.filter(pk=service.pk).update(description="")
    service_quality_compute_all()
    return service


def count_link(portal: Portal, slug: str) -> None:
    portal.follow(re.compile(r"^\d+ services?$"), within=portal.page.locator(f"#count-{slug}"))


def test_an_assurer_follows_a_count_to_a_service_and_reads_what_would_raise_its_score(
    portal, world
):
    assurer = world.user(ASSURER)
    totp_device(assurer)
    service = thin_service(assurer)
    sign_in(portal, ASSURER, world.password)

    portal.follow("Data quality of your partner's services")
    assert portal.heading() == "Data quality"
    portal.sees("overdue for review").does_not_see("not allocated to a partner")
    count_link(portal, "missing-required")
    assert portal.heading() == "Missing required details"
    portal.sees(DESCRIBE)
    portal.follow(service.name, within=portal.page.locator("table"))
    assert portal.heading() == service.name
    score = score_document(current_document(service)).value
    portal.sees(f"Richness score: {score} out of 100").sees("What would raise it").sees(DESCRIBE)


def test_a_directory_admin_follows_a_partner_s_count(portal, world):
    admin = world.user(ADMIN)
    totp_device(admin)
    service = thin_service(admin)
    partner = service.allocation.partner if hasattr(service, "allocation") else None
    sign_in(portal, ADMIN, world.password)

    portal.follow("Data quality")
    assert portal.heading() == "Data quality"
    portal.sees("By partner").sees("not allocated to a partner")
    name = partner.name if partner else "Not allocated"
    portal.follow(re.compile(r"missing required details"), within=portal.row(name))
    assert portal.heading() == "Missing required details"
    portal.sees(name).sees(service.name)

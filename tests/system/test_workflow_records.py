"""An assurer lands on their work, opens a service allocated to their partner and marks it as
checked; a directory admin hides a service from the open feed with a reason, then shows it."""

from __future__ import annotations

import re

from django.db.models import Count, F
from django.utils import timezone

from accounts.policy import Action, objects_user_can
from directory.models import Service
from publish.services import publishable_services, services_publish
from tests.auth import totp_device
from tests.system.browser import Portal
from tests.system.people import sign_in

ASSURER = "assurer@people.test"
ADMIN = "admin@people.test"


def in_the_feed(portal: Portal, service: Service) -> bool:
    """Whether the open feed serves the service (asked as an API client, not a page)."""
    answer = portal.page.request.get(f"/api/v3/services/{service.pk}")
    assert answer.status in (200, 404)
    return answer.status == 200


def test_an_assurer_marks_a_service_allocated_to_their_partner_as_checked(portal, world):
    assurer = world.user(ASSURER)
    totp_device(assurer)
    sign_in(portal, ASSURER, world.password)
    assert portal.path == "/staff/"
    portal.sees("Services allocated to your partner")
    # The home page lists the first ten, needing a look soonest first (names may repeat).
    shown = list(
        objects_user_can(assurer, Action.ASSURE, Service.objects.all()).order_by(
            F("assured_date").asc(nulls_first=True), "name", "pk"
        )[:10]
    )
    names = [s.name for s in shown]
    service = next(s for s in shown if names.count(s.name) == 1)
    portal.follow(service.name, within=portal.page.locator("main"))
    assert portal.heading() == service.name
    portal.row("Allocated to").get_by_text("Hull CVS (demo)").wait_for()

    portal.follow("Mark as checked")
    assert portal.heading() == f"Mark {service.name} as checked?"
    portal.press("Mark as checked")
    assert portal.heading() == service.name
    portal.sees(f"{service.name} is marked as checked")
    service.refresh_from_db()
    assert service.assured_date == timezone.localdate()
    assert service.versions.filter(source="review").count() == 1
    # The check is in the service's history.
    portal.follow("See the full history")
    portal.follow("Version 1")
    portal.sees("Periodic review")


def test_a_directory_admin_hides_a_service_then_shows_it_again(portal, world):
    totp_device(world.user(ADMIN))
    sign_in(portal, ADMIN, world.password)
    # The demo seed leaves publishing to the background work; publish one service now.
    names = Service.objects.values("name").annotate(n=Count("pk")).filter(n=1).values("name")
    feed = world.feed
    service = (
        publishable_services()
        .filter(name__in=names, assured_date__gte=feed.assured_since())
        .order_by("name")
        .first()
    )
    services_publish(service_ids=[service.pk])
    assert in_the_feed(portal, service)

    portal.follow(re.compile(r"^\d+ services?$"), within=portal.page.locator("main"))
    portal.type("Service or organisation name", service.name).press("Search")
    portal.follow(service.name, within=portal.page.locator("table"))
    portal.follow("Hide from the open feed")
    portal.press("Hide from the open feed")
    assert portal.error_summary() == ["Enter why the service is hidden"]
    portal.type("Why are you hiding this service?", "The venue has flooded")
    portal.press("Hide from the open feed")
    portal.sees(f"{service.name} is hidden: it has left the open feed.")
    portal.sees("The venue has flooded")
    assert not in_the_feed(portal, service)

    portal.press("Show in the open feed")
    portal.sees(f"{service.name} is shown again: it is back in the open feed.")
    assert in_the_feed(portal, service)
    # Its organisation, and the other organisations.
    portal.follow(service.organization.name, within=portal.row("Organisation"))
    portal.sees("Propose a new service")
    portal.follow("Organisations", within=portal.page.locator(".govuk-back-link").locator(".."))
    assert portal.heading() == "Organisations"

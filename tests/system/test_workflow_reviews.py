"""Periodic review in the browser: an assurer works through their overdue list (it shrinks as
they mark services as checked), and a provider confirms a listing is still accurate from the
one-click link in their reminder email, without signing in."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from accounts.models import Partner
from accounts.policy import Action, objects_user_can
from accounts.services import allocation_recompute_all
from directory.models import Service, TaxonomyTerm
from directory.taxonomies.identity import LGA_SERVICE_TYPES
from tests.auth import totp_device
from tests.system.browser import Portal
from tests.system.people import emailed_path, person_email, sign_in
from workflow import reminders, reviews
from workflow.models import ReviewInterval

ASSURER = "assurer@people.test"
ADMIN = "admin@people.test"
PROVIDER = person_email("provider@demo.example")
STILL_ACCURATE_LINK = r"/review/still-accurate/[^/\s]+/"


def overdue_by(service: Service, days: int) -> Service:
    """Last assured so that its review (every 90 days) is `days` overdue."""
    service.assured_date = timezone.localdate() - dt.timedelta(days=90 + days)
    service.save()
    return service


def test_an_assurer_works_through_the_overdue_list(portal: Portal, world):
    assurer = world.user(ASSURER)
    theirs = objects_user_can(assurer, Action.ASSURE, Service.objects.all())
    # Every other service of theirs freshly checked: three are overdue, a week apart.
    theirs.update(assured_date=timezone.localdate())
    reviews.recompute_all()
    picked = list(theirs.order_by("pk")[:3])
    assert len(picked) == 3
    # The demo repeats names; these three get their own, to be told apart on the page.
    for weeks, (service, name) in enumerate(
        zip(
            picked,
            ("Riverside money advice", "Orchard housing help", "Avenue debt line"),
            strict=True,
        ),
        start=1,
    ):
        service.name = name
        overdue_by(service, 7 * weeks)
    most, middle, least = reversed(picked)

    totp_device(assurer)
    sign_in(portal, ASSURER, world.password)
    portal.follow("3 reviews overdue", within=portal.page.locator("main"))
    assert portal.heading() == "Overdue reviews"
    portal.sees("3 services overdue")
    rows = portal.page.locator("tbody tr")
    assert rows.nth(0).inner_text().startswith(most.name)  # most overdue first
    portal.row(most.name).get_by_text("Overdue by 3 weeks").wait_for()

    for done, service in enumerate((most, middle), start=1):
        portal.follow(service.name, within=portal.page.locator("table"))
        assert portal.heading() == service.name
        portal.follow("Mark as checked")
        portal.press("Mark as checked")
        portal.sees(f"{service.name} is marked as checked")
        portal.visit("/staff/")
        portal.follow(f"{3 - done} review{'s' if 3 - done != 1 else ''} overdue")
        portal.sees(f"{3 - done} service{'s' if 3 - done != 1 else ''} overdue")
        portal.does_not_see(service.name)
    assert rows.count() == 1 and rows.nth(0).inner_text().startswith(least.name)
    for service in (most, middle):
        service.refresh_from_db()
        assert service.assured_date == timezone.localdate()


def test_the_one_click_link_in_a_reminder_reassures_the_service(portal: Portal, world):
    # The demo provider is trusted to assure its own services for this test.
    Partner.objects.filter(slug="demo-provider").update(can_self_assure=True)
    allocation_recompute_all()
    provider = world.user(PROVIDER)
    theirs = objects_user_can(provider, Action.SUBMIT, Service.objects.all()).order_by("name")
    theirs.update(assured_date=timezone.localdate())
    reviews.recompute_all()
    service = theirs.first()
    overdue_by(service, -10)  # due in 10 days: the provider is reminded
    mail.outbox.clear()
    reminders.send_review_reminders()
    path = emailed_path(PROVIDER, STILL_ACCURATE_LINK)

    portal.visit(path)  # from the email, not signed in
    assert portal.heading() == f"Is the listing of {service.name} still accurate?"
    portal.sees(PROVIDER)
    portal.press("Confirm it is still accurate")
    assert portal.heading() == "Thank you: the service is assured again"
    service.refresh_from_db()
    assert service.assured_date == timezone.localdate()
    assert service.versions.filter(source="review").count() == 1

    portal.visit(path)  # the link works once
    assert portal.heading() == "This link cannot be used"
    portal.sees("already been used")


def test_a_directory_admin_sets_the_review_policy(portal: Portal, world):
    totp_device(world.user(ADMIN))
    term = (
        TaxonomyTerm.objects.filter(
            taxonomy__vocabulary=LGA_SERVICE_TYPES, attributes__isnull=False
        )
        .order_by("name")
        .first()
    )
    sign_in(portal, ADMIN, world.password)
    portal.follow("review policy", within=portal.page.locator("main"))
    assert portal.heading() == "Review policy"
    portal.follow("Change the review interval of Hull CVS (demo)")
    portal.type("Review every (days)", "5").press("Save")
    assert portal.error_summary() == ["Enter 7 days or more"]
    portal.type("Review every (days)", "60").press("Save")
    assert portal.heading() == "Review policy"
    portal.sees("Services of Hull CVS (demo) are now reviewed every 60 days")
    portal.row("Hull CVS (demo)").get_by_text("60 days").wait_for()
    assert ReviewInterval.objects.get(partner__slug="demo-hull-cvs").days == 60

    portal.follow("Set how often a service type is reviewed")
    portal.type("Service type", "Nothing like this").type("Review every (days)", "30")
    portal.press("Save")
    assert portal.error_summary() == ["No service type has that name or code"]
    portal.type("Service type", term.name).press("Save")
    portal.row(term.name).get_by_text("30 days").wait_for()
    assert ReviewInterval.objects.get(service_type=term).days == 30

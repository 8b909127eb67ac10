"""A member of the public finds a service: by keyword, by postcode and distance, narrowing with
filters, browsing by category and by need, and by keyboard alone; every finder page type is
axe-checked (with JavaScript on and off) on the way."""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from playwright.sync_api import expect

from directory.models import Address
from publish.models import PublishedService, PublishedServiceAtLocation
from tests.system.browser import Portal

SEARCH_BOX = "Search for a service or activity"
COUNT = re.compile(r"^(No|[\d,]+) services? found$")


def publish_demo() -> None:
    """The demo is imported in bulk, which publishes nothing: build the feed as a deployment
    does after an import."""
    call_command("rebuild_snapshots", stdout=io.StringIO())


def count_in(heading: str) -> int:
    match = COUNT.match(heading)
    assert match, heading
    return 0 if match.group(1) == "No" else int(match.group(1).replace(",", ""))


def a_published_service() -> PublishedService:
    return PublishedService.objects.exclude(organization_id=None).order_by("name").first()


def test_search_by_keyword_then_open_a_service_and_report_a_problem(portal: Portal, world):
    publish_demo()
    service = a_published_service()
    portal.visit("/")
    assert portal.heading() == "Find local services and activities"
    portal.type(SEARCH_BOX, service.name).press("Search")
    assert count_in(portal.heading()) >= 1
    assert service.name in portal.page.title()
    portal.follow(service.name)
    assert portal.heading() == service.name
    portal.follow(f"Report a problem with {service.name}")
    assert portal.heading() == f"Report a problem with {service.name}"


def test_search_by_postcode_and_distance_sorts_by_distance(portal: Portal, world):
    publish_demo()
    located = PublishedServiceAtLocation.objects.exclude(latitude=None).first()
    postcode = Address.objects.filter(location_id=located.location_id).first().postal_code
    portal.visit("/")
    portal.type("Postcode", postcode).select("Distance", "5 miles").press("Search")
    assert count_in(portal.heading()) >= 1
    portal.sees("miles away")
    first = portal.page.locator(".app-finder-result").first
    expect(first).to_contain_text("miles away")


def test_an_unknown_postcode_gets_an_error_message(portal: Portal, world):
    portal.visit("/")
    portal.type("Postcode", "ZZ99 9ZZ").press("Search")
    assert len(portal.error_summary()) == 1
    assert portal.page.title().startswith("Error: ")
    portal.type("Age of the person", "abc").type("Postcode", "").press("Search")
    assert portal.error_summary() == ["Enter the age as a whole number, like 15"]


def test_filters_narrow_the_results_to_the_count_they_showed(portal: Portal, world):
    publish_demo()
    portal.visit("/search/")
    everything = count_in(portal.heading())
    assert everything > 1
    option = portal.page.locator(".app-finder-filters .govuk-checkboxes__label").filter(
        has_text=re.compile(r"\(\d+\)")
    )
    label = option.first.inner_text()
    promised = int(re.search(r"\((\d+)\)", label).group(1))
    option.first.click()
    portal.press("Apply filters")
    assert count_in(portal.heading()) == promised <= everything
    portal.follow("Clear filters")
    assert count_in(portal.heading()) == everything


def test_browse_by_category_to_results(portal: Portal, world):
    publish_demo()
    portal.visit("/")
    portal.follow("Browse services by category")
    assert portal.heading() == "Browse services by category"
    first = portal.page.locator(".app-finder-categories a").first
    name = first.inner_text()
    portal.follow(name, within=portal.page.locator(".app-finder-categories"))
    # A category either leads on to its service types or straight to its results.
    if not COUNT.match(portal.heading()):
        portal.follow(portal.page.locator(".app-finder-categories a").first.inner_text())
    assert count_in(portal.heading()) >= 1


def test_browse_by_need_to_results(portal: Portal, world):
    publish_demo()
    portal.visit("/")
    portal.follow("Browse services by need or circumstance")
    assert portal.heading() == "Browse services by need or circumstance"
    need = portal.page.locator(".app-finder-categories a").first.inner_text()
    portal.follow(need, within=portal.page.locator(".app-finder-categories").first)
    assert COUNT.match(portal.heading())


def test_the_organisation_page(portal: Portal, world):
    publish_demo()
    service = a_published_service()
    portal.visit(f"/services/{service.pk}/")
    organisation = portal.page.locator(".govuk-caption-l a")
    portal.follow(organisation.inner_text())
    portal.sees(service.name)


def _keyboard_to(portal: Portal, matches: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element matches the CSS selector."""
    for _ in range(limit):
        portal.page.keyboard.press("Tab")
        if portal.page.evaluate(f"() => document.activeElement.matches({matches!r})"):
            return
    raise AssertionError(f"Tab never reached {matches}")


def _keyboard_enter(portal: Portal) -> None:
    with portal.page.expect_navigation(wait_until="load"):
        portal.page.keyboard.press("Enter")
    portal.check()


def test_a_keyboard_only_journey_from_home_to_a_service(portal: Portal, world):
    publish_demo()
    service = a_published_service()
    portal.visit("/")
    _keyboard_to(portal, "input[name=q]")
    portal.page.keyboard.type(service.name)
    _keyboard_enter(portal)
    assert count_in(portal.heading()) >= 1
    _keyboard_to(portal, ".app-finder-result h2 a")
    _keyboard_enter(portal)
    assert portal.heading() == service.name

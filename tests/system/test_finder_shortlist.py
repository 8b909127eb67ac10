"""A member of the public picks two services, moves about the finder, finds both still on their
shortlist and prints it: on paper there is no header, the type is large and each service has its
QR code. A frontline worker emails the list to a client."""

from __future__ import annotations

import io

from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from publish.models import PublishedService
from tests.system.browser import Portal
from tests.system.people import person_email, sign_in

WORKER = person_email("worker@demo.example")
# An A4 page at 96 dots an inch, less the print margins (static/app/print.css): about 1040 px.
A4_HEIGHT_PX = 1040


def two_published_services() -> list[PublishedService]:
    # The demo is imported in bulk, which publishes nothing: publish it as a deployment does.
    call_command("rebuild_snapshots", stdout=io.StringIO())
    services = list(PublishedService.objects.order_by("name")[:2])
    assert len(services) == 2
    return services


def add_from_service_page(portal: Portal, service: PublishedService) -> None:
    portal.visit(f"/services/{service.pk}/")
    portal.press(f"Add to shortlist {service.name}")
    assert portal.path == f"/services/{service.pk}/"  # back where the button was pressed
    portal.page.get_by_role("button", name=f"Remove from shortlist {service.name}").wait_for()


def test_the_shortlist_survives_moving_about_and_prints_on_one_page(portal: Portal, world):
    first, second = two_published_services()
    add_from_service_page(portal, first)
    portal.visit("/needs/")
    add_from_service_page(portal, second)

    portal.nav("Shortlist")
    assert portal.heading() == "Your shortlist"
    portal.sees(first.name).sees(second.name)

    portal.press("Print your shortlist")
    assert portal.heading() == "Services for you"
    page = portal.page
    print_button = page.get_by_role("button", name="Print this page")
    if portal.javascript:
        expect(print_button).to_be_visible()
    else:
        expect(print_button).to_be_hidden()
        portal.sees("Print command: press Ctrl and P")

    page.emulate_media(media="print")
    try:
        expect(page.locator("header.govuk-header")).to_be_hidden()
        expect(page.locator("footer.govuk-footer")).to_be_hidden()
        expect(print_button).to_be_hidden()
        codes = page.locator(".app-print-entry__qr svg")
        expect(codes).to_have_count(2)
        for index in range(2):
            expect(codes.nth(index)).to_be_visible()
        font_px = page.evaluate(
            "() => parseFloat(getComputedStyle("
            "document.querySelector('.app-print-page .govuk-body')).fontSize)"
        )
        assert font_px >= 18, f"print type is {font_px}px"
        height = page.evaluate("() => document.querySelector('main').scrollHeight")
        assert height <= A4_HEIGHT_PX, f"two services take {height}px: more than one page"
    finally:
        page.emulate_media(media="screen")

    portal.follow("Back to your shortlist")
    portal.press(f"Remove {first.name} from your shortlist")
    portal.does_not_see(first.name).sees(second.name)
    portal.press("Clear your shortlist")
    portal.sees("Your shortlist is empty")


def test_a_frontline_worker_emails_the_shortlist(portal: Portal, world):
    first, _ = two_published_services()
    sign_in(portal, WORKER, world.password)
    add_from_service_page(portal, first)
    portal.nav("Shortlist")
    portal.press("Email your shortlist")
    assert portal.heading() == "Email your shortlist"
    portal.press("Send the list")
    assert portal.error_summary() == ["Enter an email address"]
    portal.type("Email address", "client@example.net")
    portal.press("Send the list")
    assert portal.heading() == "Your shortlist"
    portal.sees("We have sent the list to client@example.net")
    (sent,) = [m for m in mail.outbox if m.to == ["client@example.net"]]
    assert first.name in sent.body

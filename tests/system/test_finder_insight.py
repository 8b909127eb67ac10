"""A directory admin reads search insight (the searches that found nothing, by month and area);
a service page carries schema.org JSON-LD that the Content-Security-Policy lets through."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.core.management import call_command
from django.utils import timezone

from publish.finder.models import SearchRecord
from publish.models import PublishedService
from tests.auth import totp_device
from tests.system.browser import Portal
from tests.system.people import sign_in

ADMIN_EMAIL = "admin@people.test"


def test_a_directory_admin_finds_the_gaps_by_month_and_area(portal: Portal, world):
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    for _ in range(3):
        SearchRecord.objects.create(
            month=this_month, text="halal food bank", postcode_district="HU9", result_count=0
        )
    SearchRecord.objects.create(
        month=this_month, text="lunch club", postcode_district="HU5", result_count=4
    )
    SearchRecord.objects.create(
        month=last_month,
        text="allotments",
        postcode_district="HU5",
        result_count=0,
        filters={"days": ["SA"]},
    )
    totp_device(world.user(ADMIN_EMAIL))
    sign_in(portal, ADMIN_EMAIL, world.password)

    portal.nav("Your account")
    portal.follow("Search insight", within=portal.page.locator("main"))
    assert portal.heading() == "Search insight"
    portal.sees("5 searches in all months, all areas; 4 found nothing.")
    found_nothing = portal.page.locator("section", has=portal.page.locator("#found-nothing"))
    rows = found_nothing.locator("tbody tr").all_inner_texts()
    assert rows[0].startswith("halal food bank")
    assert "allotments" in rows[1] and "Day: Saturday" in rows[1]

    # The filters sit in a details element, which opens with or without JavaScript.
    portal.page.get_by_text("Choose a month or an area").click()
    portal.select("Month", last_month.strftime("%B %Y"))
    portal.select("Area (postcode district)", "HU5")
    portal.press("Show searches")
    portal.sees(f"1 search in {last_month.strftime('%B %Y')}, HU5; 1 found nothing.")
    portal.row("allotments").wait_for()
    portal.does_not_see("halal food bank")

    portal.follow("Show all months and areas")
    portal.sees("5 searches in all months, all areas")


def test_a_service_page_carries_json_ld_for_search_engines(portal: Portal, world):
    call_command("rebuild_snapshots", stdout=io.StringIO())
    service = PublishedService.objects.order_by("name").first()
    assert service is not None, "the demo publishes no service"
    # Visiting checks the page: axe, 320 px, and that the CSP refused nothing on it.
    portal.visit(f"/services/{service.pk}/")
    blocks = portal.page.locator('script[type="application/ld+json"]')
    assert blocks.count() == 1
    data = json.loads(blocks.first.text_content())
    assert data["@type"] == "Service"
    assert data["name"] == service.name
    assert data["url"].endswith(f"/services/{service.pk}/")
    assert portal.refused_by_csp == []

"""A trainee practises needs-based finding with a persona: choosing "Someone in debt" fills in the
questions; sending them shows the kinds of service the LGA mapping links to those needs and the
published services of those kinds, which go on the shortlist."""

from __future__ import annotations

import io

from django.core.management import call_command
from playwright.sync_api import expect

from tests.system.browser import Portal


def test_a_persona_fills_in_the_questions_and_finds_services(portal: Portal, world):
    call_command("rebuild_snapshots", stdout=io.StringIO())
    call_command("seed_personas", stdout=io.StringIO())

    portal.visit("/needs/")
    assert portal.heading() == "Find services for someone's needs"
    portal.press("Find services")
    assert portal.error_summary() == ["Select what they need help with, or their circumstances"]

    portal.follow("Practise with a made-up person")
    assert portal.heading() == "Practise with a persona"
    portal.follow("Someone in debt")
    portal.sees("Practising with Someone in debt")
    expect(portal.field("Debt")).to_be_checked()
    expect(portal.field("Low income")).to_be_checked()
    expect(portal.field("How old are they? (optional)")).to_have_value("45")

    portal.untick("Food").untick("Mental health and wellbeing")
    portal.press("Find services")
    assert "need=" in portal.page.url  # the answers are in the address, to share or go back to
    portal.sees("Services that could help").sees("Kinds of service")
    results = portal.page.locator("#main-content h4 a")
    assert results.count() > 0, "the demo has services for debt and benefits"
    first = results.first.inner_text().strip()
    portal.press(f"Add to shortlist {first}")
    portal.sees("Services that could help")  # back on the same answers
    portal.nav("Shortlist")
    portal.sees(first)

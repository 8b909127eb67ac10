"""A directory admin adds a partner, adds a rule (previewing it first), moves it up, allocates an
unallocated service, reads the audit log and retries a failed background task."""

from __future__ import annotations

import re

import pytest

from accounts.models import AllocationRule, Partner, ServiceAllocation
from accounts.services import unallocated_services
from accounts.services.allocation import RECOMPUTE_ALL_TASK
from core.models import BackgroundTask, BackgroundTaskStatus
from tests.auth import totp_device
from tests.system.browser import Portal
from tests.system.people import sign_in

ADMIN_EMAIL = "admin@people.test"
NEW_PARTNER = "Hull Food Network"


@pytest.fixture
def admin(portal: Portal, world) -> Portal:
    totp_device(world.user(ADMIN_EMAIL))
    return sign_in(portal, ADMIN_EMAIL, world.password)


def rule_rows(portal: Portal) -> list[str]:
    return portal.page.locator("table tbody tr").all_inner_texts()


def test_add_a_partner_and_a_rule_then_move_it_up(admin: Portal):
    admin.nav("Your account")
    admin.follow("Partners", within=admin.page.locator("main"))
    admin.press("Add a partner")
    admin.press("Save partner")
    assert "Enter the partner's name" in admin.error_summary()
    admin.type("Name", NEW_PARTNER).type("Short name", "hull-food-network")
    admin.choose("Council for voluntary service")
    admin.press("Save partner")
    assert admin.heading() == NEW_PARTNER
    assert Partner.objects.filter(slug="hull-food-network").exists()

    admin.follow("Change partner")
    admin.type("Name", f"{NEW_PARTNER} CIO").untick("This partner is active")
    admin.press("Save partner")
    assert admin.heading() == f"{NEW_PARTNER} CIO"
    admin.row("Status").get_by_text("Not active").wait_for()
    admin.follow("Change partner")
    admin.type("Name", NEW_PARTNER).choose("This partner is active").press("Save partner")

    admin.nav("Allocation rules")
    rules_before = len(rule_rows(admin))
    admin.press("Add a rule")
    admin.select("Partner that assures the services", NEW_PARTNER)
    admin.choose("By service type")
    admin.type("Service type", "Food banks")
    admin.press("Preview")
    admin.sees("nothing has been saved")
    assert not AllocationRule.objects.filter(partner__name=NEW_PARTNER).exists()
    admin.press("Save rule")
    admin.sees("The rule has been saved.")
    # The work it queued has run (the live server runs tasks at once) and the page says so.
    admin.sees("Finished at")

    admin.nav("Allocation rules")
    rows = rule_rows(admin)
    assert len(rows) == rules_before + 1
    position = next(i for i, text in enumerate(rows) if NEW_PARTNER in text)
    admin.press(re.compile(r"^Up rule"), within=admin.row(NEW_PARTNER))
    admin.sees(f"The rule for {NEW_PARTNER} is now rule {position}.")
    rows = rule_rows(admin)
    assert NEW_PARTNER in rows[position - 1]


def test_change_and_delete_a_rule(admin: Portal):
    rule = AllocationRule.objects.in_order().select_related("partner").last()
    admin.nav("Allocation rules")
    admin.follow(rule.describe().capitalize())
    admin.press("Change this rule")
    admin.untick("This rule is in force")
    admin.press("Save rule")
    admin.sees("It is not in force, so it gives no services.")
    rule.refresh_from_db()
    assert not rule.is_active

    admin.press("Delete this rule")
    admin.press("Delete rule")
    assert admin.heading() == "Allocation rules"
    assert not AllocationRule.objects.filter(pk=rule.pk).exists()


def test_allocate_an_unallocated_service(admin: Portal):
    service = unallocated_services().order_by("name").first()
    assert service is not None, "the small demo leaves some services to no rule"
    admin.nav("Your account")
    admin.follow("Unallocated services", within=admin.page.locator("main"))
    count = unallocated_services().count()
    assert admin.heading() == f"Unallocated services ({count})"
    admin.follow(f"Allocate {service.name}", within=admin.row(service.name))
    assert admin.field("Service id").input_value() == str(service.pk)
    admin.select("Partner that assures the services", "Humberside Police community team (demo)")
    admin.press("Save rule")
    admin.sees(
        f"Humberside Police community team (demo) will assure {service.name} once the "
        "background work has finished."
    )
    admin.sees("Finished at")
    allocation = ServiceAllocation.objects.get(service=service)
    assert allocation.partner.slug == "demo-police"

    admin.nav("Your account")
    admin.follow("Unallocated services", within=admin.page.locator("main"))
    assert admin.heading() == f"Unallocated services ({count - 1})"
    admin.does_not_see(service.name)


def test_read_and_filter_the_audit_log(admin: Portal):
    admin.nav("Audit log")
    admin.sees("Signed in")
    if not admin.javascript:
        assert admin.page.locator("details").first.get_attribute("open") is None
    admin.page.get_by_text("Filter the log").click()
    date_from = admin.page.get_by_role("group", name="From")
    admin.type("Day", "31", within=date_from).type("Month", "2", within=date_from)
    admin.type("Year", "2026", within=date_from)
    admin.press("Filter")
    assert admin.error_summary() == ["Date from must be a real date"]

    admin.type("Day", "1", within=date_from).type("Month", "1", within=date_from)
    admin.type("Year", "2020", within=date_from)
    admin.select("What happened", "Partner created")
    admin.press("Filter")
    assert admin.error_summary() == []
    admin.sees("match the filters")
    admin.row("Partner created").wait_for()


def test_retry_a_failed_background_task(admin: Portal):
    BackgroundTask.objects.create(
        label="Work out which partner assures each service, and their permissions",
        func=RECOMPUTE_ALL_TASK,
        args=[None],
        status=BackgroundTaskStatus.FAILED,
        error="Traceback (most recent call last):\nOperationalError: the database went away",
        attempts=1,
    )
    admin.nav("Background tasks")
    row = admin.row("the database went away")
    row.get_by_text("Failed").wait_for()
    admin.press(re.compile(r"^Retry task"), within=row)
    admin.sees("has been queued again")
    task = BackgroundTask.objects.get(func=RECOMPUTE_ALL_TASK, attempts=2)
    assert task.status == BackgroundTaskStatus.SUCCEEDED
    admin.does_not_see("the database went away")
    admin.follow("Show finished tasks too")
    admin.sees("Finished")

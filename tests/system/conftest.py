"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Every test takes `portal` (see `tests.system.browser.Portal`), once with JavaScript on and once
with it off. A test moves through the portal as a person does, by clicking and typing; every page
it reaches is checked by axe-core and at 320 px wide, and the test fails if a page went unchecked.
`world` is the demo place in small: the demo partners, rules and one account per role.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser, sync_playwright

from accounts.backends import DEMO_EMAIL_DOMAIN
from accounts.demo import seed_demo_accounts
from accounts.models import User
from publish.models import Feed
from tests.system.browser import CHROMIUM, Portal, launch_chromium
from tests.system.people import person_email

# Playwright's sync API runs an event loop in this thread; the tests still call the ORM from it
# (to seed and to check what was saved), which Django would otherwise refuse in async context.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "demo-password-for-browser-tests"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/system/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.call_report = report  # read by open_portal's teardown
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's Chromium")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return request.param


@pytest.fixture
def open_portal(
    request: pytest.FixtureRequest, browser: Browser, live_server, javascript: bool, settings
) -> Iterator[Callable[[], Portal]]:
    """Opens a browser for one more person (each with its own cookies); all close at the end."""
    settings.PORTAL_BASE_URL = live_server.url
    with contextlib.ExitStack() as stack:

        def open_one() -> Portal:
            return stack.enter_context(
                Portal.open(
                    browser,
                    base_url=live_server.url,
                    javascript=javascript,
                    test_passed=lambda: (
                        getattr(request.node, "call_report", None) is not None
                        and request.node.call_report.passed
                    ),
                )
            )

        yield open_one


@pytest.fixture
def portal(open_portal: Callable[[], Portal]) -> Portal:
    return open_portal()


@dataclass
class World:
    """The demo accounts by role (at people.TESTED_DOMAIN), all with the password DEMO_PASSWORD."""

    password: str
    feed: Feed  # the default feed, served at /api/v3/

    def user(self, email: str) -> User:
        return User.objects.get(email=email)


@pytest.fixture
def world(transactional_db, settings) -> World:
    """A few seeded services (some allocated, some not), the demo partners, rules and accounts.

    The demo accounts are made only with DEBUG on; the tests then run with DEBUG off, so the
    roles that owe two-factor authentication must use it: tests give such an account a device
    (`tests.auth`) or go through set-up.
    """
    settings.DEBUG = True
    call_command("seed_demo", services=24, seed=7, stdout=io.StringIO())
    seed_demo_accounts(password=DEMO_PASSWORD)
    for user in User.objects.filter(email__endswith=DEMO_EMAIL_DOMAIN):
        user.email = person_email(user.email)
        user.save(update_fields=["email"])
    settings.DEBUG = False
    return World(password=DEMO_PASSWORD, feed=default_feed())


def default_feed() -> Feed:
    """The feed /api/v3/ serves, as its data migration makes it: the flush after an earlier
    browser test removed it. The API caches each feed by version across requests, so nothing an
    earlier test's feed left in the cache may answer either."""
    feed, _ = Feed.objects.get_or_create(
        slug="main",
        defaults={
            "name": "All assured services",
            "is_default": True,
            "max_assurance_age_days": 365,
        },
    )
    cache.clear()
    return feed

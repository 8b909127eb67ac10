"""A person at a browser: `Portal` clicks, types and presses Enter, and checks each page it reaches.

Each page a test reaches is checked before the test goes on:
- nothing on it was refused by the Content-Security-Policy (a console message says so);
- axe-core (pinned in package.json) with the WCAG 2.0, 2.1 and 2.2 A and AA rules: any violation
  fails the test, naming the rule and the elements;
- at 320 px wide (WCAG 1.4.10 reflow): the page itself must not scroll sideways. Wide content may
  scroll inside its own container.

With JavaScript off, axe cannot run in the page (it needs timers), so the page's HTML as the
browser holds it is copied, without its scripts, into a checking page that runs axe: the same DOM
and styles a person without JavaScript gets.

Navigation is counted: a page that loads without being checked (a link followed by a raw
Playwright call, a redirect chain's last stop) fails the test when the portal closes.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    expect,
)

CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1024, "height": 768}
# A click that should load a page gets this long; a button that does not submit fails fast.
NAVIGATION_TIMEOUT_MS = 10_000


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


class PageCheckFailed(AssertionError):
    pass


class Portal:
    """One person's browser tab on the portal (a fresh context: no cookies, no history)."""

    def __init__(self, context: BrowserContext, checker: Page, *, javascript: bool) -> None:
        self.context = context
        self.page = context.new_page()
        self.page.set_default_timeout(NAVIGATION_TIMEOUT_MS)
        self.checker = checker
        self.javascript = javascript
        self.loads = 0
        self.checked: list[str] = []
        self.page.on("load", self._count_load)
        self.refused_by_csp: list[str] = []
        self.page.on("console", self._note_csp_refusal)

    @classmethod
    @contextlib.contextmanager
    def open(
        cls, browser: Browser, *, base_url: str, javascript: bool, test_passed: Callable[[], bool]
    ) -> Iterator[Portal]:
        context = browser.new_context(
            base_url=base_url, java_script_enabled=javascript, viewport=WIDE
        )
        # The checking page shows a copy of what the person's page shows; the portal's CSP
        # there would refuse the copy's inline parts (the person's page is checked for that).
        checking = browser.new_context(
            base_url=base_url, java_script_enabled=True, viewport=WIDE, bypass_csp=True
        )
        portal = cls(context, checking.new_page(), javascript=javascript)
        try:
            yield portal
            if test_passed():  # after a failure, pages are often left half-way
                portal.assert_every_page_checked()
        finally:
            context.close()
            checking.close()

    # -- moving around -----------------------------------------------------------------------

    def visit(self, path: str) -> Portal:
        """Type an address into the address bar."""
        self.page.goto(path)
        return self.check()

    def follow(self, name: str | re.Pattern[str], *, within: Locator | None = None) -> Portal:
        """Click a link."""
        scope = within or self.page
        return self._navigate(lambda: scope.get_by_role("link", name=name, exact=True).click())

    def nav(self, name: str) -> Portal:
        """Click a link in the header's navigation."""
        return self.follow(name, within=self.page.locator("header"))

    def press(self, name: str | re.Pattern[str], *, within: Locator | None = None) -> Portal:
        """Click a button that sends a form."""
        scope = within or self.page
        return self._navigate(lambda: scope.get_by_role("button", name=name, exact=True).click())

    def enter(self, label: str) -> Portal:
        """Press Enter in a field, which sends its form with the form's first button."""
        return self._navigate(lambda: self.field(label).press("Enter"))

    def _navigate(self, action: Callable[[], Any]) -> Portal:
        with self.page.expect_navigation(wait_until="load"):
            action()
        return self.check()

    # -- typing and choosing -----------------------------------------------------------------

    def field(self, label: str, *, within: Locator | None = None) -> Locator:
        return (within or self.page).get_by_label(label, exact=True)

    def type(self, label: str, text: str, *, within: Locator | None = None) -> Portal:
        """Clear a field and type into it, key by key."""
        field = self.field(label, within=within)
        field.clear()
        field.press_sequentially(text)
        return self

    def choose(self, label: str, *, within: Locator | None = None) -> Portal:
        """Tick a radio button or checkbox."""
        self.field(label, within=within).check()
        return self

    def untick(self, label: str, *, within: Locator | None = None) -> Portal:
        self.field(label, within=within).uncheck()
        return self

    def select(self, label: str, option: str) -> Portal:
        self.field(label).select_option(label=option)
        return self

    # -- what the person sees ----------------------------------------------------------------

    @property
    def path(self) -> str:
        return re.sub(r"^https?://[^/]+", "", self.page.url)

    def heading(self) -> str:
        return self.page.get_by_role("heading", level=1).inner_text().strip()

    def sees(self, text: str) -> Portal:
        expect(self.page.locator("body")).to_contain_text(text)
        return self

    def does_not_see(self, text: str) -> Portal:
        expect(self.page.locator("body")).not_to_contain_text(text)
        return self

    def error_summary(self) -> list[str]:
        summary = self.page.locator(".govuk-error-summary__list li")
        return [text.strip() for text in summary.all_inner_texts()]

    def row(self, text: str) -> Locator:
        """The table row (or summary list row) that holds `text`."""
        return self.page.locator("tr, .govuk-summary-list__row").filter(has_text=text).first

    # -- the checks --------------------------------------------------------------------------

    def _count_load(self, page: Page) -> None:
        self.loads += 1

    def _note_csp_refusal(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.refused_by_csp.append(message.text)

    def check(self) -> Portal:
        """Check the page now showing: axe-clean, and no sideways scroll at 320 px."""
        self.page.wait_for_load_state("load")
        violations = self._axe_violations()
        if violations:
            raise PageCheckFailed(f"axe on {self.path}:\n" + _describe(violations))
        if self.refused_by_csp:
            refused, self.refused_by_csp = self.refused_by_csp, []
            raise PageCheckFailed(f"{self.path}: the CSP refused: " + "; ".join(refused))
        overflow = self._overflow_at_320()
        if overflow:
            raise PageCheckFailed(f"{self.path} scrolls sideways at 320 px wide: {overflow}")
        self.checked.append(self.path)
        _report_checked_page(self.path, javascript=self.javascript)
        return self

    def assert_every_page_checked(self) -> None:
        if self.loads > len(self.checked):
            raise PageCheckFailed(
                f"{self.loads} pages loaded but only {len(self.checked)} were checked "
                f"({self.checked}); move through the portal with Portal's methods"
            )

    def _axe_violations(self) -> list[dict[str, Any]]:
        page = self.page
        if not self.javascript:
            # The DOM as this browser holds it, scripts removed, in a page where axe can run.
            html = page.content()
            html = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)
            page = self.checker
            page.goto("/__axe__/", wait_until="commit")
            page.set_content(html, wait_until="load")
        # Evaluated rather than added as a <script>: the portal's Content-Security-Policy
        # refuses inline scripts, and the test must not weaken it.
        page.evaluate(_axe_source())
        return page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                // GOV.UK Frontend's script marks radios and checkboxes that reveal a question
                // with aria-expanded, on purpose (alphagov/govuk-frontend#979: screen readers
                // announce it). That one attribute on those inputs is forgiven; anything else
                // on them, and aria-expanded anywhere else, still fails.
                const govukReveal = (node) => node.html.match(
                        /class="govuk-(radios|checkboxes)__input"/) &&
                    node.any.concat(node.all, node.none).every(check =>
                        check.id !== 'aria-allowed-attr' || (check.data || []).every(
                            attribute => attribute.startsWith('aria-expanded=')));
                return result.violations
                    .map(v => ({...v, nodes: v.id === 'aria-allowed-attr'
                        ? v.nodes.filter(node => !govukReveal(node)) : v.nodes}))
                    .filter(v => v.nodes.length)
                    .map(v => ({
                        id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                    }));
            }""",
            AXE_TAGS,
        )

    def _overflow_at_320(self) -> str:
        self.page.set_viewport_size(NARROW)
        try:
            return self.page.evaluate(
                """() => {
                    const doc = document.documentElement;
                    if (doc.scrollWidth <= doc.clientWidth) return '';
                    const over = [...document.querySelectorAll('body *')]
                        .filter(el => el.getBoundingClientRect().right > doc.clientWidth + 1);
                    const outside = over.filter(el => !el.closest('.app-table-container'));
                    const wide = (outside.length ? outside : over).slice(0, 5).map(el =>
                        el.tagName.toLowerCase() + (el.className ? '.' +
                            String(el.className).trim().split(/\\s+/).join('.') : ''));
                    return `page is ${doc.scrollWidth}px wide; widest: ${wide.join(', ')}`;
                }"""
            )
        finally:
            self.page.set_viewport_size(WIDE)


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def _report_checked_page(path: str, *, javascript: bool) -> None:
    """With SYSTEM_TEST_PAGE_REPORT set to a file, list each page that passed both checks (for a
    record of what the browser tests covered)."""
    report = os.environ.get("SYSTEM_TEST_PAGE_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as out:
            out.write(f"{path}\t{'js' if javascript else 'no-js'}\n")


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}; {json.dumps(v['targets'])}" for v in violations
    )

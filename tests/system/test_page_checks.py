"""The browser tests' own checks fail when they should: axe, the 320 px check, the guard against
unchecked pages, and a form whose button cannot submit."""

from __future__ import annotations

import pytest

from tests.system.browser import PageCheckFailed, Portal

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Check</title>
<link rel="stylesheet" href="/static/govuk/govuk-frontend.min.css">
<link rel="stylesheet" href="/static/app/app.css"></head>
<body><main><h1>Check</h1>{body}</main></body></html>"""

FORGIVEN_REVEAL = """<form><fieldset><legend>Kind</legend>
<input class="govuk-radios__input" id="a" name="k" type="radio" aria-controls="c"
 aria-expanded="false"><label for="a">A</label><div id="c"></div></fieldset></form>"""
OTHER_ARIA_ON_REVEAL = FORGIVEN_REVEAL.replace('aria-expanded="false"', 'aria-level="2"')
WIDE_TABLE = """<div class="app-table-container" role="region" aria-label="Wide" tabindex="0">
<table class="govuk-table"><tr><td style="min-width: 900px">Wide</td></tr></table></div>"""


def serve(portal: Portal, path: str, body: str, headers: dict[str, str] | None = None) -> None:
    portal.context.route(
        f"**{path}",
        lambda route: route.fulfill(
            body=PAGE.format(body=body), content_type="text/html", headers=headers
        ),
    )


def test_a_page_whose_parts_the_csp_refuses_fails(portal):
    serve(
        portal,
        "/inline/",
        '<p style="color: #0b0c0c">Styled inline</p>',
        headers={"Content-Security-Policy": "default-src 'self'"},
    )
    with pytest.raises(PageCheckFailed, match="the CSP refused"):
        portal.visit("/inline/")
    portal.checked.append("/inline/")  # its failure was the point


@pytest.mark.parametrize(
    "body, problem",
    [
        ('<img src="/static/app/app.css">', "image-alt"),
        ('<p style="color: #aaa">Pale grey text</p>', "color-contrast"),
        ('<div style="width: 600px">Too wide</div>', "scrolls sideways at 320 px"),
        (OTHER_ARIA_ON_REVEAL, "aria-allowed-attr"),
        ('<button type="button" aria-checked="true">Go</button>', "aria-allowed-attr"),
    ],
)
def test_a_page_with_a_problem_fails(portal, body, problem):
    serve(portal, "/problem/", body)
    with pytest.raises(PageCheckFailed, match=problem):
        portal.visit("/problem/")
    portal.checked.append("/problem/")  # its failure was the point


@pytest.mark.parametrize("body", [FORGIVEN_REVEAL, WIDE_TABLE], ids=["reveal", "wide-table"])
def test_a_sound_page_passes(portal, body):
    serve(portal, "/sound/", body)
    portal.visit("/sound/")


def test_a_page_reached_without_a_check_fails_the_test(portal):
    serve(portal, "/one/", '<a href="/two/">Two</a>')
    serve(portal, "/two/", "<p>Two</p>")
    portal.visit("/one/")
    portal.page.get_by_role("link", name="Two").click()  # not through Portal: no check
    portal.page.wait_for_url("**/two/")
    with pytest.raises(PageCheckFailed, match="2 pages loaded but only 1 were checked"):
        portal.assert_every_page_checked()
    portal.check()


def test_a_form_whose_button_cannot_submit_fails(portal):
    # What every form rendered once: crispy's add_input drew <input type="">, a text box.
    serve(
        portal,
        "/broken-form/",
        '<form method="post" action="/sent/"><label for="e">Email</label>'
        '<input id="e" name="e"><input type="" name="submit" value="Sign in"'
        ' class="govuk-button" aria-label="Sign in"></form>',
    )
    portal.visit("/broken-form/")
    portal.page.set_default_timeout(2_000)
    with pytest.raises(Exception, match="Timeout"):
        portal.press("Sign in")
    with pytest.raises(Exception, match="Timeout"):
        portal.type("Email", "someone@example.org").enter("Email")
    assert portal.path == "/broken-form/"

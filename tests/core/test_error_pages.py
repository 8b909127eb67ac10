"""The error pages are GOV.UK pages that render even when the database or static files are
broken: no context processors, no queries, static URLs that cannot raise."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from core import views


@pytest.fixture
def broken_static(settings, tmp_path):
    """collectstatic never ran: the manifest storage has no manifest."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }


@pytest.mark.parametrize(
    "view, status, title",
    [
        (views.bad_request, 400, "Sorry, the portal could not understand that request"),
        (views.permission_denied, 403, "You do not have permission to see this page"),
        (views.page_not_found, 404, "Page not found"),
        (views.csrf_failure, 403, "Sorry, that form has expired"),
    ],
)
def test_error_pages_need_no_database_and_survive_missing_static_files(
    view, status, title, broken_static
):
    # No django_db mark: any query would raise here.
    request = RequestFactory().get("/somewhere/")
    response = view(request, None) if view is not views.csrf_failure else view(request)
    assert response.status_code == status
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{title}</h1>' in html
    assert 'href="/static/govuk/govuk-frontend.min.css"' in html


def test_the_500_page_needs_no_database(broken_static):
    response = views.server_error(RequestFactory().get("/"))  # no django_db: a query would raise
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


@pytest.mark.django_db
def test_a_page_that_cannot_render_gets_the_500_page(broken_static):
    # Every normal page names static files; with no manifest they raise, and the 500 page stands.
    response = Client(raise_request_exception=False).get("/accounts/sign-in/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_form_gets_the_gov_uk_csrf_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/", {"username": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Sorry, that form has expired" in response.content.decode()


@pytest.mark.django_db
def test_missing_pages_get_the_gov_uk_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()

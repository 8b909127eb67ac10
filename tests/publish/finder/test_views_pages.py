"""The finder's public pages: home, results, service, organisation and browsing. They read the
published snapshots of `tests/publish/conftest.py`'s world; bad input gives a GOV.UK error or
is ignored, never a 500; query counts do not grow with the number of results."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from publish.finder.models import SearchRecord
from publish.services import services_publish
from tests.factories import ServiceFactory

SEARCH = "/search/"


def page_text(response) -> str:
    return response.content.decode()


def test_home_is_the_finder_with_a_staff_sign_in_link(client, world):
    response = client.get("/")
    assert response.status_code == 200
    html = page_text(response)
    assert "<h1" in html and "Find local services and activities" in html
    assert "Staff sign in" in html
    assert "Staff pages" not in html
    assert f'action="{SEARCH}"' in html


def test_a_signed_in_person_sees_staff_pages_instead(client, world, frontline_worker):
    client.force_login(frontline_worker)
    html = page_text(client.get("/"))
    assert "Staff pages" in html
    assert "Staff sign in" not in html


def test_a_keyword_search_finds_and_counts(client, world):
    response = client.get(SEARCH, {"q": "lunch"})
    assert response.status_code == 200
    html = page_text(response)
    assert "Lunch club" in html
    assert "Youth football club" not in html
    assert 'role="status"' in html
    title = html.split("<title>")[1].split("</title>")[0]
    assert "found for \u2018lunch\u2019" in title
    assert SearchRecord.objects.filter(text="lunch").exists()


def test_an_empty_search_lists_every_published_service(client, world):
    html = page_text(client.get(SEARCH))
    for name in ("Lunch club", "Youth football club", "Money and debt advice"):
        assert name in html
    assert "Unchecked lunch" not in html  # never assured, so never published
    assert "Hidden youth club" not in html


def test_a_result_links_to_its_service_page(client, world):
    html = page_text(client.get(SEARCH, {"q": "lunch"}))
    assert reverse("finder:service", kwargs={"pk": world.services["lunch"].pk}) in html


def test_an_unknown_postcode_is_an_error_on_the_field(client, world):
    response = client.get(SEARCH, {"q": "lunch", "postcode": "ZZ99 9ZZ"})
    assert response.status_code == 200
    html = page_text(response)
    assert "govuk-error-summary" in html
    assert 'href="#id_postcode"' in html
    assert "govuk-form-group--error" in html
    assert "<title>Error: " in html


def test_a_malformed_postcode_is_an_error_on_the_field(client, world):
    html = page_text(client.get(SEARCH, {"postcode": "not a postcode at all"}))
    assert 'href="#id_postcode"' in html


def test_an_age_that_is_not_a_number_is_an_error_on_the_field(client, world):
    response = client.get(SEARCH, {"age": "abc"})
    assert response.status_code == 200
    html = page_text(response)
    assert 'href="#id_age"' in html
    assert "Enter the age as a whole number, like 15" in html


@pytest.mark.parametrize(
    "params",
    [
        {"service_type": "not-a-uuid"},
        {"service_type": str(uuid.uuid4())},
        {"need": "x", "circumstance": "y"},
        {"attending": "teleport", "day": "XX", "time": "midnight", "cost": "cheap"},
        {"within": "7", "postcode": ""},
        {"within": "abc"},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999999999999999999"},
        {"open_now": "maybe"},
        {"language": "x" * 500},
        {"q": "x" * 500},
    ],
)
def test_odd_parameters_never_break_the_page(client, world, params):
    assert client.get(SEARCH, params).status_code == 200


def test_a_page_past_the_end_shows_the_last_page(client, world):
    response = client.get(SEARCH, {"page": "50"})
    assert response.status_code == 200
    assert "Lunch club" in page_text(response)


def test_a_postcode_search_shows_distances(client, world):
    html = page_text(client.get(SEARCH, {"postcode": "HU1 1AA", "within": "5"}))
    assert "Lunch club" in html
    assert "miles away" in html
    assert "Money and debt advice" not in html  # in Leeds


def test_filters_show_counts_and_a_way_to_clear_them(client, world):
    html = page_text(client.get(SEARCH, {"q": "club", "cost": "free"}))
    assert "Apply filters" in html
    assert "Clear filters" in html
    assert f'href="{SEARCH}?q=club"' in html


def test_the_service_page_shows_the_service_and_report_a_problem(client, world):
    service = world.services["lunch"]
    response = client.get(reverse("finder:service", kwargs={"pk": service.pk}))
    assert response.status_code == 200
    html = page_text(response)
    assert "Lunch club" in html
    assert reverse("workflow:report", kwargs={"pk": service.pk}) in html
    assert "Suggest a change" not in html
    assert "Add to shortlist" in html
    assert "application/ld+json" in html


def test_a_frontline_worker_may_suggest_a_change(client, world, frontline_worker):
    client.force_login(frontline_worker)
    service = world.services["lunch"]
    html = page_text(client.get(reverse("finder:service", kwargs={"pk": service.pk})))
    assert reverse("workflow:propose", kwargs={"pk": service.pk}) in html


def test_a_provider_who_may_not_suggest_sees_no_suggest_link(client, world, provider_user):
    client.force_login(provider_user)
    service = world.services["lunch"]
    html = page_text(client.get(reverse("finder:service", kwargs={"pk": service.pk})))
    assert "Suggest a change" not in html


@pytest.mark.parametrize("name", ["never", "hidden", "defunct"])
def test_an_unpublished_service_is_not_found(client, world, name):
    url = reverse("finder:service", kwargs={"pk": world.services[name].pk})
    assert client.get(url).status_code == 404


def test_an_unknown_service_is_not_found(client, world):
    assert client.get(f"/services/{uuid.uuid4()}/").status_code == 404


def test_the_organisation_page_lists_its_services(client, world):
    organization = world.organizations["older"]
    response = client.get(reverse("finder:organisation", kwargs={"pk": organization.pk}))
    assert response.status_code == 200
    html = page_text(response)
    assert "Older Friends Hull" in html
    assert "Lunch club" in html
    assert "Unchecked lunch" not in html


def test_an_unknown_organisation_is_not_found(client, world):
    assert client.get(f"/organisations/{uuid.uuid4()}/").status_code == 404


def test_browse_pages_answer(client, world):
    assert client.get(reverse("finder:browse")).status_code == 200
    assert client.get(reverse("finder:browse-needs")).status_code == 200
    assert client.get(f"/browse/{uuid.uuid4()}/").status_code == 404


def _more_services(world, count: int) -> None:
    services = [
        ServiceFactory(organization=world.organizations["older"], name=f"Lunch club {n}")
        for n in range(count)
    ]
    services_publish(service_ids=[s.pk for s in services])


@pytest.mark.parametrize(
    "params",
    [{"q": "lunch"}, {"q": "lunch", "postcode": "HU1 1AA", "within": "25", "cost": "free"}],
)
def test_results_cost_the_same_queries_however_many(
    client, world, params, django_assert_max_num_queries
):
    client.get(SEARCH, params)  # warm the caches (feed, session)
    with django_assert_max_num_queries(25) as few:
        client.get(SEARCH, params)
    _more_services(world, 15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(SEARCH, params)
    assert "Lunch club 14" in page_text(response) or "postcode" in params


@pytest.mark.parametrize("name", ["home", "browse", "browse-needs"])
def test_other_pages_cost_few_queries(client, world, name, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get(reverse(f"finder:{name}")).status_code == 200


def test_the_service_page_costs_few_queries(client, world, django_assert_max_num_queries):
    url = reverse("finder:service", kwargs={"pk": world.services["lunch"].pk})
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200

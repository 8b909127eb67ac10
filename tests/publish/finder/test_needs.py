"""Needs-based finding: questions over GET, the LGA mapping from needs and circumstances to
service types, the services found for them, training personas and their seeding."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import call_command

from directory import models as m
from directory.taxonomies.identity import LGA_SERVICE_TYPES
from publish.finder.models import Persona
from publish.finder.views.needs import mapped_service_types
from publish.services import services_publish
from tests.factories import ServiceFactory, TaxonomyFactory, TaxonomyTermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapping(db):
    lga = TaxonomyFactory(name="LGA service types", vocabulary=LGA_SERVICE_TYPES)
    debt_advice = TaxonomyTermFactory(taxonomy=lga, name="Debt advice", term="651")
    benefits_advice = TaxonomyTermFactory(taxonomy=lga, name="Benefits advice", term="190")
    lunch_clubs = TaxonomyTermFactory(taxonomy=lga, name="Lunch clubs", term="640")
    debt = m.Need.objects.create(name="Debt", term="debt")
    loneliness = m.Need.objects.create(name="Loneliness and isolation", term="loneliness")
    low_income = m.Circumstance.objects.create(name="Low income", term="low-income")
    older = m.Circumstance.objects.create(name="Older person", term="older-person")
    for source, target in [
        (debt, debt_advice),
        (low_income, debt_advice),
        (low_income, benefits_advice),
        (loneliness, lunch_clubs),
        (older, lunch_clubs),
    ]:
        m.TermMapping.objects.create(from_term=source, service_type=target)
    return {
        "debt": debt,
        "loneliness": loneliness,
        "low_income": low_income,
        "older": older,
        "debt_advice": debt_advice,
        "benefits_advice": benefits_advice,
        "lunch_clubs": lunch_clubs,
    }


def test_needs_and_circumstances_map_to_their_service_types_once_each(mapping):
    types = mapped_service_types([str(mapping["debt"].pk), str(mapping["low_income"].pk)])
    assert [t.name for t in types] == ["Benefits advice", "Debt advice"]
    assert mapped_service_types([]) == []


def test_the_questions_page_asks_without_answering(client, mapping):
    page = client.get("/needs/").content.decode()
    assert "What do they need help with?" in page
    assert "Loneliness and isolation" in page and "Older person" in page
    assert "Services that could help" not in page
    assert 'method="get"' in page.lower()


def test_answers_show_the_mapped_service_types(client, mapping):
    response = client.get(
        "/needs/", {"need": str(mapping["debt"].pk), "circumstance": str(mapping["low_income"].pk)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Services that could help" in page
    assert "Debt advice" in page and "Benefits advice" in page
    assert "Lunch clubs" not in page
    assert f"service_type={mapping['debt_advice'].pk}" in page


def test_the_services_found_are_listed_with_a_shortlist_button(client, mapping):
    service = ServiceFactory(name="Money advice drop-in", minimum_age=None)
    m.Attribute.objects.create(
        link_entity=m.LinkEntity.SERVICE, link_id=service.pk, taxonomy_term=mapping["debt_advice"]
    )
    other = ServiceFactory(name="Tea and chat", minimum_age=None)
    m.Attribute.objects.create(
        link_entity=m.LinkEntity.SERVICE, link_id=other.pk, taxonomy_term=mapping["lunch_clubs"]
    )
    services_publish(service_ids=[service.pk, other.pk])
    page = client.get("/needs/", {"need": str(mapping["debt"].pk), "age": "45"}).content.decode()
    assert "Money advice drop-in" in page
    assert "Tea and chat" not in page
    assert "Add to shortlist" in page
    # The full results page, with its filters, carries the same answers.
    assert f"/search/?need={mapping['debt'].pk}&amp;age=45" in page


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"age": "40"}, "Select what they need help with, or their circumstances"),
        ({"need": "{debt}", "age": "forty"}, "Enter their age as a number, like 15"),
        ({"need": "{debt}", "age": "400"}, "Enter an age between 0 and 120"),
        ({"need": "{debt}", "postcode": "not a postcode"}, "Enter a full UK postcode"),
        ({"need": str(uuid.uuid4())}, "Select needs from the list"),
        ({"need": "x" * 5000}, "Select needs from the list"),
        ({"circumstance": "'; drop table"}, "Select circumstances from the list"),
    ],
)
def test_bad_answers_get_a_govuk_error_not_a_crash(client, mapping, query, error):
    query = {k: v.format(debt=mapping["debt"].pk) for k, v in query.items()}
    response = client.get("/needs/", query)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert error in page
    assert page.count("<title>Error: ") == 1


def test_the_needs_page_costs_the_same_queries_however_many_answers(
    client, mapping, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        client.get("/needs/", {"need": str(mapping["debt"].pk)})
    everything = {
        "need": [str(mapping["debt"].pk), str(mapping["loneliness"].pk)],
        "circumstance": [str(mapping["low_income"].pk), str(mapping["older"].pk)],
    }
    with django_assert_max_num_queries(12):
        assert client.get("/needs/", everything).status_code == 200


# -- personas ----------------------------------------------------------------------------------


@pytest.fixture
def personas(mapping):
    margaret = Persona.objects.create(
        slug="older-person-living-alone",
        name="Older person living alone",
        description="Margaret is 78.",
        age=78,
    )
    margaret.needs.set([mapping["loneliness"]])
    margaret.circumstances.set([mapping["older"]])
    Persona.objects.create(slug="retired", name="Retired persona", description="-", is_active=False)
    return {"margaret": margaret}


def test_the_personas_page_lists_the_active_personas(client, personas):
    page = client.get("/needs/personas/").content.decode()
    assert "Older person living alone" in page
    assert "Loneliness and isolation" in page
    assert "Retired persona" not in page
    assert "/needs/?persona=older-person-living-alone" in page


def test_choosing_a_persona_fills_in_the_questions(client, personas, mapping):
    response = client.get("/needs/", {"persona": "older-person-living-alone"})
    form = response.context["form"]
    assert form.initial["need"] == [str(mapping["loneliness"].pk)]
    assert form.initial["circumstance"] == [str(mapping["older"].pk)]
    assert form.initial["age"] == 78
    page = response.content.decode()
    assert "Practising with Older person living alone" in page
    assert "Services that could help" not in page  # filled in, not yet sent
    assert client.get("/needs/", {"persona": "retired"}).context["persona"] is None
    assert client.get("/needs/", {"persona": "x" * 500}).status_code == 200


def test_seed_personas_maps_codes_and_is_safe_to_run_again(mapping):
    out = io.StringIO()
    call_command("seed_personas", stdout=out)
    assert "5 created" in out.getvalue()
    assert "Not loaded yet" in out.getvalue()  # this small mapping lacks some codes
    call_command("seed_personas", stdout=(again := io.StringIO()))
    assert "0 created, 5 brought up to date" in again.getvalue()
    assert Persona.objects.count() == 5
    debt = Persona.objects.get(slug="someone-in-debt")
    assert list(debt.needs.all()) == [mapping["debt"]]
    assert list(debt.circumstances.all()) == [mapping["low_income"]]


def test_the_demo_codes_all_exist_in_the_demo_mapping():
    """Every code a persona names is in directory/demo/needs_mapping.csv."""
    import csv

    from directory.taxonomies.needs import DEMO_MAPPING
    from publish.finder.management.commands.seed_personas import PERSONAS

    with DEMO_MAPPING.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    needs = {r["code"] for r in rows if r["kind"] == "need"}
    circumstances = {r["code"] for r in rows if r["kind"] == "circumstance"}
    for persona in PERSONAS:
        assert set(persona["needs"]) <= needs, persona["slug"]
        assert set(persona["circumstances"]) <= circumstances, persona["slug"]


def test_only_directory_admins_keep_personas_in_the_admin(client, personas, frontline_worker):
    from tests.auth import sign_in

    frontline_worker.is_staff = True
    frontline_worker.save()
    sign_in(client, frontline_worker)
    assert client.get("/admin/finder/persona/").status_code == 403


def test_a_directory_admin_sees_personas_in_the_admin(admin_client, personas):
    response = admin_client.get("/admin/finder/persona/")
    assert response.status_code == 200
    assert "Older person living alone" in response.content.decode()

"""Tagging a service: the assistant's suggestions and their reasons, the over-classification
guard, and the tagging section of the proposal editor (who may use it, what it saves, its query
count), through to an approval that changes the service's terms and its published snapshot."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from directory.models import Attribute, Service, Taxonomy, TaxonomyTerm, TermMapping
from directory.models.attribute import LinkEntity
from directory.taxonomies.identity import (
    LGA_NEEDS,
    LGA_SERVICE_TYPES,
    OPENACTIVE_ACTIVITIES,
    taxonomy_uuid,
    term_uuid,
)
from publish.models import PublishedService, PublishedServiceTerm
from tests.accounts.matrix import build_world
from tests.auth import sign_in
from tests.factories import ServiceFactory
from workflow import services as ws
from workflow.documents import current_document
from workflow.models import ChangeRequest, State
from workflow.tagging import suggest
from workflow.tagging.classification import classification_warnings
from workflow.tagging.suggest import suggest_service_types

pytestmark = pytest.mark.django_db

ASSURED = dt.date(2025, 1, 15)


@pytest.fixture(autouse=True)
def fresh_index():
    # The index is cached per process; each test's database is its own.
    suggest.reset_index()
    yield
    suggest.reset_index()


class Lga:
    """A small LGA hierarchy: two functions, each with service types."""

    def __init__(self) -> None:
        self.taxonomy = Taxonomy.objects.create(
            id=taxonomy_uuid(LGA_SERVICE_TYPES),
            name="LGA service types",
            description="LGA",
            vocabulary=LGA_SERVICE_TYPES,
        )
        self.advice = self.term("function:1", "Advice and benefits")
        self.housing = self.term("function:2", "Housing")
        self.debt = self.term("651", "Debt counselling", parent=self.advice)
        self.food = self.term("1818", "Food banks", parent=self.advice, synonyms=["food parcel"])
        self.welfare = self.term("189", "Welfare rights advice", parent=self.advice)
        self.benefits = self.term("190", "Benefits advice and assessment", parent=self.advice)
        self.homeless = self.term("112", "Homelessness support", parent=self.housing)
        self.housing_advice = self.term("652", "Housing advice", parent=self.housing)

    def term(self, code: str, name: str, parent=None, synonyms=None) -> TaxonomyTerm:
        return TaxonomyTerm.objects.create(
            id=term_uuid(LGA_SERVICE_TYPES, code),
            taxonomy=self.taxonomy,
            name=name,
            description=name,
            term=code,
            parent=parent,
            synonyms=synonyms or [],
        )


@pytest.fixture
def lga() -> Lga:
    return Lga()


def tag(service: Service, *terms: TaxonomyTerm) -> None:
    for term in terms:
        Attribute.objects.create(
            link_entity=LinkEntity.SERVICE, link_id=service.pk, taxonomy_term=term
        )


def assured_service(name: str, description: str, *terms: TaxonomyTerm, assured=ASSURED):
    service = ServiceFactory(name=name, description=description, assured_date=assured)
    tag(service, *terms)
    return service


# --- suggestions ----------------------------------------------------------------------------------


def test_a_synonym_named_in_the_text_suggests_its_term_with_the_reason(lga):
    [first, *_] = suggest_service_types("Hessle food parcels", "Free food for families")
    assert first.term == lga.food
    assert "'food parcel' matches the synonym list of Food banks" in first.reasons
    assert 0 < first.score <= 1


def test_the_term_name_in_the_description_is_a_reason_too(lga):
    suggestions = suggest_service_types("Money Matters", "Debt counselling for anyone in Hull")
    assert suggestions[0].term == lga.debt
    assert suggestions[0].reasons == ("'debt counselling' matches the name of Debt counselling",)


def test_synonyms_are_editable_and_change_the_suggestions_at_once(lga):
    assert suggest_service_types("Rough sleepers outreach") == []
    TaxonomyTerm.objects.filter(pk=lga.homeless.pk).update(synonyms=["rough sleeper"])
    [first] = suggest_service_types("Rough sleepers outreach")
    assert first.term == lga.homeless
    assert first.reasons == ("'rough sleeper' matches the synonym list of Homelessness support",)


def test_the_directory_admin_edits_synonyms_in_the_admin(lga, admin_user):
    model_admin = admin.site._registry[TaxonomyTerm]
    request = RequestFactory().get("/")
    request.user = admin_user
    assert "synonyms" in model_admin.get_form(request, lga.food).base_fields


def test_similar_assured_services_vote_for_their_types(lga):
    for area in ("Hull", "Hessle", "Cottingham"):
        assured_service(
            f"{area} money worries drop-in",
            "Talk to us about arrears, bailiffs and money worries",
            lga.debt,
        )
    assured_service("Tenancy help", "Help to keep your tenancy", lga.housing_advice)
    suggestions = suggest_service_types("Money worries clinic", "Worried about arrears?")
    assert suggestions[0].term == lga.debt
    assert "similar to 3 assured services tagged Debt counselling" in suggestions[0].reasons


def test_services_never_assured_do_not_vote(lga):
    for area in ("Hull", "Hessle"):
        assured_service(f"{area} arrears club", "Arrears and bailiffs", lga.debt, assured=None)
    assert suggest_service_types("Arrears club", "Arrears and bailiffs") == []


def test_the_service_itself_can_be_left_out(lga):
    own = assured_service("Arrears club", "Arrears and bailiffs", lga.debt)
    assert suggest_service_types("Arrears club", "Arrears and bailiffs")[0].term == lga.debt
    suggest.reset_index()
    assert suggest_service_types("Arrears club", "Arrears", exclude_service_id=own.pk) == []


def test_suggestions_are_ranked_and_limited(lga):
    assured_service("Arrears club", "Arrears and bailiffs", lga.debt, lga.welfare)
    suggestions = suggest_service_types(
        "Food parcels and arrears club", "Debt counselling", limit=2
    )
    assert len(suggestions) == 2
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)


def test_the_index_is_built_once_and_rebuilt_when_assured_services_change(lga):
    assured_service("Arrears club", "Arrears and bailiffs", lga.debt)
    first = suggest.neighbour_index()
    assert suggest.neighbour_index() is first
    assured_service("Tenancy help", "Keep your tenancy", lga.housing_advice)
    second = suggest.neighbour_index()
    assert second is not first
    assert len(second.service_ids) == 2


def test_the_index_is_bounded(lga, settings):
    settings.PORTAL_TAGGING_INDEX_LIMIT = 2
    for n in range(4):
        assured_service(f"Arrears club {n}", "Arrears", lga.debt)
    assert len(suggest.neighbour_index().service_ids) == 2


# --- over-classification ------------------------------------------------------------------------


def test_more_than_three_service_types_draw_a_warning(lga):
    warnings = classification_warnings([lga.debt.pk, lga.food.pk, lga.welfare.pk, lga.benefits.pk])
    assert warnings == [
        "Focus on the main service you deliver: this service has 4 service types "
        "(choose 3 or fewer)"
    ]


def test_types_from_unrelated_functions_draw_a_warning(lga):
    [warning] = classification_warnings([lga.debt.pk, lga.homeless.pk])
    assert warning.startswith("Focus on the main service you deliver")
    assert "2 unrelated areas" in warning


def test_a_focused_tagging_has_no_warning(lga):
    assert classification_warnings([lga.debt.pk, lga.welfare.pk, str(lga.food.pk)]) == []
    assert classification_warnings([]) == []
    assert classification_warnings(["not-a-uuid"]) == []


def test_functions_and_other_taxonomies_do_not_count(lga):
    other = Taxonomy.objects.create(name="Local", description="Local")
    local = [TaxonomyTerm.objects.create(taxonomy=other, name=f"L{n}") for n in range(4)]
    assert classification_warnings([lga.advice.pk, *[t.pk for t in local]]) == []


# --- the tagging section ------------------------------------------------------------------------


@pytest.fixture
def world(lga):
    return build_world()


def client_for(world, role: str) -> Client:
    client = Client()
    sign_in(client, world.user(role))
    return client


def propose(world, role: str = "provider_editor") -> ChangeRequest:
    service = world.services["own"]
    client_for(world, role).post(reverse("workflow:propose", args=[service.pk]))
    return ChangeRequest.objects.get(service=service, proposer=world.user(role))


def tags_url(change_request: ChangeRequest) -> str:
    return reverse("workflow:edit-section", args=[change_request.pk, "tags"])


def proposed_term_ids(change_request: ChangeRequest) -> set[str]:
    change_request.refresh_from_db()
    return {
        str(a.get("taxonomy_term_id") or a["taxonomy_term"]["id"])
        for a in change_request.proposed.get("attributes") or []
    }


def test_the_tagging_page_lists_types_by_function_with_suggestions(world, lga):
    Service.objects.filter(pk=world.services["own"].pk).update(
        name="Hull food parcels", description="Food for families in need"
    )
    change_request = propose(world)
    page = client_for(world, "provider_editor").get(tags_url(change_request)).content.decode()
    assert "What the service is (tags)" in page
    assert "Advice and benefits" in page and "Housing" in page
    assert "Suggested for this service" in page
    assert "&#x27;food parcel&#x27; matches the synonym list of Food banks" in page
    # Audience and how to attend have their own sections: linked, not repeated.
    assert reverse("workflow:edit-section", args=[change_request.pk, "eligibility"]) in page
    assert reverse("workflow:edit-section", args=[change_request.pk, "attending"]) in page


def test_the_search_without_javascript_filters_the_list(world, lga):
    change_request = propose(world)
    page = (
        client_for(world, "provider_editor")
        .get(tags_url(change_request), {"q": "food"})
        .content.decode()
    )
    assert f'value="{lga.food.pk}"' in page
    assert f'value="{lga.homeless.pk}"' not in page


def test_the_provider_saves_service_types_keeping_other_tags(world, lga):
    change_request = propose(world)
    before = proposed_term_ids(change_request)  # the world's own type, a local taxonomy's term
    response = client_for(world, "provider_editor").post(
        tags_url(change_request),
        {"service_types": [str(lga.food.pk)], "local_terms": sorted(before)},
    )
    assert response.status_code == 302
    assert proposed_term_ids(change_request) == before | {str(lga.food.pk)}
    [added] = [
        a
        for a in change_request.proposed["attributes"]
        if a.get("taxonomy_term_id") == str(lga.food.pk)
    ]
    assert added["taxonomy_term"]["name"] == "Food banks"


def test_unticking_removes_a_tag(world, lga):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    client.post(tags_url(change_request), {"service_types": [str(lga.food.pk)]})
    client.post(tags_url(change_request), {"service_types": [str(lga.debt.pk)]})
    assert proposed_term_ids(change_request) == {str(lga.debt.pk)}


def test_a_term_not_in_the_lists_is_refused_with_an_error(world, lga):
    change_request = propose(world)
    before = change_request.proposed
    response = client_for(world, "provider_editor").post(
        tags_url(change_request), {"service_types": [str(lga.advice.pk)]}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select service types from the list" in page
    assert 'href="#id_service_types_1"' in page
    change_request.refresh_from_db()
    assert change_request.proposed == before


def test_someone_else_cannot_tag_the_proposal(world, lga):
    change_request = propose(world)
    before = change_request.proposed
    client = client_for(world, "frontline_worker")
    assert client.get(tags_url(change_request)).status_code == 404
    response = client.post(tags_url(change_request), {"service_types": [str(lga.food.pk)]})
    assert response.status_code == 404
    change_request.refresh_from_db()
    assert change_request.proposed == before


def test_choosing_too_many_shows_the_warning_on_the_page_and_on_check_answers(world, lga):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    chosen = [str(t.pk) for t in (lga.debt, lga.food, lga.welfare, lga.homeless)]
    client.post(tags_url(change_request), {"service_types": chosen})
    for url in (tags_url(change_request), reverse("workflow:check", args=[change_request.pk])):
        page = client.get(url).content.decode()
        assert "this service has 4 service types" in page
        assert "2 unrelated areas of council services" in page


def test_the_needs_a_chosen_type_meets_are_shown(world, lga):
    needs = Taxonomy.objects.create(name="Needs", description="Needs", vocabulary=LGA_NEEDS)
    hunger = TaxonomyTerm.objects.create(taxonomy=needs, name="Not enough food")
    TermMapping.objects.create(from_term=hunger, service_type=lga.food)
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    client.post(tags_url(change_request), {"service_types": [str(lga.food.pk)]})
    page = client.get(tags_url(change_request)).content.decode()
    assert "Needs and circumstances your service types meet" in page
    assert "Not enough food" in page


def test_openactive_activities_are_offered_and_saved(world, lga):
    openactive = Taxonomy.objects.create(
        name="OpenActive activities", description="OA", vocabulary=OPENACTIVE_ACTIVITIES
    )
    walking = TaxonomyTerm.objects.create(
        taxonomy=openactive, name="Walking football", description="Football at a walk"
    )
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    assert "Walking football" in client.get(tags_url(change_request)).content.decode()
    client.post(tags_url(change_request), {"activities": [str(walking.pk)]})
    assert str(walking.pk) in proposed_term_ids(change_request)


PAGE_QUERIES = 19  # session, user, proposal, policy, the lists, needs, suggestions, warning


def test_the_tagging_page_query_count_does_not_grow_with_the_lists(
    world, lga, django_assert_max_num_queries
):
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    client.post(tags_url(change_request), {"service_types": [str(lga.homeless.pk)]})
    client.get(tags_url(change_request))  # session, caches and the index warm
    with django_assert_max_num_queries(PAGE_QUERIES):
        client.get(tags_url(change_request))
    for n in range(30):
        lga.term(str(5000 + n), f"Extra type {n}", parent=lga.housing)
        assured_service(f"Extra {n}", "Extra service", lga.homeless)
    client.get(tags_url(change_request))  # the index rebuilds once
    with django_assert_max_num_queries(PAGE_QUERIES):
        client.get(tags_url(change_request))


# --- approval, end to end -----------------------------------------------------------------------


def test_approving_a_tag_change_updates_the_terms_and_the_published_snapshot(
    world, lga, django_capture_on_commit_callbacks
):
    service = world.services["own"]
    change_request = propose(world)
    client = client_for(world, "provider_editor")
    chosen = [str(lga.food.pk), str(lga.debt.pk)]
    client.post(tags_url(change_request), {"service_types": chosen})
    change_request.refresh_from_db()
    change_request = ws.change_request_submit(
        actor=world.user("provider_editor"), change_request=change_request
    )
    assert change_request.state == State.SUBMITTED
    review = client_for(world, "assurer").get(reverse("workflow:review", args=[change_request.pk]))
    assert review.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        ws.change_request_approve(
            actor=world.user("assurer"), change_request=change_request, accepted=["attributes"]
        )
    terms = set(
        Attribute.objects.for_record(LinkEntity.SERVICE, service.pk).values_list(
            "taxonomy_term_id", flat=True
        )
    )
    assert terms == {lga.food.pk, lga.debt.pk}
    snapshot = PublishedService.objects.get(pk=service.pk)
    published = {
        a["taxonomy_term"]["id"] for a in json.loads(snapshot.document).get("attributes", [])
    }
    assert published == set(chosen)
    assert set(
        PublishedServiceTerm.objects.filter(snapshot=snapshot).values_list("term_id", flat=True)
    ) >= {lga.food.pk, lga.debt.pk, lga.advice.pk}
    assert current_document(service)["attributes"]


def test_the_assurer_sees_the_over_classification_warning(world, lga):
    change_request = propose(world)
    chosen = [str(t.pk) for t in (lga.debt, lga.homeless)]
    client_for(world, "provider_editor").post(tags_url(change_request), {"service_types": chosen})
    change_request.refresh_from_db()
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=change_request)
    page = (
        client_for(world, "assurer")
        .get(reverse("workflow:review", args=[change_request.pk]))
        .content.decode()
    )
    assert "Focus on the main service you deliver" in page

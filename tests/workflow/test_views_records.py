"""The staff home and record pages: who may open them (the permission matrix's people and
services), what they show, and the re-assure, hide, show and restore buttons. Refused requests
change nothing; list and record pages read a constant number of queries."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent, Role
from accounts.policy import Action
from accounts.services import allocation_recompute_all
from directory.models import Service, ServiceStatus
from publish.models import HiddenService, PublishedService
from publish.services import services_publish
from tests.accounts.matrix import MATRIX, RECORD_SCOPES, World, build_world
from tests.auth import sign_in
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ServiceFactory,
    ServiceTypeAttributeFactory,
)
from workflow import services as ws
from workflow.documents import current_document
from workflow.models import ChangeRequest, ServiceVersion, Source, State
from workflow.records import BROWSE_ACTIONS
from workflow.reviews import reviews_recompute

pytestmark = pytest.mark.django_db

SIGNED_IN_ROLES = (
    "signed_in",
    "frontline_worker",
    "provider_editor",
    "self_assuring_provider_editor",
    "assurer",
    "partner_admin",
    "directory_admin",
)


@pytest.fixture
def world() -> World:
    return build_world()


def as_role(client, world: World, role: str):
    if role != "anonymous":
        sign_in(client, world.user(role))
    return client


def target(world: World, role: str, scope: str) -> Service:
    if scope == "own" and role.startswith("self_assuring"):
        return world.services["self_assured"]
    return world.services[scope]


def may(role: str, actions, scope: str) -> bool:
    index = RECORD_SCOPES.index(scope)
    return any(MATRIX[role][action][index] for action in actions)


def record_cells(actions) -> list:
    return [
        pytest.param(role, scope, may(role, actions, scope), id=f"{role}-{scope}")
        for role in ("anonymous", *SIGNED_IN_ROLES)
        for scope in RECORD_SCOPES
    ]


def expect_refused(response, role: str) -> None:
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))
    else:
        assert response.status_code == 403


def propose(world: World, role: str, service: Service, **changes) -> ChangeRequest:
    proposed = {**current_document(service), **changes}
    return ws.change_request_save(actor=world.user(role), service=service, proposed=proposed)


# --- home ----------------------------------------------------------------------------------


def test_home_asks_anonymous_people_to_sign_in(client):
    response = client.get(reverse("workflow:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize(
    ("role", "sees", "does_not_see"),
    [
        ("signed_in", ["you have no role yet"], ["Search the directory", "Assurance"]),
        ("frontline_worker", ["Search the directory", "Your suggestions"], ["Assurance"]),
        ("provider_editor", ["Your organisations and services", "Own service"], ["Assurance"]),
        ("assurer", ["Services allocated to your partner", "Own service"], ["Other service"]),
        ("partner_admin", ["Your partner", "Own CVS"], ["Search the directory"]),
        ("directory_admin", ["The whole directory", "unallocated service"], ["no role yet"]),
    ],
)
def test_each_role_lands_on_its_own_work(client, world, role, sees, does_not_see):
    html = as_role(client, world, role).get(reverse("workflow:home")).content.decode()
    for text in sees:
        assert text in html
    for text in does_not_see:
        assert text not in html


def test_home_shows_the_assurers_queue_and_the_proposers_open_changes(client, world):
    change = propose(world, "provider_editor", world.services["own"], name="Renamed")
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=change)
    html = as_role(client, world, "assurer").get(reverse("workflow:home")).content.decode()
    assert "1 change waiting for your decision" in html
    assert reverse("workflow:queue") in html
    assert reverse("workflow:service-list") + "?scope=assure" not in html  # 1 service: no "see all"
    client.logout()
    html = as_role(client, world, "provider_editor").get(reverse("workflow:home")).content.decode()
    assert reverse("workflow:change-request", args=[change.pk]) in html


def test_someone_with_several_roles_sees_each_section(client, world):
    person = world.user("assurer")
    MembershipFactory(partner=world.partners["own"], role=Role.FRONTLINE_WORKER, user=person)
    html = as_role(client, world, "assurer").get(reverse("workflow:home")).content.decode()
    assert "Services allocated to your partner" in html and "Search the directory" in html


def test_home_caps_the_assurers_services_with_a_link_to_see_all(client, world):
    for _ in range(12):
        service = ServiceFactory(organization=world.extra["orgs"][1])
        ServiceTypeAttributeFactory(service=service, taxonomy_term=world.extra["type_a"])
    allocation_recompute_all()
    html = as_role(client, world, "assurer").get(reverse("workflow:home")).content.decode()
    assert "See all 13 services allocated to your partner" in html
    assert html.count(reverse("workflow:service-detail", args=[world.services["own"].pk])) <= 1


# --- the service list ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("signed_in", False),
        ("partner_admin", False),
        ("frontline_worker", True),
        ("provider_editor", True),
        ("self_assuring_provider_editor", True),
        ("assurer", True),
        ("directory_admin", True),
    ],
)
def test_who_may_list_services(client, world, role, allowed):
    response = as_role(client, world, role).get(reverse("workflow:service-list"))
    if allowed:
        assert response.status_code == 200
    else:
        expect_refused(response, role)


def _names(response) -> set[str]:
    return {
        s.name
        for s in Service.objects.all()
        if reverse("workflow:service-detail", args=[s.pk]) in response.content.decode()
    }


def test_the_list_holds_the_services_each_person_may_open_each_linked(client, world):
    response = as_role(client, world, "assurer").get(reverse("workflow:service-list"))
    assert _names(response) == {"Own service"}
    client.logout()
    response = as_role(client, world, "frontline_worker").get(reverse("workflow:service-list"))
    assert _names(response) == set(s.name for s in world.services.values())


def test_search_finds_service_and_organisation_names_in_any_case(client, world):
    world.services["other"].organization.name = "Hull Food Bank"
    world.services["other"].organization.save()
    admin = as_role(client, world, "directory_admin")
    assert _names(admin.get(reverse("workflow:service-list"), {"q": "OWN SERV"})) == {"Own service"}
    response = admin.get(reverse("workflow:service-list"), {"q": "food bank"})
    assert _names(response) == {"Other service"}
    assert "1 service match" in response.content.decode()


def test_filters_narrow_the_list(client, world):
    services = world.services
    Service.objects.filter(pk=services["other"].pk).update(status=ServiceStatus.INACTIVE)
    Service.objects.filter(pk=services["unallocated"].pk).update(assured_date=None)
    Service.objects.filter(pk=services["own"].pk).update(
        assured_date=timezone.localdate() - dt.timedelta(days=200)
    )
    reviews_recompute()  # the updates above bypassed the signals that keep review dates
    propose(world, "frontline_worker", services["self_assured"], name="Suggested")
    admin = as_role(client, world, "directory_admin")
    url = reverse("workflow:service-list")
    assert _names(admin.get(url, {"status": "inactive"})) == {"Other service"}
    assert _names(admin.get(url, {"assurance": "never"})) == {"Unallocated service"}
    assert _names(admin.get(url, {"assurance": "overdue"})) == {"Own service"}
    assert _names(admin.get(url, {"open_changes": "on"})) == {"Self-assured service"}
    assert _names(admin.get(url, {"partner": "none"})) == {"Unallocated service"}
    own_partner = world.partners["own"]
    assert _names(admin.get(url, {"partner": own_partner.pk})) == {"Own service"}


def test_an_assurer_narrows_to_the_services_allocated_to_their_partner(client, world):
    person = world.user("assurer")
    MembershipFactory(partner=world.partners["own"], role=Role.FRONTLINE_WORKER, user=person)
    client = as_role(client, world, "assurer")
    url = reverse("workflow:service-list")
    assert len(_names(client.get(url))) == 4
    assert _names(client.get(url, {"scope": "assure"})) == {"Own service"}
    assert _names(client.get(url, {"scope": "edit"})) == {"Own service"}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"assurance": "sometimes"},
        {"partner": "not-a-number"},
        {"scope": "everything"},
        {"page": "banana"},
        {"page": "99999"},
        {"q": "x" * 500},
    ],
)
def test_bad_filters_and_pages_never_fail(client, world, params):
    response = as_role(client, world, "directory_admin").get(
        reverse("workflow:service-list"), params
    )
    assert response.status_code == 200


def test_a_bad_filter_value_is_shown_as_an_error(client, world):
    response = as_role(client, world, "directory_admin").get(
        reverse("workflow:service-list"), {"status": "nonsense"}
    )
    html = response.content.decode()
    assert "Select a status from the list" in html and "govuk-error-summary" in html


def _add_services(count: int, world: World) -> None:
    own_org = world.extra["orgs"][0]
    for index in range(count):
        service = ServiceFactory(organization=own_org, name=f"Extra {index}")
        ChangeRequest.objects.create(
            service=service,
            organization=own_org,
            source=Source.PUBLIC,
            proposed=current_document(service),
            state=State.SUBMITTED,
            previous_state="",
        )
    services_publish(service_ids=list(Service.objects.values_list("pk", flat=True)))


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["directory_admin", "assurer", "frontline_worker"])
def test_the_service_list_reads_a_constant_number_of_queries(
    client, world, role, settings, django_assert_max_num_queries
):
    settings.PORTAL_STAFF_PER_PAGE = 50
    client = as_role(client, world, role)
    url = reverse("workflow:service-list")
    _add_services(3, world)
    few = _queries(client, url, {"open_changes": "on"})
    _add_services(27, world)
    with django_assert_max_num_queries(few):
        response = client.get(url, {"open_changes": "on"})
    assert response.content.decode().count("Extra ") >= 30 or role == "assurer"


def test_the_list_pages_through_the_services(client, world, settings):
    settings.PORTAL_STAFF_PER_PAGE = 2
    client = as_role(client, world, "directory_admin")
    response = client.get(reverse("workflow:service-list"))
    html = response.content.decode()
    assert "Showing 1 to 2 of 4." in html and "govuk-pagination" in html
    html = client.get(reverse("workflow:service-list"), {"page": 2}).content.decode()
    assert "Showing 3 to 4 of 4." in html


# --- a service's page ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "scope", "allowed"), record_cells(BROWSE_ACTIONS))
def test_who_may_open_a_service(client, world, role, scope, allowed):
    service = target(world, role, scope)
    for name in ("workflow:service-detail", "workflow:service-history"):
        response = as_role(client, world, role).get(reverse(name, args=[service.pk]))
        if allowed:
            assert response.status_code == 200
        else:
            expect_refused(response, role)


def test_an_unknown_service_is_not_found(client, world):
    client = as_role(client, world, "directory_admin")
    assert client.get(reverse("workflow:service-detail", args=[uuid.uuid4()])).status_code == 404
    assert client.get("/staff/services/not-a-uuid/").status_code == 404
    missing = reverse("workflow:version-detail", args=[world.services["own"].pk, 7])
    assert client.get(missing).status_code == 404


def test_the_page_shows_the_record_as_published_and_its_assurance(client, world):
    service = world.services["own"]
    services_publish(service_ids=[service.pk])
    html = (
        as_role(client, world, "assurer")
        .get(reverse("workflow:service-detail", args=[service.pk]))
        .content.decode()
    )
    assert "As published" in html and "What the open feed serves now" in html
    assert "Due in 9 weeks" in html  # assured 30 days ago, reviewed every 90: 60 days
    assert "Own CVS" in html  # the allocated partner
    assert reverse("workflow:service-reassure", args=[service.pk]) in html
    assert "Edit this service" in html and "Suggest a change" not in html
    assert reverse("workflow:service-hide", args=[service.pk]) not in html


def test_a_service_out_of_the_feed_says_why(client, world, settings):
    settings.PORTAL_REVIEW_INTERVAL_DAYS = 10
    service = world.services["own"]
    Service.objects.filter(pk=service.pk).update(status=ServiceStatus.INACTIVE)
    reviews_recompute(service_ids=[service.pk])
    HiddenService.objects.create(service=service, reason="Closed for refurbishment")
    html = (
        as_role(client, world, "directory_admin")
        .get(reverse("workflow:service-detail", args=[service.pk]))
        .content.decode()
    )
    assert "Not in the open feed" in html
    assert "Closed for refurbishment" in html and "Its status is inactive" in html
    assert "None: the service is inactive" in html  # nobody reviews what is not offered
    assert "Show in the open feed" in html


def test_open_changes_show_the_fields_and_where_to_act(client, world):
    service = world.services["own"]
    provider = propose(world, "provider_editor", service, name="Provider's name")
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=provider)
    worker = propose(world, "frontline_worker", service, fees="Free")

    html = (
        as_role(client, world, "assurer")
        .get(reverse("workflow:service-detail", args=[service.pk]))
        .content.decode()
    )
    assert "Provider&#x27;s name" in html and "Free" in html
    assert reverse("workflow:review", args=[provider.pk]) in html
    assert "provider-editor@example.org" in html and "Waiting for assurance" in html
    client.logout()
    # A frontline worker sees their own suggestion, not the provider's draft.
    html = (
        as_role(client, world, "frontline_worker")
        .get(reverse("workflow:service-detail", args=[service.pk]))
        .content.decode()
    )
    assert "Free" in html and "Provider&#x27;s name" not in html
    assert reverse("workflow:change-request", args=[worker.pk]) in html
    assert "Suggest a change" in html and "Edit this service" not in html
    assert reverse("workflow:service-reassure", args=[service.pk]) not in html


def test_the_service_page_reads_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    service = world.services["own"]
    client = as_role(client, world, "assurer")
    url = reverse("workflow:service-detail", args=[service.pk])
    propose(world, "provider_editor", service, name="One")
    ws.service_reassure(actor=world.user("assurer"), service=service)
    few = _queries(client, url)
    propose(world, "frontline_worker", service, fees="Two")
    propose(world, "directory_admin", service, url="https://example.org/three")
    for _ in range(6):
        ws.service_reassure(actor=world.user("assurer"), service=service)
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


# --- history and versions ------------------------------------------------------------------


def _approved_rename(world: World, name: str) -> ServiceVersion:
    service = world.services["own"]
    change = propose(world, "provider_editor", service, name=name)
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=change)
    return ws.change_request_approve(
        actor=world.user("assurer"), change_request=change, accepted=["name"]
    ).version


def test_history_and_a_version_show_what_changed(client, world):
    version = _approved_rename(world, "Renamed once")
    _approved_rename(world, "Renamed twice")
    service = world.services["own"]
    client = as_role(client, world, "provider_editor")
    html = client.get(reverse("workflow:service-history", args=[service.pk])).content.decode()
    assert "Version 2" in html and "Version 1" in html and "assurer@example.org" in html
    html = client.get(
        reverse("workflow:version-detail", args=[service.pk, version.number])
    ).content.decode()
    assert "Own service" in html and "Renamed once" in html
    assert "Restore this version" in html


def test_the_history_pages_at_a_constant_number_of_queries(
    client, world, settings, django_assert_max_num_queries
):
    settings.PORTAL_STAFF_PER_PAGE = 50
    service = world.services["own"]
    client = as_role(client, world, "assurer")
    url = reverse("workflow:service-history", args=[service.pk])
    for _ in range(3):
        ws.service_reassure(actor=world.user("assurer"), service=service)
    few = _queries(client, url)
    for _ in range(27):
        ws.service_reassure(actor=world.user("assurer"), service=service)
    with django_assert_max_num_queries(few):
        assert client.get(url, {"page": "x"}).status_code == 200


@pytest.mark.parametrize(("role", "scope", "allowed"), record_cells((Action.EDIT, Action.ASSURE)))
def test_who_may_restore_a_version(client, world, role, scope, allowed):
    service = target(world, role, scope)
    before = current_document(service)
    version = ws.service_reassure(actor=world.user("directory_admin"), service=service)
    Service.objects.filter(pk=service.pk).update(name="Renamed since")
    count = ChangeRequest.objects.count()
    response = as_role(client, world, role).post(
        reverse("workflow:version-restore", args=[service.pk, version.number])
    )
    if allowed:
        change = ChangeRequest.objects.get(source=Source.RESTORE)
        assert response.status_code == 302
        assert response["Location"] == reverse("workflow:change-request", args=[change.pk])
        assert change.proposed["name"] == before["name"]
    else:
        expect_refused(response, role)
        assert ChangeRequest.objects.count() == count


def test_restoring_the_record_as_it_is_now_proposes_nothing(client, world):
    service = world.services["own"]
    version = ws.service_reassure(actor=world.user("assurer"), service=service)
    client = as_role(client, world, "assurer")
    url = reverse("workflow:version-detail", args=[service.pk, version.number])
    assert "Restore this version" not in client.get(url).content.decode()
    response = client.post(reverse("workflow:version-restore", args=[service.pk, version.number]))
    assert response["Location"] == url
    assert not ChangeRequest.objects.exists()
    assert client.get(reverse("workflow:version-restore", args=[service.pk, 1])).status_code == 405


def test_a_restore_that_cannot_be_proposed_says_why_and_changes_nothing(client, world):
    service = world.services["own"]
    version = ws.service_reassure(actor=world.user("assurer"), service=service)
    Service.objects.filter(pk=service.pk).update(name="Renamed since")
    # The provider's own change is waiting for assurance: a restore cannot replace it.
    waiting = propose(world, "provider_editor", service, fees="£1")
    ws.change_request_submit(actor=world.user("provider_editor"), change_request=waiting)
    client = as_role(client, world, "provider_editor")
    url = reverse("workflow:version-restore", args=[service.pk, version.number])
    response = client.post(url, follow=True)
    assert "The version could not be restored" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == State.SUBMITTED and waiting.proposed["fees"] == "£1"
    assert ChangeRequest.objects.count() == 1


# --- re-assure, hide, show -----------------------------------------------------------------


@pytest.mark.parametrize(("role", "scope", "allowed"), record_cells((Action.ASSURE,)))
def test_who_may_mark_a_service_as_checked(client, world, role, scope, allowed):
    service = target(world, role, scope)
    before = service.assured_date
    client = as_role(client, world, role)
    url = reverse("workflow:service-reassure", args=[service.pk])
    page = client.get(url)
    response = client.post(url)
    service.refresh_from_db()
    if allowed:
        assert page.status_code == 200 and "Mark as checked" in page.content.decode()
        assert response["Location"] == reverse("workflow:service-detail", args=[service.pk])
        assert service.assured_date == timezone.localdate()
        version = service.versions.get()
        assert version.source == Source.REVIEW
        assert AuditEvent.objects.filter(action=AuditAction.SERVICE_REASSURED).exists()
    else:
        expect_refused(page, role)
        expect_refused(response, role)
        assert service.assured_date == before
        assert not service.versions.exists()


def test_marking_as_checked_says_when_the_next_review_is(client, world):
    service = world.services["own"]
    client = as_role(client, world, "assurer")
    response = client.post(reverse("workflow:service-reassure", args=[service.pk]), follow=True)
    due = timezone.localdate() + dt.timedelta(days=90)
    assert f"Its next review is due on {due:%-d %B %Y}" in response.content.decode()


@pytest.mark.parametrize(("role", "scope", "allowed"), record_cells((Action.PUBLISH,)))
def test_who_may_hide_and_show_a_service(client, world, role, scope, allowed):
    service = target(world, role, scope)
    services_publish(service_ids=[service.pk])
    client = as_role(client, world, role)
    hide_url = reverse("workflow:service-hide", args=[service.pk])
    page = client.get(hide_url)
    response = client.post(hide_url, {"reason": "The phone line is down"})
    if allowed:
        assert page.status_code == 200
        assert response["Location"] == reverse("workflow:service-detail", args=[service.pk])
        assert HiddenService.objects.get(service=service).reason == "The phone line is down"
        assert not PublishedService.objects.filter(pk=service.pk).exists()
    else:
        expect_refused(page, role)
        expect_refused(response, role)
        assert not HiddenService.objects.exists()
        assert PublishedService.objects.filter(pk=service.pk).exists()
        HiddenService.objects.create(service=service, reason="Hidden by an admin")
    response = client.post(reverse("workflow:service-show", args=[service.pk]))
    if allowed:
        assert not HiddenService.objects.exists()
        assert PublishedService.objects.filter(pk=service.pk).exists()
    else:
        expect_refused(response, role)
        assert HiddenService.objects.filter(service=service).exists()


def test_hiding_needs_a_reason(client, world):
    service = world.services["own"]
    client = as_role(client, world, "directory_admin")
    response = client.post(reverse("workflow:service-hide", args=[service.pk]), {"reason": " "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter why the service is hidden" in html and "govuk-error-summary" in html
    assert html.count("<title>Error: ") == 1
    assert not HiddenService.objects.exists()
    assert client.get(reverse("workflow:service-show", args=[service.pk])).status_code == 405


# --- organisations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("anonymous", None),
        ("signed_in", None),
        ("partner_admin", None),
        ("assurer", None),
        ("provider_editor", {0}),
        ("self_assuring_provider_editor", {2}),
        ("frontline_worker", {0, 1, 2, 3}),
        ("directory_admin", {0, 1, 2, 3}),
    ],
)
def test_who_may_list_organisations_and_which(client, world, role, visible):
    organizations = [*world.extra["orgs"], world.services["unallocated"].organization]
    response = as_role(client, world, role).get(reverse("workflow:organization-list"))
    if visible is None:
        expect_refused(response, role)
        return
    html = response.content.decode()
    shown = {
        index
        for index, org in enumerate(organizations)
        if reverse("workflow:organization-detail", args=[org.pk]) in html
    }
    assert shown == visible


def test_organisations_are_searched_and_paged_at_a_constant_number_of_queries(
    client, world, settings, django_assert_max_num_queries
):
    settings.PORTAL_STAFF_PER_PAGE = 50
    client = as_role(client, world, "frontline_worker")
    url = reverse("workflow:organization-list")
    for _ in range(3):
        ServiceFactory(organization=OrganizationFactory())
    few = _queries(client, url)
    for _ in range(27):
        ServiceFactory(organization=OrganizationFactory())
    with django_assert_max_num_queries(few):
        assert client.get(url, {"page": "nope"}).status_code == 200
    named = OrganizationFactory(name="Hull Food Bank")
    html = client.get(url, {"q": "FOOD"}).content.decode()
    assert "1 organisation matches" in html and named.name in html


@pytest.mark.parametrize(
    ("role", "org_index", "allowed"),
    [
        ("provider_editor", 0, True),
        ("provider_editor", 1, False),
        ("self_assuring_provider_editor", 2, True),
        ("self_assuring_provider_editor", 0, False),
        ("frontline_worker", 1, True),
        ("directory_admin", 1, True),
        ("assurer", 0, False),
        ("partner_admin", 0, False),
        ("signed_in", 0, False),
        ("anonymous", 0, False),
    ],
)
def test_who_may_open_an_organisation(client, world, role, org_index, allowed):
    organization = world.extra["orgs"][org_index]
    response = as_role(client, world, role).get(
        reverse("workflow:organization-detail", args=[organization.pk])
    )
    if allowed:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Propose a new service" in html
        assert reverse("workflow:propose-service", args=[organization.pk]) in html
        service = Service.objects.filter(organization=organization).first()
        assert reverse("workflow:service-detail", args=[service.pk]) in html
    else:
        expect_refused(response, role)


def test_an_unknown_organisation_is_not_found(client, world):
    client = as_role(client, world, "directory_admin")
    url = reverse("workflow:organization-detail", args=[uuid.uuid4()])
    assert client.get(url).status_code == 404

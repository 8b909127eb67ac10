"""The assurance pages: the queue, the review (accept per field, reword, reject, ask) and the
conflict screen, over the roles and scopes of the permission matrix (tests/accounts/matrix.py).

Tasks run synchronously in tests and emails land in `mail.outbox`; the tests use the
transactional database so that the work queued after each commit (republish, emails) runs.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.policy import Action
from directory.models import Service
from publish.models import Feed
from tests.accounts.matrix import MATRIX, RECORD_SCOPES, ROLES, build_world
from tests.auth import sign_in
from workflow import services as ws
from workflow.documents import current_document
from workflow.models import ChangeRequest, Source, State

pytestmark = pytest.mark.django_db(transaction=True)

JANE = {
    "id": "6d9d3c1e-7a8f-4f39-9b1d-2f0a8a4c1a11",
    "name": "Jane Smith",
    "phones": [{"id": "0c8f2b5e-3d4a-4c1b-8e7f-9a6b5c4d3e21", "number": "07700 900123"}],
}


@pytest.fixture
def world():
    return build_world()


def _default_feed() -> Feed:
    """The feed /api/v3/ serves, as its data migration makes it (a transactional test's flush
    removes it)."""
    return Feed.objects.get_or_create(
        slug="main",
        defaults={
            "name": "All assured services",
            "is_default": True,
            "max_assurance_age_days": 365,
        },
    )[0]


def _propose(world, role="provider_editor", scope="own", **changes) -> ChangeRequest:
    """A submitted change by `role` to the `scope` service."""
    service = world.services[scope]
    return ws.change_request_save(
        actor=world.user(role),
        service=service,
        proposed={**current_document(service), **changes},
        submit=True,
    )


def _report(world, scope: str) -> ChangeRequest:
    return ws.report_create(
        service=world.services[scope],
        part="phone",
        corrected="01482 000000",
        note="The number rings out",
        email="reporter@example.com",
    )


def _target_scope(role: str, scope: str) -> str:
    """The service a cell asks about (the self-assuring provider's own is the self-assured)."""
    if scope == "own" and role.startswith("self_assuring"):
        return "self_assured"
    return scope


def _review(pk: int) -> str:
    return reverse("workflow:review", args=[pk])


def _conflict(pk: int) -> str:
    return reverse("workflow:conflict", args=[pk])


def _client_for(client, world, role):
    if role != "anonymous":
        sign_in(client, world.user(role))
    return client


def _is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:sign-in")
    )


# --- who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_queue_is_for_people_who_may_assure_some_record(client, world, role):
    response = _client_for(client, world, role).get(reverse("workflow:queue"))
    if role == "anonymous":
        assert _is_sign_in_redirect(response)
    elif any(MATRIX[role][Action.ASSURE]):
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["assurer", "self_assuring_provider_editor", "directory_admin"])
def test_the_queue_lists_only_what_the_person_may_assure(client, world, role):
    reports = {scope: _report(world, scope) for scope in ("own", "other", "unallocated")}
    reports["self_assured"] = _report(world, "self_assured")
    own_org, _, self_org = world.extra["orgs"]
    new_services = {
        org_key: ws.change_request_save(
            actor=world.user("frontline_worker"),
            organization=org,
            proposed={"id": str(uuid), "name": f"Warm space at {org.name}", "status": "active"},
            submit=True,
        )
        for org_key, org, uuid in (
            ("own_org", own_org, "8f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e51"),
            ("self_org", self_org, "8f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e52"),
        )
    }
    page = _client_for(client, world, role).get(reverse("workflow:queue")).content.decode()
    listed = {key for key, cr in reports.items() if _review(cr.pk) in page}
    listed |= {key for key, cr in new_services.items() if _review(cr.pk) in page}
    expected = {
        "assurer": {"own"},
        # The self-assuring provider's services are also assured by the "other" partner.
        "self_assuring_provider_editor": {"self_assured", "self_org"},
        "directory_admin": {"own", "other", "unallocated", "self_assured", "own_org", "self_org"},
    }[role]
    assert listed == expected


@pytest.mark.parametrize("role", ROLES)
def test_review_and_conflict_pages_over_the_matrix(client, world, role):
    """Allowed: the pages open and the decision is made. Refused: 404 to the signed in (their
    existence does not leak), the sign-in page to others, and nothing changes."""
    client = _client_for(client, world, role)
    for scope, allowed in zip(RECORD_SCOPES, MATRIX[role][Action.ASSURE], strict=True):
        service = world.services[_target_scope(role, scope)]
        change = _report(world, _target_scope(role, scope))
        events = AuditEvent.objects.count()
        responses = [
            client.get(_review(change.pk)),
            client.get(_conflict(change.pk)),
            client.post(_conflict(change.pk)),
        ]
        if allowed:
            assert responses[0].status_code == 200, scope
            assert "The number rings out" in responses[0].content.decode()
            # Nothing to resolve: the conflict page sends the assurer back to the review.
            assert [r.status_code for r in responses[1:]] == [302, 302]
        elif role == "anonymous":
            assert all(_is_sign_in_redirect(r) for r in responses), scope
        else:
            assert [r.status_code for r in responses] == [404, 404, 404], scope
        response = client.post(_review(change.pk), {"accept": ["phones"], "decision": "approve"})
        change.refresh_from_db()
        service.refresh_from_db()
        if allowed:
            assert response.status_code == 302 and response["Location"] == reverse("workflow:queue")
            assert change.state == State.APPROVED
            assert service.phones.get().number == "01482 000000"
        else:
            assert response.status_code == (302 if role == "anonymous" else 404)
            assert change.state == State.SUBMITTED
            assert not service.phones.exists()
            assert AuditEvent.objects.count() == events


def test_a_proposer_who_may_not_assure_cannot_open_the_review_of_their_own_change(client, world):
    change = _propose(world, name="Renamed")
    sign_in(client, world.user("provider_editor"))
    assert client.get(_review(change.pk)).status_code == 404


def test_a_new_service_is_reviewed_by_a_directory_admin_and_created(client, world):
    own_org = world.extra["orgs"][0]
    change = ws.change_request_save(
        actor=world.user("frontline_worker"),
        organization=own_org,
        proposed={
            "id": "8f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
            "name": "Warm space",
            "status": "active",
            "description": "Tea",
        },
        submit=True,
    )
    sign_in(client, world.user("assurer"))
    assert client.get(_review(change.pk)).status_code == 404
    client.logout()
    sign_in(client, world.user("directory_admin"))
    page = client.get(_review(change.pk)).content.decode()
    assert "Review a proposed new service: Warm space" in page
    response = client.post(
        _review(change.pk),
        {"accept": ["name", "description", "status"], "decision": "approve"},
    )
    assert response.status_code == 302
    assert Service.objects.get(name="Warm space").organization == own_org


# --- deciding -------------------------------------------------------------------------------


def test_accept_two_fields_reject_one_and_the_feed_shows_exactly_the_accepted(client, world):
    service = world.services["own"]
    change = _propose(world, name="Riverside lunch club", description="Soup", fees="£2 a meal")
    mail.outbox.clear()
    sign_in(client, world.user("assurer"))
    page = client.get(_review(change.pk)).content.decode()
    for label in ("Accept the change to Name", "Accept the change to Description"):
        assert label.split(" the")[0] in page
    response = client.post(
        _review(change.pk),
        {
            "accept": ["name", "fees"],
            "edit_name": "Riverside lunch club",
            "edit_description": "Soup",
            "edit_fees": "£2 a meal",
            "decision": "approve",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("workflow:queue")
    assert "Riverside lunch club: the name and fees are published" in response.content.decode()
    change.refresh_from_db()
    assert change.state == State.PARTLY_APPROVED
    assert change.accepted_fields == ["name", "fees"]
    _default_feed()
    feed = client.get(f"/api/v3/services/{service.pk}").json()
    assert feed["name"] == "Riverside lunch club"
    assert feed["fees"] == "£2 a meal"
    assert feed["description"] == "A weekly lunch club for older people."
    assert feed["assured_date"] == timezone.localdate().isoformat()
    (message,) = mail.outbox
    assert message.to == ["provider-editor@example.org"]
    assert "partly approved" in message.body


def test_the_assurer_rewords_a_field_before_approving(client, world):
    service = world.services["own"]
    change = _propose(world, name="lunch  club (NEW!!)")
    sign_in(client, world.user("assurer"))
    response = client.post(
        _review(change.pk),
        {"accept": ["name"], "edit_name": "Riverside lunch club", "decision": "approve"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Riverside lunch club"
    assert ChangeRequest.objects.get(pk=change.pk).state == State.APPROVED


def test_an_empty_name_is_refused_on_its_field(client, world):
    change = _propose(world, name="Another name")
    sign_in(client, world.user("assurer"))
    response = client.post(
        _review(change.pk), {"accept": ["name"], "edit_name": " ", "decision": "approve"}
    )
    assert response.status_code == 200
    assert "Enter the service&#x27;s name" in response.content.decode()
    assert world.services["own"].name == Service.objects.get(pk=change.service_id).name


def test_reject_needs_a_reason_and_tells_the_proposer(client, world):
    change = _propose(world, role="frontline_worker", name="Wrong name")
    mail.outbox.clear()
    sign_in(client, world.user("assurer"))
    response = client.post(_review(change.pk), {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    assert "Enter why the change is rejected" in response.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).state == State.SUBMITTED
    response = client.post(
        _review(change.pk), {"decision": "reject", "reason": "The name is right as it is"}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == State.REJECTED
    assert Service.objects.get(pk=change.service_id).name == "Own service"
    (message,) = mail.outbox
    assert message.to == ["frontline-worker@example.org"]
    assert "The name is right as it is" in message.body


def test_ask_for_more_information(client, world):
    change = _propose(world, fees="Some")
    mail.outbox.clear()
    sign_in(client, world.user("assurer"))
    response = client.post(_review(change.pk), {"decision": "ask", "question": ""})
    assert "Enter what you need to know" in response.content.decode()
    response = client.post(
        _review(change.pk), {"decision": "ask", "question": "How much, exactly?"}
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get(pk=change.pk).state == State.MORE_INFORMATION
    assert "How much, exactly?" in mail.outbox[0].body


def test_a_decided_change_shows_its_state_and_no_form(client, world):
    change = _propose(world, name="Renamed")
    ws.change_request_reject(actor=world.user("assurer"), change_request=change, reason="No")
    sign_in(client, world.user("assurer"))
    page = client.get(_review(change.pk)).content.decode()
    assert "Rejected" in page
    assert reverse("workflow:change-request", args=[change.pk]) in page
    assert 'name="decision"' not in page
    # Sending the form again decides nothing.
    response = client.post(_review(change.pk), {"accept": ["name"], "decision": "approve"})
    assert response.status_code == 302
    assert ChangeRequest.objects.get(pk=change.pk).state == State.REJECTED


# --- two assurers, one record ---------------------------------------------------------------


def test_conflicting_approvals_one_wins_the_other_rebases_and_nothing_is_lost(world, client):
    service = world.services["own"]
    provider_change = _propose(world, name="Provider's name")
    worker_change = _propose(world, role="frontline_worker", name="Worker's name", fees="Free")
    first = client
    sign_in(first, world.user("assurer"))
    second = sign_in(Client(), world.user("directory_admin"))
    # Both open their review before either decides.
    assert first.get(_review(provider_change.pk)).status_code == 200
    assert second.get(_review(worker_change.pk)).status_code == 200
    response = first.post(_review(provider_change.pk), {"accept": ["name"], "decision": "approve"})
    assert response.status_code == 302
    response = second.post(
        _review(worker_change.pk), {"accept": ["name", "fees"], "decision": "approve"}
    )
    assert response.status_code == 302 and response["Location"] == _conflict(worker_change.pk)
    service.refresh_from_db()
    assert (service.name, service.fees) == ("Provider's name", "")
    # The review warns of it too.
    assert "The record has changed since" in second.get(_review(worker_change.pk)).content.decode()
    page = second.get(_conflict(worker_change.pk)).content.decode()
    for text in ("Provider&#x27;s name", "Worker&#x27;s name", "Own service", "Free"):
        assert text in page
    response = second.post(_conflict(worker_change.pk))
    assert response.status_code == 302 and response["Location"] == _review(worker_change.pk)
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE_REBASED).count() == 1
    response = second.post(_review(worker_change.pk), {"accept": ["fees"], "decision": "approve"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.fees) == ("Provider's name", "Free")
    assert list(service.versions.values_list("number", flat=True)) == [2, 1]


# --- the personal data guard ----------------------------------------------------------------


def test_a_personal_mobile_is_flagged_and_cannot_be_approved_unconfirmed(client, world):
    service = world.services["own"]
    change = _propose(world, contacts=[JANE])
    sign_in(client, world.user("assurer"))
    page = client.get(_review(change.pk)).content.decode()
    assert "07700 900123" in page and "a mobile number of a contact who is a person" in page
    assert "The people named agreed to publish these details" in page
    response = client.post(_review(change.pk), {"accept": ["contacts"], "decision": "approve"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_personal_data_confirmed"' in page
    assert "Confirm that the people named agreed to publish these details" in page
    assert not service.contacts.exists()
    assert ChangeRequest.objects.get(pk=change.pk).state == State.SUBMITTED
    response = client.post(
        _review(change.pk),
        {"accept": ["contacts"], "decision": "approve", "personal_data_confirmed": "on"},
    )
    assert response.status_code == 302
    assert service.contacts.get().name == "Jane Smith"
    assert ChangeRequest.objects.get(pk=change.pk).personal_data_confirmed


def test_a_personal_email_typed_in_by_the_assurer_is_caught_too(client, world):
    change = _propose(world, email="info@example.org")
    sign_in(client, world.user("assurer"))
    page = client.get(_review(change.pk)).content.decode()
    assert "personal_data_confirmed" not in page
    response = client.post(
        _review(change.pk),
        {"accept": ["email"], "edit_email": "jane.smith@gmail.com", "decision": "approve"},
    )
    assert response.status_code == 200
    assert 'name="personal_data_confirmed"' in response.content.decode()
    assert Service.objects.get(pk=change.service_id).email != "jane.smith@gmail.com"


# --- query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("role", ["assurer", "directory_admin"])
def test_the_queue_makes_a_fixed_number_of_queries(
    client, world, size, role, django_assert_max_num_queries
):
    for number in range(size):
        source = ("phone", "closed", "other")[number % 3]
        ws.report_create(service=world.services["own"], part=source, email=f"r{number}@example.com")
    _propose(world, name="A provider's change")
    sign_in(client, world.user(role))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("workflow:queue"), {"q": "own", "source": "public"})
    assert response.status_code == 200
    assert response.content.decode().count("/review/") == size


def test_the_review_makes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    change = _propose(world, name="New", description="New words", fees="£1", contacts=[JANE])
    sign_in(client, world.user("assurer"))
    with django_assert_max_num_queries(25):
        assert client.get(_review(change.pk)).status_code == 200


# --- bad input ------------------------------------------------------------------------------


def test_filters_count_and_narrow_the_queue(client, world):
    _report(world, "own")
    _propose(world, name="Provider's name")
    _propose(world, role="frontline_worker", name="Worker's name")
    sign_in(client, world.user("assurer"))
    page = client.get(reverse("workflow:queue")).content.decode()
    for label in (
        "All (3)",
        "Reports from the public (1)",
        "Frontline workers&#x27; suggestions (1)",
    ):
        assert label in page
    page = client.get(reverse("workflow:queue"), {"source": "frontline"}).content.decode()
    assert page.count("/review/") == 1 and "Frontline worker&#x27;s suggestion" in page
    page = client.get(reverse("workflow:queue"), {"q": "nothing like it"}).content.decode()
    assert page.count("/review/") == 0 and "All (0)" in page


@pytest.mark.parametrize(
    "params",
    [{"page": "999"}, {"page": "x"}, {"source": "everything"}, {"q": "x" * 5000}, {"q": "%_\\"}],
)
def test_bad_queue_parameters_never_fail(client, world, params):
    _report(world, "own")
    sign_in(client, world.user("assurer"))
    assert client.get(reverse("workflow:queue"), params).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"accept": ["status"], "decision": "approve"},  # not a field this proposal changes
        {"accept": ["not_a_field"], "decision": "approve"},
        {"accept": ["name"], "decision": "publish everything"},
        {"accept": ["name"], "edit_name": "x" * 20_000, "decision": "approve"},
        {"accept": [], "decision": "approve"},
        {},
        {"accept": ["name"], "decision": "approve", "edit_status": "inactive", "edit_id": "x"},
    ],
)
def test_tampered_decisions_are_form_errors_and_change_nothing(client, world, data):
    change = _propose(world, name="Renamed")
    sign_in(client, world.user("assurer"))
    response = client.post(_review(change.pk), data)
    change.refresh_from_db()
    if data.get("edit_status"):
        # Unknown members are ignored: only the accepted name is applied, the status is not.
        assert response.status_code == 302
        assert Service.objects.get(pk=change.service_id).status == "active"
        return
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert change.state == State.SUBMITTED
    assert Service.objects.get(pk=change.service_id).name == "Own service"


def test_bad_change_request_numbers_are_not_found(client, world):
    sign_in(client, world.user("assurer"))
    assert client.get("/staff/changes/999999/review/").status_code == 404
    assert client.post("/staff/changes/999999/conflict/").status_code == 404
    assert client.get("/staff/changes/abc/review/").status_code == 404
    assert client.get("/staff/changes/99999999999999999999999/review/").status_code == 404


def test_the_waiting_time_is_in_days(client, world):
    change = _report(world, "own")
    ChangeRequest.objects.filter(pk=change.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=3, hours=2)
    )
    sign_in(client, world.user("assurer"))
    assert "3 days" in client.get(reverse("workflow:queue")).content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).source == Source.PUBLIC

"""The permission matrix (tests/accounts/matrix.py) through the staff pages.

Every cell of the table for the actions the staff pages serve (managing members, partners and
rules, reading the audit log) becomes requests: the pages each cell opens must answer 200, and its
forms must do their work (302); a refused person gets 403 (or the sign-in page, if not signed in)
and a refused POST changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    AllocationRule,
    AuditEvent,
    Invitation,
    Membership,
    Partner,
    PartnerKind,
    Role,
    RuleKind,
    hash_token,
)
from accounts.policy import Action
from core.models import BackgroundTask
from tests.accounts.matrix import Case, World, build_world, cases
from tests.auth import sign_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_ACTIONS = (
    Action.MANAGE_MEMBERS,
    Action.MANAGE_PARTNERS,
    Action.MANAGE_RULES,
    Action.VIEW_AUDIT_LOG,
    Action.MANAGE_TASKS,
)


@dataclass(frozen=True)
class Endpoint:
    """One request a cell of the matrix makes: `url(world, target)`, and form data for POSTs."""

    name: str
    method: str
    url: Callable[[World, Any], str]
    data: Callable[[World, Any], dict] = field(default=lambda world, target: {})
    scopes: tuple[str, ...] = ()  # only for these scopes (empty: all)


def _member(world: World, partner: Partner):
    return world.extra["members"][partner.pk]


def _rule(world: World) -> AllocationRule:
    return AllocationRule.objects.in_order().first()


ENDPOINTS: dict[Action, list[Endpoint]] = {
    Action.MANAGE_MEMBERS: [
        Endpoint(
            "partner list", "GET", lambda w, p: reverse("accounts:partner-list"), scopes=("own",)
        ),
        Endpoint(
            "partner page", "GET", lambda w, p: reverse("accounts:partner-detail", args=[p.pk])
        ),
        Endpoint(
            "invite form", "GET", lambda w, p: reverse("accounts:invitation-create", args=[p.pk])
        ),
        Endpoint(
            "roles form",
            "GET",
            lambda w, p: reverse("accounts:member-update", args=[p.pk, _member(w, p).pk]),
        ),
        Endpoint(
            "remove page",
            "GET",
            lambda w, p: reverse("accounts:member-remove", args=[p.pk, _member(w, p).pk]),
        ),
        Endpoint(
            "invite",
            "POST",
            lambda w, p: reverse("accounts:invitation-create", args=[p.pk]),
            lambda w, p: {"email": "new.person@example.org", "roles": [Role.FRONTLINE_WORKER]},
        ),
        Endpoint(
            "change roles",
            "POST",
            lambda w, p: reverse("accounts:member-update", args=[p.pk, _member(w, p).pk]),
            lambda w, p: {"roles": [Role.ASSURER, Role.FRONTLINE_WORKER]},
        ),
        Endpoint(
            "remove member",
            "POST",
            lambda w, p: reverse("accounts:member-remove", args=[p.pk, _member(w, p).pk]),
        ),
        Endpoint(
            "withdraw invitation",
            "POST",
            lambda w, p: reverse(
                "accounts:invitation-revoke", args=[p.pk, w.extra["invitations"][p.pk].pk]
            ),
        ),
    ],
    Action.MANAGE_PARTNERS: [
        Endpoint("add form", "GET", lambda w, t: reverse("accounts:partner-create")),
        Endpoint(
            "change form",
            "GET",
            lambda w, t: reverse("accounts:partner-update", args=[w.partners["own"].pk]),
        ),
        Endpoint(
            "add partner",
            "POST",
            lambda w, t: reverse("accounts:partner-create"),
            lambda w, t: {"name": "Hull Libraries", "kind": PartnerKind.COUNCIL_DEPARTMENT},
        ),
        Endpoint(
            "change partner",
            "POST",
            lambda w, t: reverse("accounts:partner-update", args=[w.partners["own"].pk]),
            lambda w, t: {"name": "Renamed CVS", "kind": PartnerKind.CVS, "is_active": "on"},
        ),
    ],
    Action.MANAGE_RULES: [
        Endpoint("rule list", "GET", lambda w, t: reverse("accounts:rule-list")),
        Endpoint("add form", "GET", lambda w, t: reverse("accounts:rule-create")),
        Endpoint(
            "rule page", "GET", lambda w, t: reverse("accounts:rule-detail", args=[_rule(w).pk])
        ),
        Endpoint(
            "change form", "GET", lambda w, t: reverse("accounts:rule-update", args=[_rule(w).pk])
        ),
        Endpoint(
            "delete page", "GET", lambda w, t: reverse("accounts:rule-delete", args=[_rule(w).pk])
        ),
        Endpoint("unallocated", "GET", lambda w, t: reverse("accounts:unallocated-services")),
        Endpoint(
            "add rule",
            "POST",
            lambda w, t: reverse("accounts:rule-create"),
            lambda w, t: {
                "partner": w.partners["other"].pk,
                "kind": RuleKind.LOCAL_AUTHORITY,
                "local_authority_code": "E06000010",
                "is_active": "on",
            },
        ),
        Endpoint(
            "change rule",
            "POST",
            lambda w, t: reverse("accounts:rule-update", args=[_rule(w).pk]),
            lambda w, t: {
                "partner": w.partners["other"].pk,
                "kind": RuleKind.POSTCODE_DISTRICTS,
                "postcode_districts": "HU5, HU6",
            },
        ),
        Endpoint(
            "move rule",
            "POST",
            lambda w, t: reverse("accounts:rule-move", args=[_rule(w).pk]),
            lambda w, t: {"direction": "down"},
        ),
        Endpoint(
            "delete rule", "POST", lambda w, t: reverse("accounts:rule-delete", args=[_rule(w).pk])
        ),
    ],
    Action.VIEW_AUDIT_LOG: [
        Endpoint("audit log", "GET", lambda w, t: reverse("accounts:audit-log")),
    ],
    Action.MANAGE_TASKS: [
        Endpoint("task list", "GET", lambda w, t: reverse("accounts:task-list")),
        Endpoint(
            "retry task",
            "POST",
            lambda w, t: reverse("accounts:task-retry", args=[w.extra["failed_task"].pk]),
        ),
    ],
}


def _staff_cases() -> list[Case]:
    return [case for case in cases() if case.action in STAFF_ACTIONS]


def _endpoints(case: Case, method: str) -> list[Endpoint]:
    return [
        endpoint
        for endpoint in ENDPOINTS[case.action]
        if endpoint.method == method and (not endpoint.scopes or case.scope in endpoint.scopes)
    ]


@pytest.fixture
def world(db) -> World:
    """The matrix's world, plus a member and an open invitation at each partner to act on."""
    world = build_world()
    world.extra["members"] = {}
    world.extra["invitations"] = {}
    for key in ("own", "other", "self_assuring"):
        partner = world.partners[key]
        world.extra["members"][partner.pk] = MembershipFactory(
            partner=partner,
            role=Role.FRONTLINE_WORKER,
            user=UserFactory(email=f"member-of-{key}@example.org"),
        ).user
        world.extra["invitations"][partner.pk] = Invitation.objects.create(
            partner=partner,
            email=f"invited-to-{key}@example.org",
            roles=[Role.ASSURER],
            token_hash=hash_token(f"token-{key}"),
            expires_at=timezone.now() + timedelta(days=7),
        )
    return world


def _client_for(client, world: World, role: str):
    if role != "anonymous":
        sign_in(client, world.user(role))
    return client


def fingerprint() -> tuple:
    """Everything the staff forms can change."""
    return (
        list(
            Partner.objects.order_by("pk").values_list(
                "pk", "name", "slug", "kind", "can_self_assure", "is_active"
            )
        ),
        list(
            Partner.organizations.through.objects.order_by("pk").values_list(
                "partner_id", "organization_id"
            )
        ),
        list(Membership.objects.order_by("pk").values_list("user_id", "partner_id", "role")),
        list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "email", "roles", "accepted_at", "revoked_at"
            )
        ),
        list(
            AllocationRule.objects.order_by("pk").values_list(
                "pk", "partner_id", "kind", "position", "is_active", "postcode_districts"
            )
        ),
        AuditEvent.objects.count(),
        list(BackgroundTask.objects.order_by("pk").values_list("pk", "status", "queued_at")),
    )


def _assert_refused(response, role: str, endpoint: Endpoint) -> None:
    if role == "anonymous":
        assert response.status_code == 302, endpoint.name
        assert response["Location"].startswith(reverse("accounts:sign-in")), endpoint.name
    else:
        assert response.status_code == 403, endpoint.name
        assert b"You do not have permission" in response.content, endpoint.name


@pytest.mark.parametrize("case", _staff_cases(), ids=lambda case: case.id)
def test_staff_pages_and_forms_follow_the_matrix(client, world, case):
    """Each page of the cell answers (or refuses); each form works (or is refused and changes
    nothing). Every POST runs in a savepoint rolled back afterwards, so each starts from the same
    world (one world per cell keeps the table fast)."""
    client = _client_for(client, world, case.role)
    target = world.target(case)
    for endpoint in _endpoints(case, "GET"):
        response = client.get(endpoint.url(world, target))
        if case.expected:
            assert response.status_code == 200, endpoint.name
        else:
            _assert_refused(response, case.role, endpoint)
    for endpoint in _endpoints(case, "POST"):
        savepoint = transaction.savepoint()
        try:
            before = fingerprint()
            response = client.post(endpoint.url(world, target), endpoint.data(world, target))
            if case.expected:
                assert response.status_code == 302, (endpoint.name, response.content[:3000])
                assert not response["Location"].startswith(reverse("accounts:sign-in"))
                assert fingerprint() != before, f"{endpoint.name} changed nothing"
            else:
                _assert_refused(response, case.role, endpoint)
                assert fingerprint() == before, f"refused {endpoint.name} changed something"
        finally:
            transaction.savepoint_rollback(savepoint)

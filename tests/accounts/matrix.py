"""The permission matrix: every role x every action x own / other partner / unallocated record.

Shared by the policy tests (tests/accounts/test_policy.py) and the HTTP tests of the staff pages
and API, so that both check the same table. `build_world()` makes the people and records the
table talks about; `cases()` yields one `Case` per cell; `world.target(case)` is the object the
cell asks about.

Scopes: for record actions, "own" is a service of the person's partner in the sense of their role
(allocated to it, for an assurer; run by it, for a provider editor), "other" one of another
partner, "unallocated" one that no rule covers, run by an organisation no partner runs. For
MANAGE_MEMBERS the scopes are the person's own partner and another partner (no "unallocated").
Site-wide actions have one scope, "site" (obj None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser

from accounts.models import (
    AllocationRule,
    AuditEvent,
    Partner,
    PartnerKind,
    Role,
    RuleKind,
    User,
)
from accounts.policy import Action
from accounts.services import allocation_recompute_all
from core.models import BackgroundTask, BackgroundTaskStatus
from directory.models import Service, Taxonomy
from publish.finder.models import SearchRecord
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    ServiceFactory,
    ServiceTypeAttributeFactory,
    TaxonomyTermFactory,
    UserFactory,
)

ROLES = (
    "anonymous",
    "signed_in",
    "frontline_worker",
    "provider_editor",
    "self_assuring_provider_editor",
    "assurer",
    "partner_admin",
    "directory_admin",
)
RECORD_SCOPES = ("own", "other", "unallocated")
PARTNER_SCOPES = ("own", "other")
SITE_SCOPES = ("site",)

Y, N = True, False
NONE_ON_RECORDS = (N, N, N)
NONE_ON_PARTNERS = (N, N)

# role -> action -> expected answers, one per scope of the action (see the module docstring).
#                         record actions: (own, other, unallocated)
#                         MANAGE_MEMBERS: (own, other); site-wide actions: (site,)
MATRIX: dict[str, dict[Action, tuple[bool, ...]]] = {
    "anonymous": {
        Action.VIEW_DRAFT: NONE_ON_RECORDS,
        Action.EDIT: NONE_ON_RECORDS,
        Action.SUGGEST: NONE_ON_RECORDS,
        Action.SUBMIT: NONE_ON_RECORDS,
        Action.ASSURE: NONE_ON_RECORDS,
        Action.PUBLISH: NONE_ON_RECORDS,
        Action.MANAGE_MEMBERS: NONE_ON_PARTNERS,
        Action.MANAGE_RULES: (N,),
        Action.MANAGE_PARTNERS: (N,),
        Action.VIEW_AUDIT_LOG: (N,),
        Action.MANAGE_TASKS: (N,),
        Action.VIEW_SEARCH_INSIGHT: (N,),
        Action.MANAGE_USERS: (N,),
        Action.MANAGE_TAXONOMIES: (N,),
        Action.IMPORT_RECORDS: (N,),
    },
    "signed_in": {
        Action.VIEW_DRAFT: NONE_ON_RECORDS,
        Action.EDIT: NONE_ON_RECORDS,
        Action.SUGGEST: NONE_ON_RECORDS,
        Action.SUBMIT: NONE_ON_RECORDS,
        Action.ASSURE: NONE_ON_RECORDS,
        Action.PUBLISH: NONE_ON_RECORDS,
        Action.MANAGE_MEMBERS: NONE_ON_PARTNERS,
        Action.MANAGE_RULES: (N,),
        Action.MANAGE_PARTNERS: (N,),
        Action.VIEW_AUDIT_LOG: (N,),
        Action.MANAGE_TASKS: (N,),
        Action.VIEW_SEARCH_INSIGHT: (N,),
        Action.MANAGE_USERS: (N,),
        Action.MANAGE_TAXONOMIES: (N,),
        Action.IMPORT_RECORDS: (N,),
    },
    "frontline_worker": {
        Action.VIEW_DRAFT: NONE_ON_RECORDS,
        Action.EDIT: NONE_ON_RECORDS,
        Action.SUGGEST: (Y, Y, Y),
        Action.SUBMIT: NONE_ON_RECORDS,
        Action.ASSURE: NONE_ON_RECORDS,
        Action.PUBLISH: NONE_ON_RECORDS,
        Action.MANAGE_MEMBERS: NONE_ON_PARTNERS,
        Action.MANAGE_RULES: (N,),
        Action.MANAGE_PARTNERS: (N,),
        Action.VIEW_AUDIT_LOG: (N,),
        Action.MANAGE_TASKS: (N,),
        Action.VIEW_SEARCH_INSIGHT: (N,),
        Action.MANAGE_USERS: (N,),
        Action.MANAGE_TAXONOMIES: (N,),
        Action.IMPORT_RECORDS: (N,),
    },
    "provider_editor": {
        Action.VIEW_DRAFT: (Y, N, N),
        Action.EDIT: (Y, N, N),
        Action.SUGGEST: NONE_ON_RECORDS,
        Action.SUBMIT: (Y, N, N),
        Action.ASSURE: NONE_ON_RECORDS,
        Action.PUBLISH: NONE_ON_RECORDS,
        Action.MANAGE_MEMBERS: NONE_ON_PARTNERS,
        Action.MANAGE_RULES: (N,),
        Action.MANAGE_PARTNERS: (N,),
        Action.VIEW_AUDIT_LOG: (N,),
        Action.MANAGE_TASKS: (N,),
        Action.VIEW_SEARCH_INSIGHT: (N,),
        Action.MANAGE_USERS: (N,),
        Action.MANAGE_TAXONOMIES: (N,),
        Action.IMPORT_RECORDS: (N,),
    },
    "self_assuring_provider_editor": {
        Action.VIEW_DRAFT: (Y, N, N),
        Action.EDIT: (Y, N, N),
        Action.SUGGEST: NONE_ON_RECORDS,
        Action.SUBMIT: (Y, N, N),
        Action.ASSURE: (Y, N, N),
        Action.PUBLISH: NONE_ON_RECORDS,
        Action.MANAGE_MEMBERS: NONE_ON_PARTNERS,
        Action.MANAGE_RULES: (N,),
        Action.MANAGE_PARTNERS: (N,),
        Action.VIEW_AUDIT_LOG: (N,),
        Action.MANAGE_TASKS: (N,),
        Action.VIEW_SEARCH_INSIGHT: (N,),
        Action.MANAGE_USERS: (N,),
        Action.MANAGE_TAXONOMIES: (N,),
        Action.IMPORT_RECORDS: (N,),
    },
    "assurer": {
        Action.VIEW_DRAFT: (Y, N, N),
        Action.EDIT: (Y, N, N),
        Action.SUGGEST: NONE_ON_RECORDS,
        Action.SUBMIT: NONE_ON_RECORDS,
        Action.ASSURE: (Y, N, N),
        Action.PUBLISH: NONE_ON_RECORDS,
        Action.MANAGE_MEMBERS: NONE_ON_PARTNERS,
        Action.MANAGE_RULES: (N,),
        Action.MANAGE_PARTNERS: (N,),
        Action.VIEW_AUDIT_LOG: (N,),
        Action.MANAGE_TASKS: (N,),
        Action.VIEW_SEARCH_INSIGHT: (N,),
        Action.MANAGE_USERS: (N,),
        Action.MANAGE_TAXONOMIES: (N,),
        Action.IMPORT_RECORDS: (N,),
    },
    "partner_admin": {
        Action.VIEW_DRAFT: NONE_ON_RECORDS,
        Action.EDIT: NONE_ON_RECORDS,
        Action.SUGGEST: NONE_ON_RECORDS,
        Action.SUBMIT: NONE_ON_RECORDS,
        Action.ASSURE: NONE_ON_RECORDS,
        Action.PUBLISH: NONE_ON_RECORDS,
        Action.MANAGE_MEMBERS: (Y, N),
        Action.MANAGE_RULES: (N,),
        Action.MANAGE_PARTNERS: (N,),
        Action.VIEW_AUDIT_LOG: (N,),
        Action.MANAGE_TASKS: (N,),
        Action.VIEW_SEARCH_INSIGHT: (N,),
        Action.MANAGE_USERS: (N,),
        Action.MANAGE_TAXONOMIES: (N,),
        Action.IMPORT_RECORDS: (N,),
    },
    "directory_admin": {
        Action.VIEW_DRAFT: (Y, Y, Y),
        Action.EDIT: (Y, Y, Y),
        Action.SUGGEST: (Y, Y, Y),
        Action.SUBMIT: (Y, Y, Y),
        Action.ASSURE: (Y, Y, Y),
        Action.PUBLISH: (Y, Y, Y),
        Action.MANAGE_MEMBERS: (Y, Y),
        Action.MANAGE_RULES: (Y,),
        Action.MANAGE_PARTNERS: (Y,),
        Action.VIEW_AUDIT_LOG: (Y,),
        Action.MANAGE_TASKS: (Y,),
        Action.VIEW_SEARCH_INSIGHT: (Y,),
        Action.MANAGE_USERS: (Y,),
        Action.MANAGE_TAXONOMIES: (Y,),
        Action.IMPORT_RECORDS: (Y,),
    },
}


def scopes_of(action: Action) -> tuple[str, ...]:
    if action == Action.MANAGE_MEMBERS:
        return PARTNER_SCOPES
    if action.is_site_action:
        return SITE_SCOPES
    return RECORD_SCOPES


@dataclass(frozen=True)
class Case:
    role: str
    action: Action
    scope: str
    expected: bool

    @property
    def id(self) -> str:
        verdict = "can" if self.expected else "cannot"
        return f"{self.role}-{verdict}-{self.action.value}-{self.scope}"


def cases() -> Iterator[Case]:
    """Every cell of MATRIX, checked to cover every role, action and scope."""
    assert set(MATRIX) == set(ROLES)
    for role in ROLES:
        assert set(MATRIX[role]) == set(Action), f"{role} must state every action"
        for action in Action:
            answers = MATRIX[role][action]
            scopes = scopes_of(action)
            assert len(answers) == len(scopes), f"{role} {action.name} needs {len(scopes)} answers"
            for scope, expected in zip(scopes, answers, strict=True):
                yield Case(role, action, scope, expected)


# Querysets the site-wide actions filter, for objects_user_can.
SITE_QUERYSETS = {
    Action.MANAGE_RULES: lambda: AllocationRule.objects.all(),
    Action.MANAGE_PARTNERS: lambda: Partner.objects.all(),
    Action.VIEW_AUDIT_LOG: lambda: AuditEvent.objects.all(),
    Action.MANAGE_TASKS: lambda: BackgroundTask.objects.all(),
    Action.VIEW_SEARCH_INSIGHT: lambda: SearchRecord.objects.all(),
    Action.MANAGE_USERS: lambda: User.objects.all(),
    Action.MANAGE_TAXONOMIES: lambda: Taxonomy.objects.all(),
    Action.IMPORT_RECORDS: lambda: BackgroundTask.objects.all(),  # imports run as tasks
}


@dataclass
class World:
    users: dict[str, Any]
    partners: dict[str, Partner]
    services: dict[str, Service]
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> Any:
        return self.users[role]

    def home_partner(self, role: str) -> Partner:
        return self.partners["self_assuring" if role.startswith("self_assuring") else "own"]

    def target(self, case: Case) -> Any:
        """The object a cell asks about (None for site-wide actions)."""
        if case.scope == "site":
            return None
        if case.action == Action.MANAGE_MEMBERS:
            return self.home_partner(case.role) if case.scope == "own" else self.partners["other"]
        if case.scope == "own" and case.role.startswith("self_assuring"):
            return self.services["self_assured"]
        return self.services[case.scope]

    def queryset(self, case: Case):
        """What objects_user_can filters for a cell."""
        if case.scope == "site":
            return SITE_QUERYSETS[case.action]()
        if case.action == Action.MANAGE_MEMBERS:
            return Partner.objects.all()
        return Service.objects.all()


def build_world() -> World:
    """Partners, rules, services and one person per role; permissions recomputed.

    - "own" partner (a CVS): assures services of type A, and runs organisation own_org;
    - "other" partner: assures type B, runs other_org;
    - "self_assuring" partner (a provider that may self-assure): runs self_org;
    - services: own (own_org, type A), other (other_org, type B), self_assured (self_org,
      type B, so the other partner assures it too), unallocated (an organisation no partner
      runs, no type).
    Everyone with a role holds it at "own", except the self-assuring provider editor.
    """
    type_a = TaxonomyTermFactory(name="Homelessness support")
    type_b = TaxonomyTermFactory(name="Debt counselling")
    own_org, other_org, self_org, loose_org = (OrganizationFactory() for _ in range(4))
    partners = {
        "own": PartnerFactory(name="Own CVS", organizations=[own_org]),
        "other": PartnerFactory(name="Other NHS", kind=PartnerKind.NHS, organizations=[other_org]),
        "self_assuring": PartnerFactory(
            name="Trusted Provider",
            kind=PartnerKind.PROVIDER,
            can_self_assure=True,
            organizations=[self_org],
        ),
    }
    for position, (partner, term) in enumerate(
        ((partners["own"], type_a), (partners["other"], type_b)), start=1
    ):
        AllocationRule.objects.create(
            partner=partner, kind=RuleKind.SERVICE_TYPE, taxonomy_term=term, position=position
        )
    services = {
        "own": ServiceFactory(name="Own service", organization=own_org),
        "other": ServiceFactory(name="Other service", organization=other_org),
        "self_assured": ServiceFactory(name="Self-assured service", organization=self_org),
        "unallocated": ServiceFactory(name="Unallocated service", organization=loose_org),
    }
    for key, term in (("own", type_a), ("other", type_b), ("self_assured", type_b)):
        ServiceTypeAttributeFactory(service=services[key], taxonomy_term=term)

    users: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "signed_in": UserFactory(email="signed-in@example.org"),
        "directory_admin": UserFactory(
            email="directory-admin@example.org", is_directory_admin=True
        ),
    }
    for role, member_role, partner in (
        ("frontline_worker", Role.FRONTLINE_WORKER, partners["own"]),
        ("provider_editor", Role.PROVIDER_EDITOR, partners["own"]),
        ("self_assuring_provider_editor", Role.PROVIDER_EDITOR, partners["self_assuring"]),
        ("assurer", Role.ASSURER, partners["own"]),
        ("partner_admin", Role.PARTNER_ADMIN, partners["own"]),
    ):
        users[role] = MembershipFactory(
            partner=partner, role=member_role, user__email=f"{role.replace('_', '-')}@example.org"
        ).user
    allocation_recompute_all()
    # A background task that failed, for the tasks page to list and retry.
    failed_task = BackgroundTask.objects.create(
        label="Publish 1 service to the open feed",
        func="publish.tasks.publish_services",
        args=[[str(services["own"].pk)]],
        status=BackgroundTaskStatus.FAILED,
        error="Traceback (most recent call last):\nOperationalError: database is locked",
        attempts=1,
    )
    # A search someone made in the finder, for search insight to show.
    SearchRecord.objects.create(month=dt.date(2026, 3, 1), text="food bank", result_count=0)
    return World(
        users=users,
        partners=partners,
        services=services,
        extra={
            "type_a": type_a,
            "type_b": type_b,
            "orgs": (own_org, other_org, self_org),
            "failed_task": failed_task,
        },
    )

"""The one place that answers "may this person do X to this record?".

Views, forms, the API, the workflow and publish apps ask `user_can`, `objects_user_can` and
`users_who_can` and nothing else: never `user.has_perm`, never guardian, never the membership
tables. The answers combine

- the site-wide directory admin role (`User.is_directory_admin`, or a superuser): everything;
- partner roles (`Membership`): frontline workers suggest on any service, partner admins manage
  their own partner's members;
- per-service object permissions kept by the allocation (`accounts.services.allocation`): the
  allocated partner's assurer group holds assure, change and view-draft; the provider editor
  group of a partner running the service's organisation holds change, view-draft and submit
  (and assure when the partner may self-assure).

Anonymous and inactive users can do none of these. Answers are cached on the user object, which
lives for one request (like Wagtail's `permission_cache_name`); call `clear_cache(user)` after
changing that user's roles within the same request.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from accounts.models import (
    AuditEvent,
    Membership,
    Partner,
    Role,
    ServiceGroupObjectPermission,
    ServiceUserObjectPermission,
)
from accounts.models import permissions as codenames
from directory.models import Organization, Service


class Action(enum.Enum):
    """What someone may want to do. `obj` is a Service (or Organization), a Partner, or None."""

    VIEW_DRAFT = "view_draft"  # see unpublished changes and unassured records
    EDIT = "edit"  # change a record directly (or create one, for an organisation)
    SUGGEST = "suggest"  # propose a change or a new service for an assurer to review
    SUBMIT = "submit"  # send one's own changes for assurance
    ASSURE = "assure"  # approve, edit or reject changes; carry out periodic reviews
    PUBLISH = "publish"  # publish, unpublish or hide at once
    MANAGE_MEMBERS = "manage_members"  # invite, change roles, remove (obj: a Partner)
    MANAGE_RULES = "manage_rules"  # allocation rules (site-wide)
    MANAGE_PARTNERS = "manage_partners"  # create and change partners (site-wide)
    VIEW_AUDIT_LOG = "view_audit_log"  # read the audit log (site-wide)
    MANAGE_TASKS = "manage_tasks"  # see background tasks and retry failed ones (site-wide)
    VIEW_SEARCH_INSIGHT = "view_search_insight"  # read the finder's search records (site-wide)
    MANAGE_USERS = "manage_users"  # reset someone's two-factor authentication (site-wide)
    MANAGE_TAXONOMIES = "manage_taxonomies"  # legacy and local classifications (site-wide)
    IMPORT_RECORDS = "import_records"  # import ORUK files from the staff pages (site-wide)

    @property
    def is_record_action(self) -> bool:
        return self in RECORD_ACTIONS

    @property
    def is_site_action(self) -> bool:
        return self in SITE_ACTIONS


# Record actions backed by a per-service object permission.
CODENAMES = {
    Action.VIEW_DRAFT: codenames.VIEW_DRAFT,
    Action.EDIT: codenames.CHANGE,
    Action.SUBMIT: codenames.SUBMIT,
    Action.ASSURE: codenames.ASSURE,
}
RECORD_ACTIONS = frozenset({*CODENAMES, Action.SUGGEST, Action.PUBLISH})
SITE_ACTIONS = frozenset(
    {
        Action.MANAGE_RULES,
        Action.MANAGE_PARTNERS,
        Action.VIEW_AUDIT_LOG,
        Action.MANAGE_TASKS,
        Action.VIEW_SEARCH_INSIGHT,
        Action.MANAGE_USERS,
        Action.MANAGE_TAXONOMIES,
        Action.IMPORT_RECORDS,
    }
)

CACHE_NAME = "_accounts_policy_cache"


@dataclass
class _Rights:
    """What one user holds, loaded once per request."""

    is_admin: bool
    # partner ids per role, active partners only
    partners: dict[str, frozenset[int]]
    self_assuring_partners: frozenset[int]
    checker: ObjectPermissionChecker | None = None
    _organizations: dict[bool, frozenset] = field(default_factory=dict)

    def has_role(self, role: str) -> bool:
        return bool(self.partners.get(role))

    def organization_ids(self, *, self_assuring: bool = False) -> frozenset:
        """Organisations run by the user's provider-editor partners (or the self-assuring ones)."""
        if self_assuring not in self._organizations:
            partner_ids = self.partners.get(Role.PROVIDER_EDITOR, frozenset())
            if self_assuring:
                partner_ids = partner_ids & self.self_assuring_partners
            ids = Partner.organizations.through.objects.filter(
                partner_id__in=partner_ids
            ).values_list("organization_id", flat=True)
            self._organizations[self_assuring] = frozenset(ids) if partner_ids else frozenset()
        return self._organizations[self_assuring]


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _rights(user: Any) -> _Rights:
    rights = getattr(user, CACHE_NAME, None)
    if rights is None:
        is_admin = bool(user.is_superuser or getattr(user, "is_directory_admin", False))
        partners: dict[str, set[int]] = {}
        self_assuring: set[int] = set()
        if not is_admin:
            rows = Membership.objects.filter(user=user, partner__is_active=True).values_list(
                "role", "partner_id", "partner__can_self_assure"
            )
            for role, partner_id, can_self_assure in rows:
                partners.setdefault(role, set()).add(partner_id)
                if can_self_assure:
                    self_assuring.add(partner_id)
        rights = _Rights(
            is_admin=is_admin,
            partners={role: frozenset(ids) for role, ids in partners.items()},
            self_assuring_partners=frozenset(self_assuring),
        )
        setattr(user, CACHE_NAME, rights)
    return rights


def clear_cache(user: Any) -> None:
    """Forget the cached answers for `user` (after changing their roles in this request)."""
    if user is not None and hasattr(user, CACHE_NAME):
        delattr(user, CACHE_NAME)


def is_directory_admin(user: Any) -> bool:
    return _is_signed_in(user) and _rights(user).is_admin


def user_can(user: Any, action: Action | str, obj: models.Model | None = None) -> bool:
    """May `user` do `action` to `obj`?

    `obj` is a `Service` for record actions (an unsaved one, or an `Organization`, asks about
    creating a service for that organisation), a `Partner` for MANAGE_MEMBERS, and None for
    site-wide actions. For a record action, `obj=None` asks whether the user may do it to some
    record at all (to show a menu item or gate a create form); the record itself must still be
    checked.
    """
    action = Action(action)
    if not _is_signed_in(user):
        return False
    rights = _rights(user)
    if rights.is_admin:
        return True
    if action.is_site_action or action == Action.PUBLISH:
        return False
    if action == Action.MANAGE_MEMBERS:
        partner_ids = rights.partners.get(Role.PARTNER_ADMIN, frozenset())
        if obj is None:
            return bool(partner_ids)
        _expect(obj, Partner, action)
        return obj.pk in partner_ids
    if action == Action.SUGGEST:
        if obj is not None:
            _expect(obj, (Service, Organization), action)
        return rights.has_role(Role.FRONTLINE_WORKER)
    # VIEW_DRAFT, EDIT, SUBMIT, ASSURE
    if obj is None:
        return _may_on_some_record(rights, action)
    if isinstance(obj, Service) and obj._state.adding:
        if obj.organization_id is None:
            return _may_on_some_record(rights, action)
        return _may_on_organization(rights, action, obj.organization_id)
    if isinstance(obj, Organization):
        return _may_on_organization(rights, action, obj.pk)
    _expect(obj, Service, action)
    if rights.checker is None:
        rights.checker = ObjectPermissionChecker(user)
    return rights.checker.has_perm(CODENAMES[action], obj)


def objects_user_can(user: Any, action: Action | str, queryset: models.QuerySet) -> models.QuerySet:
    """The part of `queryset` on which `user` may do `action`, as a queryset (never a list).

    Takes a queryset of Service, Organization, Partner or AuditEvent. Filtering costs a constant
    number of queries however many rows there are (subqueries over the permission tables).
    """
    action = Action(action)
    model = queryset.model
    if not _is_signed_in(user):
        return queryset.none()
    rights = _rights(user)
    if rights.is_admin:
        return queryset.all()
    if action.is_site_action or action == Action.PUBLISH:
        return queryset.none()
    if action == Action.MANAGE_MEMBERS:
        _expect_model(model, Partner, action)
        return queryset.filter(pk__in=rights.partners.get(Role.PARTNER_ADMIN, frozenset()))
    if action == Action.SUGGEST:
        _expect_model(model, (Service, Organization), action)
        return queryset.all() if rights.has_role(Role.FRONTLINE_WORKER) else queryset.none()
    if issubclass(model, Organization):
        return queryset.filter(pk__in=_organization_ids(rights, action))
    _expect_model(model, Service, action)
    return get_objects_for_user(
        user,
        f"directory.{CODENAMES[action]}",
        queryset,
        use_groups=True,
        any_perm=False,
        # Directory admins were answered above; superuser and model-wide permissions must not
        # widen the answer here, so only the object permission rows count.
        with_superuser=False,
        accept_global_perms=False,
    )


def users_who_can(
    action: Action | str, obj: models.Model | None = None, *, include_directory_admins: bool = False
) -> models.QuerySet:
    """The active people who may do `action` to `obj`: whom to notify.

    Directory admins may do everything, so they are left out unless `include_directory_admins`
    (e.g. to tell someone about an unallocated service, which only they can assure); for
    site-wide actions and PUBLISH they are the answer.
    """
    action = Action(action)
    users = get_user_model().objects.filter(is_active=True)
    admins = models.Q(is_directory_admin=True) | models.Q(is_superuser=True)
    if action.is_site_action or action == Action.PUBLISH:
        return users.filter(admins)
    members = Membership.objects.filter(partner__is_active=True)
    if action == Action.MANAGE_MEMBERS:
        _expect(obj, Partner, action)
        holders = models.Q(
            pk__in=members.filter(partner=obj, role=Role.PARTNER_ADMIN).values("user_id")
        )
    elif action == Action.SUGGEST:
        holders = models.Q(pk__in=members.filter(role=Role.FRONTLINE_WORKER).values("user_id"))
    elif isinstance(obj, Organization):
        editors = members.filter(role=Role.PROVIDER_EDITOR, partner__organizations=obj)
        if action == Action.ASSURE:
            editors = editors.filter(partner__can_self_assure=True)
        holders = models.Q(pk__in=editors.values("user_id"))
    else:
        _expect(obj, Service, action)
        codename = CODENAMES[action]
        groups = ServiceGroupObjectPermission.objects.filter(
            content_object=obj, permission__codename=codename
        ).values("group_id")
        in_groups = get_user_model().groups.through.objects.filter(group_id__in=groups)
        direct = ServiceUserObjectPermission.objects.filter(
            content_object=obj, permission__codename=codename
        )
        holders = models.Q(pk__in=in_groups.values("user_id")) | models.Q(
            pk__in=direct.values("user_id")
        )
    if include_directory_admins:
        holders |= admins
    return users.filter(holders)


def prefetch(user: Any, services: Iterable[Service]) -> None:
    """Load `user`'s permissions on many services in two queries, so that a list page calling
    `user_can` on each row makes no query per row."""
    services = list(services)
    if not services or not _is_signed_in(user):
        return
    rights = _rights(user)
    if rights.is_admin:
        return
    if rights.checker is None:
        rights.checker = ObjectPermissionChecker(user)
    rights.checker.prefetch_perms(services)


def audit_events_visible_to(user: Any) -> models.QuerySet:
    """The audit log as `user` may read it (directory admins only)."""
    return objects_user_can(user, Action.VIEW_AUDIT_LOG, AuditEvent.objects.all())


def _may_on_some_record(rights: _Rights, action: Action) -> bool:
    provider = rights.has_role(Role.PROVIDER_EDITOR)
    assurer = rights.has_role(Role.ASSURER)
    if action in (Action.EDIT, Action.VIEW_DRAFT):
        return provider or assurer
    if action == Action.SUBMIT:
        return provider
    if action == Action.ASSURE:
        editors = rights.partners.get(Role.PROVIDER_EDITOR, frozenset())
        return assurer or bool(editors & rights.self_assuring_partners)
    return False


def _organization_ids(rights: _Rights, action: Action) -> frozenset:
    if action == Action.ASSURE:
        return rights.organization_ids(self_assuring=True)
    if action in (Action.EDIT, Action.VIEW_DRAFT, Action.SUBMIT):
        return rights.organization_ids()
    return frozenset()


def _may_on_organization(rights: _Rights, action: Action, organization_id) -> bool:
    return organization_id in _organization_ids(rights, action)


def _expect(obj: Any, types: type | tuple[type, ...], action: Action) -> None:
    if not isinstance(obj, types):
        raise TypeError(f"{action.name} is asked about {_names(types)}, not {obj!r}")


def _expect_model(model: type, types: type | tuple[type, ...], action: Action) -> None:
    if not issubclass(model, types):
        raise TypeError(f"{action.name} filters {_names(types)}, not {model.__name__}")


def _names(types: type | tuple[type, ...]) -> str:
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(t.__name__ for t in types)

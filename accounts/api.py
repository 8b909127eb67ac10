"""Django REST framework glue: API views that change data ask the policy through this class."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.policy import Action, user_can


class PolicyPermission(BasePermission):
    """Delegates to `accounts.policy`; a refusal is a 403 with a JSON `detail`.

    The view names the action per HTTP method in `policy_actions`, e.g.
    `{"POST": Action.SUGGEST, "PATCH": Action.EDIT, "DELETE": Action.PUBLISH}`, or one
    `permission_action` for every unsafe method. Safe methods (GET, HEAD, OPTIONS) with no action
    named are left to the view (the public API is read-only and open). A method that changes data
    with no action named is refused, so a new endpoint cannot forget to say what it does.

    `has_permission` asks about the action in general (obj=None: "may this person do it to some
    record?"); `has_object_permission` asks about the record itself.
    """

    message = "You do not have permission to do that."

    def action_for(self, request: Any, view: Any) -> Action | None:
        actions = getattr(view, "policy_actions", None) or {}
        action = actions.get(request.method)
        if action is None and request.method not in SAFE_METHODS:
            action = getattr(view, "permission_action", None)
        return Action(action) if action is not None else None

    def has_permission(self, request: Any, view: Any) -> bool:
        action = self.action_for(request, view)
        if action is None:
            if request.method in SAFE_METHODS:
                return True
            self._refuse()
        if not user_can(request.user, action, None):
            self._refuse()
        return True

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        action = self.action_for(request, view)
        if action is None:
            return request.method in SAFE_METHODS or self._refuse()
        if action.is_site_action:
            obj = None
        if not user_can(request.user, action, obj):
            self._refuse()
        return True

    def _refuse(self) -> bool:
        # Always 403, never 401: the API has no sign-in challenge to offer (session auth).
        raise exceptions.PermissionDenied(self.message)

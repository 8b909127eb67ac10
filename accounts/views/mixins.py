"""What every staff page shares: sign-in, the policy check, the page title."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from accounts.models import Partner
from accounts.policy import Action, user_can
from core.views import PageTitleMixin


class PolicyRequiredMixin(AccessMixin):
    """Signed-in people only (others go to the sign-in page), and only those the policy allows.

    A view names its `permission_action` (an `accounts.policy.Action`); `get_permission_object`
    returns the record the action is about (None for site-wide actions). A refusal is a 403,
    shown with the GOV.UK 403 page (core.views.permission_denied).
    """

    permission_action: Action | None = None

    def get_permission_object(self) -> models.Model | None:
        return None

    def dispatch(self, request, *args: Any, **kwargs: Any):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission_action is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set permission_action")
        if not user_can(request.user, self.permission_action, self.get_permission_object()):
            raise PermissionDenied("You do not have permission to see this page")
        return super().dispatch(request, *args, **kwargs)


class StaffPageMixin(PolicyRequiredMixin, PageTitleMixin):
    """A policy-checked page with a title."""


class PartnerMixin:
    """A page about one partner (URL `pk`), which is also what the policy is asked about."""

    kwargs: dict[str, Any]

    @cached_property
    def partner(self) -> Partner:
        return get_object_or_404(Partner, pk=self.kwargs["pk"])

    def get_permission_object(self) -> Partner:
        return self.partner

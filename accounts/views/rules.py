"""Allocation rules (directory admins): list in order, add, change, preview, reorder, delete;
and the services no rule covers."""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts import presenters
from accounts.forms import RULE_MODEL_FIELDS, RuleForm, RuleUpdateForm, add_service_errors
from accounts.models import AllocationRule, RuleKind
from accounts.policy import Action, user_can
from accounts.services import (
    latest_recompute_all,
    rule_create,
    rule_delete,
    rule_placement,
    rule_preview,
    rule_reorder,
    rule_state,
    rule_update,
    unallocated_services,
)
from accounts.services.rules import POSITION_STEP
from core.components import pagination
from core.concurrency import StaleEdit, StaleEditViewMixin

from .mixins import StaffPageMixin


def _rules() -> models.QuerySet:
    return AllocationRule.objects.select_related("partner", "taxonomy_term", "service").in_order()


class BackgroundStatusMixin:
    """Gives the template `background_status`: whether the latest recompute of who assures which
    services is queued, running, finished or failed (templates/accounts/includes/)."""

    request: HttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            background_status=presenters.background_status(
                latest_recompute_all(),
                path=self.request.path,
                can_manage_tasks=user_can(self.request.user, Action.MANAGE_TASKS),
            ),
            **kwargs,
        )


class RuleMixin:
    """A page about one rule (URL `pk`); rules are site-wide, so the policy is asked about none."""

    kwargs: dict[str, Any]

    @cached_property
    def rule(self) -> AllocationRule:
        return get_object_or_404(_rules(), pk=self.kwargs["pk"])


class RuleListView(BackgroundStatusMixin, StaffPageMixin, TemplateView):
    permission_action = Action.MANAGE_RULES
    title = "Allocation rules"
    template_name = "accounts/rule_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rules = list(_rules().annotate(service_count=models.Count("allocations")))
        return super().get_context_data(
            table=presenters.rule_table(rules, csrf_token=get_token(self.request)), **kwargs
        )


class RuleDetailView(RuleMixin, BackgroundStatusMixin, StaffPageMixin, TemplateView):
    permission_action = Action.MANAGE_RULES
    template_name = "accounts/rule_detail.html"

    def get_title(self) -> str:
        return f"Rule for {self.rule.partner.name}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rule = self.rule
        number = list(AllocationRule.objects.in_order().values_list("pk", flat=True)).index(rule.pk)
        return super().get_context_data(
            rule=rule,
            summary=presenters.rule_summary(rule, number=number + 1),
            preview=presenters.preview(rule_preview(rule=rule), saved=True),
            **kwargs,
        )


class RuleFormMixin:
    """Add or change a rule; the "Preview" button shows what it would do without saving."""

    form_class = RuleForm
    template_name = "accounts/rule_form.html"
    request: HttpRequest

    def unsaved_rule(self, form: RuleForm) -> AllocationRule:
        raise NotImplementedError

    def placement(self, form: RuleForm) -> AllocationRule | None:
        """The rule the previewed rule would go before (None: its own position)."""
        return None

    def save(self, form: RuleForm) -> tuple[AllocationRule, bool]:
        """Save the rule; say whether anything changed (and so was queued)."""
        raise NotImplementedError

    def form_valid(self, form: RuleForm) -> HttpResponse:
        if "preview" in self.request.POST:
            rule = self.unsaved_rule(form)
            try:
                rule.clean()
                before = self.placement(form)
            except ValidationError as error:
                add_service_errors(form, error, RULE_MODEL_FIELDS)
                return self.form_invalid(form)
            preview = presenters.preview(rule_preview(rule=rule, before=before))
            return self.render_to_response(self.get_context_data(form=form, preview=preview))
        try:
            rule, changed = self.save(form)
        except StaleEdit:
            return self.stale_response(form)
        except ValidationError as error:
            add_service_errors(form, error, RULE_MODEL_FIELDS)
            return self.form_invalid(form)
        detail_url = reverse("accounts:rule-detail", args=[rule.pk])
        if not changed:
            messages.success(self.request, "Nothing has changed: the rule is as it was")
        else:
            messages.success(
                self.request,
                presenters.queued_message(self.saved_text(rule), status_url=detail_url),
            )
        return redirect(detail_url)

    def saved_text(self, rule: AllocationRule) -> str:
        if not (rule.is_active and rule.partner.is_active):
            return "The rule has been saved. It is not in force, so it gives no services."
        if rule.kind == RuleKind.SERVICE:
            return (
                f"The rule has been saved: {rule.partner.name} will assure {rule.service.name} "
                "once the background work has finished."
            )
        return "The rule has been saved."


class RuleCreateView(RuleFormMixin, StaffPageMixin, FormView):
    permission_action = Action.MANAGE_RULES
    title = "Add an allocation rule"

    def get_initial(self) -> dict[str, Any]:
        # The unallocated list links here to allocate one service.
        initial = {"is_active": True}
        for name in ("kind", "service"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(back_link=reverse("accounts:rule-list"), **kwargs)

    def unsaved_rule(self, form: RuleForm) -> AllocationRule:
        last = AllocationRule.objects.aggregate(last=models.Max("position"))["last"]
        return AllocationRule(position=(last or 0) + POSITION_STEP, **form.rule_data())

    def placement(self, form: RuleForm) -> AllocationRule | None:
        data = form.rule_data()
        return rule_placement(kind=data["kind"], service=data["service"])

    def save(self, form: RuleForm) -> tuple[AllocationRule, bool]:
        return rule_create(actor=self.request.user, **form.rule_data()), True


class RuleUpdateView(StaleEditViewMixin, RuleMixin, RuleFormMixin, StaffPageMixin, FormView):
    permission_action = Action.MANAGE_RULES
    form_class = RuleUpdateForm

    def get_title(self) -> str:
        return f"Change the rule for {self.rule.partner.name}"

    def current_state(self) -> dict[str, Any]:
        return rule_state(self.rule)

    def fresh_initial(self) -> dict[str, Any]:
        return RuleForm.initial_for(AllocationRule.objects.get(pk=self.rule.pk))

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), **RuleForm.initial_for(self.rule)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            back_link=reverse("accounts:rule-detail", args=[self.rule.pk]), **kwargs
        )

    def unsaved_rule(self, form: RuleForm) -> AllocationRule:
        # A copy keeps the rule's id and position, so the preview also counts what it releases.
        rule = copy.copy(self.rule)
        for name, value in form.rule_data().items():
            setattr(rule, name, value)
        return rule

    def save(self, form: RuleUpdateForm) -> tuple[AllocationRule, bool]:
        rule = rule_update(
            rule=self.rule,
            actor=self.request.user,
            data=form.rule_data(),
            expected_version=form.loaded_version,
        )
        return rule, rule_state(rule) != rule_state(self.rule)


class RuleDeleteView(RuleMixin, StaffPageMixin, TemplateView):
    """Asks to confirm (GET), then deletes (POST)."""

    permission_action = Action.MANAGE_RULES
    template_name = "accounts/rule_confirm_delete.html"

    def get_title(self) -> str:
        return "Delete this rule?"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            rule=self.rule,
            summary=presenters.rule_summary(self.rule),
            back_link=reverse("accounts:rule-detail", args=[self.rule.pk]),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rule_delete(rule=self.rule, actor=request.user)
        messages.success(
            request,
            presenters.queued_message(
                "The rule has been deleted. Its services move to the next rule that covers "
                "them, or become unallocated, once the background work has finished."
            ),
        )
        return redirect("accounts:rule-list")


class RuleMoveView(RuleMixin, StaffPageMixin, View):
    """Move a rule one place up or down (POST `direction`)."""

    permission_action = Action.MANAGE_RULES
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rules = list(AllocationRule.objects.in_order())
        index = [rule.pk for rule in rules].index(self.rule.pk)
        step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
        if step is not None and 0 <= index + step < len(rules):
            rules[index], rules[index + step] = rules[index + step], rules[index]
            rule_reorder(rules=rules, actor=request.user)
            messages.success(
                request,
                presenters.queued_message(
                    f"The rule for {self.rule.partner.name} is now rule {index + step + 1}."
                ),
            )
        return redirect(reverse("accounts:rule-list") + f"#rule-{self.rule.pk}")


class UnallocatedServiceListView(BackgroundStatusMixin, StaffPageMixin, TemplateView):
    """Services no rule covers: only directory admins can assure them until a rule does."""

    permission_action = Action.MANAGE_RULES
    title = "Unallocated services"
    template_name = "accounts/service_unallocated_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        services = unallocated_services().select_related("organization").order_by("name", "id")
        page = Paginator(services, settings.PORTAL_STAFF_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            table=presenters.service_table(page.object_list, with_rule_link=True),
            count=page.paginator.count,
            pagination=pagination(page, self.request),
            **kwargs,
        )

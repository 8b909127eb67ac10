"""The data quality dashboard (/staff/quality/) and the list behind each of its counts.

Assurers see the services they may assure (their allocated partner's); directory admins see
every service, with counts per partner. Nothing here writes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from accounts.models import Partner
from accounts.policy import is_directory_admin
from core.components import pagination
from core.paging import IdsFirstPaginator
from core.views import PageTitleMixin, bad_request
from directory.models import Service
from workflow.views.records import AnyActionRequiredMixin

from . import dashboard, presenters


class DashboardAccessMixin(AnyActionRequiredMixin):
    """Signed-in assurers and directory admins (the policy's ASSURE on some record)."""

    def has_permission(self) -> bool:
        return dashboard.may_see_dashboard(self.request.user)


class QualityDashboardView(DashboardAccessMixin, PageTitleMixin, TemplateView):
    title = "Data quality"
    template_name = "workflow/quality/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        found = dashboard.counts(user)
        admin = is_directory_admin(user)
        return super().get_context_data(
            items=presenters.dashboard_items(user, found),
            partners=presenters.partner_table(user, found),
            show_partners=admin or len(found.partners) > 1,
            admin=admin,
            low_score=dashboard.low_score(),
            **kwargs,
        )


class QualityProblemListView(DashboardAccessMixin, PageTitleMixin, TemplateView):
    """The services with one problem (of one partner, with `?partner=`), 50 a page."""

    template_name = "workflow/quality/problem_list.html"

    @cached_property
    def problem(self) -> dashboard.Problem:
        problem = dashboard.PROBLEMS_BY_SLUG.get(self.kwargs["problem"])
        if problem is None or problem not in dashboard.problems_for(self.request.user):
            raise Http404("No such list")
        return problem

    def get_title(self) -> str:
        return self.problem.title

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        partner = request.GET.get("partner", "")
        if partner and not dashboard.is_partner_choice(partner):
            return bad_request(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        partner = self.request.GET.get("partner", "")
        services = dashboard.problem_services(self.request.user, self.problem, partner)
        page = IdsFirstPaginator(
            services.order_by("name", "pk"),
            settings.PORTAL_STAFF_PER_PAGE,
            lambda ids: Service.objects.filter(pk__in=ids).select_related(
                "organization", "allocation__partner", "quality"
            ),
        ).get_page(self.request.GET.get("page"))
        partner_name = ""
        if partner == dashboard.NOT_ALLOCATED:
            partner_name = "Not allocated"
        elif partner:
            partner_name = Partner.objects.filter(pk=partner).values_list("name", flat=True).first()
            if partner_name is None:
                raise Http404("No such partner")
        return super().get_context_data(
            description=self.problem.describe(),
            partner_name=partner_name,
            table=presenters.problem_table(self.problem, page.object_list),
            count=page.paginator.count,
            first=page.start_index(),
            last=page.end_index(),
            pagination=pagination(page, self.request),
            back_link=reverse("quality:dashboard"),
            **kwargs,
        )

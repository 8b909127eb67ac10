"""Legacy classification pages (directory admins): the schemes with their counts, upload a CSV of
categories, a scheme's categories a page at a time, and the mapping of one category."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from accounts.policy import Action
from accounts.views.mixins import StaffPageMixin
from core.components import pagination
from core.concurrency import StaleEdit, StaleEditViewMixin
from directory.models import TaxonomyTerm

from . import legacy_presenters as presenters
from .legacy import (
    legacy_category_map,
    legacy_category_state,
    legacy_scheme_upload,
    lga_service_types,
)
from .legacy_forms import LegacyCategoryMapForm, LegacyUploadForm
from .models import LegacyCategory, LegacyScheme

SEARCH_RESULTS = 30  # LGA service types a search lists at most


class LegacySchemeListView(StaffPageMixin, TemplateView):
    permission_action = Action.MANAGE_TAXONOMIES
    title = "Legacy classifications"
    template_name = "workflow/tagging/scheme_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        schemes = LegacyScheme.objects.with_counts().order_by("name", "pk")
        return super().get_context_data(table=presenters.scheme_table(schemes), **kwargs)


class LegacyUploadView(StaffPageMixin, FormView):
    permission_action = Action.MANAGE_TAXONOMIES
    title = "Upload a legacy classification"
    template_name = "workflow/tagging/upload.html"
    form_class = LegacyUploadForm

    def get_initial(self) -> dict[str, Any]:
        scheme = self.request.GET.get("scheme", "")
        if scheme.isdigit():
            found = LegacyScheme.objects.filter(pk=scheme).first()
            if found is not None:
                return {"name": found.name}
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(back_link=reverse("workflow:classification-list"), **kwargs)

    def form_valid(self, form: LegacyUploadForm) -> HttpResponse:
        try:
            result = legacy_scheme_upload(
                actor=self.request.user, name=form.cleaned_data["name"], rows=form.rows
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        messages.success(self.request, presenters.upload_message(result))
        return redirect(result.scheme.get_absolute_url())


class SchemeMixin:
    kwargs: dict[str, Any]

    @cached_property
    def scheme(self) -> LegacyScheme:
        return get_object_or_404(LegacyScheme.objects.with_counts(), pk=self.kwargs["pk"])


class LegacySchemeDetailView(SchemeMixin, StaffPageMixin, TemplateView):
    """A scheme's categories, in file order, a page at a time (a constant number of queries)."""

    permission_action = Action.MANAGE_TAXONOMIES
    template_name = "workflow/tagging/scheme_detail.html"

    def get_title(self) -> str:
        return self.scheme.name

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        show = self.request.GET.get("show", "")
        categories = self.scheme.categories.in_file_order()
        if show == "unmapped":
            categories = categories.unmapped()
        elif show == "mapped":
            categories = categories.mapped()
        categories = categories.select_related("mapped_by").prefetch_related(
            models.Prefetch("service_types", TaxonomyTerm.objects.order_by("name", "pk"))
        )
        paginator = Paginator(categories, settings.PORTAL_LEGACY_CATEGORIES_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        return super().get_context_data(
            scheme=self.scheme,
            summary=presenters.scheme_summary(self.scheme),
            filters=presenters.filter_links(self.request.path, show),
            table=presenters.category_table(self.scheme, page.object_list),
            pagination=pagination(page, self.request),
            **kwargs,
        )


class LegacyCategoryMapView(StaleEditViewMixin, SchemeMixin, StaffPageMixin, FormView):
    """Map one category: its current types, the assistant's suggestions (ticked only when the
    person asks to accept them), and a search; saving takes exactly what is ticked."""

    permission_action = Action.MANAGE_TAXONOMIES
    template_name = "workflow/tagging/category_map.html"
    form_class = LegacyCategoryMapForm

    @cached_property
    def category(self) -> LegacyCategory:
        return get_object_or_404(
            self.scheme.categories.prefetch_related("service_types"), pk=self.kwargs["category"]
        )

    def get_title(self) -> str:
        return f"Map {self.category.label}"

    @cached_property
    def suggestions(self) -> list:
        from .suggest import suggest_service_types

        category = self.category
        return suggest_service_types(category.label, category.parent_label, limit=5)

    def posted_ids(self) -> list[str]:
        if self.request.method != "POST":
            return []
        return [v for v in self.request.POST.getlist("service_types") if _is_uuid(v)]

    def search_text(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return source.get("search", "").strip()[:100]

    def current_state(self) -> dict[str, Any]:
        return legacy_category_state(self.category.service_types.values_list("pk", flat=True))

    def fresh_initial(self) -> dict[str, Any]:
        return self.current_state()

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        current = list(self.category.service_types.all())
        found = []
        text = self.search_text()
        if text:
            found = list(
                lga_service_types()
                .filter(models.Q(name__icontains=text) | models.Q(alt_label__icontains=text))
                .order_by("name", "pk")[:SEARCH_RESULTS]
            )
        ticked = list(lga_service_types().filter(pk__in=self.posted_ids()))
        kwargs["choices"] = presenters.type_choices(
            current=current, ticked=ticked, suggestions=self.suggestions, found=found
        )
        if self.request.method != "POST":
            initial = [str(t.pk) for t in current]
            if self.request.GET.get("accept") and self.suggestions:
                top = str(self.suggestions[0].term.pk)
                initial += [top] if top not in initial else []
            kwargs["initial"] = {**kwargs["initial"], "service_types": initial, "search": text}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        category = self.category
        return super().get_context_data(
            scheme=self.scheme,
            category=category,
            summary=presenters.category_summary(category),
            suggestions=presenters.suggestion_rows(self.suggestions),
            accept_url=f"{self.request.path}?accept=1",
            back_link=self.scheme.get_absolute_url(),
            searched=bool(self.search_text()),
            **kwargs,
        )

    def form_valid(self, form: LegacyCategoryMapForm) -> HttpResponse:
        if "find" in self.request.POST:
            # Searching keeps what is ticked: show the form again with the results added.
            return self.render_to_response(self.get_context_data(form=form))
        chosen = list(lga_service_types().filter(pk__in=form.cleaned_data["service_types"]))
        try:
            changed = legacy_category_map(
                actor=self.request.user,
                category=self.category,
                service_types=chosen,
                expected_version=form.loaded_version,
            )
        except StaleEdit:
            return self.stale_response(form)
        except ValidationError as error:
            form.add_error("service_types", error.message_dict.get("service_types", []))
            return self.form_invalid(form)
        messages.success(self.request, presenters.mapped_message(self.category, chosen, changed))
        if "next" in self.request.POST:
            following = (
                self.scheme.categories.unmapped()
                .in_file_order()
                .filter(position__gt=self.category.position)
                .first()
            )
            if following is not None:
                return redirect(following.get_absolute_url())
        return redirect(self.scheme.get_absolute_url())


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True

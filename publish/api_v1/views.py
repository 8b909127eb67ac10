"""The ORUK 1.0 API: what the LGA Service Finder and ServiceFinder call, from published snapshots.

Requests as the clients send them (cited in `params.py`), pages as they read them (`pages.py`),
services as they parse them (`render.py`), rendered from the stored ORUK 3.0 documents of
`publish.PublishedService` and filtered on the same snapshot columns as `/api/v3/`
(`filters.py`), so nothing here reads a live directory record. Taxonomies are served from the
live taxonomy tables, as `/api/v3/taxonomies` is (reference data, not assured records).

Open access, `Access-Control-Allow-Origin: *` (`publish.api.middleware`), ETags and caching as on
`/api/v3/`; a bad parameter answers 400 naming it, an unknown id or path 404, both in JSON.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from django.db import models
from django.http import HttpRequest, HttpResponse

from directory.models import Taxonomy, TaxonomyTerm, TermMapping
from directory.models.taxonomy import PATH_STEP
from publish.api.errors import NotFound
from publish.api.views import OrukView

from . import params as p
from .filters import filter_services
from .pages import JSON, page_response
from .render import ServiceRenderer
from .terms import Vocabularies, resolve, term_id, vocabulary_scope

ORUK_1_SPECIFICATION = "https://github.com/OpenReferralUK/human-services"


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class V1View(OrukView):
    """`/api/v3/`'s base (open access, the feed, JSON errors) with 1.0 parameter handling."""

    dialect_tag = "v1:"

    def check_parameters(self, request: HttpRequest) -> None:
        """Each view checks its own parameters as it reads them (1.0 clients repeat some)."""

    def filter_values(self, request: HttpRequest) -> list:
        # Repeated parameters count, in their order (sets pair up by position).
        return sorted((k, v) for k, v in request.GET.lists() if k not in ("page", "include"))

    def version_tag(self) -> str:
        """Taxonomies, terms and the needs mapping are read live: their changes move the ETag."""
        stamps = [
            model.objects.aggregate(latest=models.Max("updated_at"), count=models.Count("pk"))
            for model in (Taxonomy, TaxonomyTerm, TermMapping)
        ]
        return ":".join(f"{s['latest']}/{s['count']}" for s in stamps)

    @property
    def vocabularies(self) -> Vocabularies:
        if not hasattr(self, "_vocabularies"):
            self._vocabularies = Vocabularies(_digest(self.reference_version))
        return self._vocabularies


class ApiRootView(V1View):
    """What this is and where its endpoints are (1.0 defines no root document)."""

    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        base = request.build_absolute_uri(request.path.rstrip("/") + "/")
        body = {
            "version": "ORUK-1.0",
            "name": self.feed.name,
            "specification": ORUK_1_SPECIFICATION,
            "services": base + "services/",
            "taxonomies": base + "taxonomies/",
            "oruk_3_0": base.replace("/api/v1/", "/api/v3/", 1),
        }
        return HttpResponse(json.dumps(body), content_type=JSON)


class ServiceListView(V1View):
    """`/services/`: the parameters of `params.service_query`, meaning what `filters.py` says.

    Items are the reference API's list items (`ServiceSerializer`): the service's own members and
    its organization, plus each collection `include` names (the LGA Service Finder asks for
    `contacts,service_at_locations`).
    """

    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        query = p.service_query(request.GET)
        queryset = filter_services(self.published(), query, self.vocabularies)
        renderer = ServiceRenderer(self.vocabularies)
        include = query.include

        def items(rows) -> list[str]:
            return [
                renderer.service_text(text, include)
                for text in rows.values_list("document", flat=True)
            ]

        return page_response(
            queryset,
            page=query.page,
            per_page=query.per_page,
            items=items,
            count_key=self.count_key,
        )


class ServiceDetailView(V1View):
    """`/services/{id}`: the whole service, every collection present."""

    def answer(self, request: HttpRequest, pk: str, **kwargs) -> HttpResponse:
        p.Params(request.GET, single=set())
        try:
            key = uuid.UUID(pk)
        except ValueError:
            key = None  # 1.0 ids are any string; one that is not ours is simply unknown
        text = (
            self.published().filter(pk=key).values_list("document", flat=True).first()
            if key
            else None
        )
        if text is None:
            raise NotFound(f"There is no published service with id {pk}")
        return HttpResponse(
            ServiceRenderer(self.vocabularies).service_text(text), content_type=JSON
        )


TERM_COLUMNS = ("pk", "name", "term", "parent_id", "taxonomy_id", "taxonomy_label", "path")


class TaxonomyMixin:
    """Terms as 1.0 taxonomies: `{id, name, vocabulary, parent}`, `parent` the same one level up
    (to the top, null there), as the reference API's `Taxonomy` (`BasicView`) nests it and
    ServiceFinder walks it (`item.parent === null`, `item.parent.parent`)."""

    def render_terms(self, rows: list[tuple]) -> list[str]:
        by_pk = {row[0]: row for row in rows}
        wanted = {
            uuid.UUID(hex=row[6][i : i + PATH_STEP])
            for row in rows
            for i in range(0, len(row[6]) - PATH_STEP, PATH_STEP)
        } - by_pk.keys()
        if wanted:
            by_pk.update(
                (row[0], row)
                for row in TaxonomyTerm.objects.filter(pk__in=wanted).values_list(*TERM_COLUMNS)
            )
        return [json.dumps(self.render_term(row, by_pk), ensure_ascii=False) for row in rows]

    def render_term(self, row: tuple, by_pk: dict) -> dict:
        pk, name, code, parent_id, taxonomy_id, label, _ = row
        vocabulary = self.vocabularies.vocabulary_of(taxonomy_id)
        out = {"id": term_id(vocabulary, code, pk), "name": name}
        vocabulary_label = self.vocabularies.label(taxonomy_id, label)
        if vocabulary_label:
            out["vocabulary"] = vocabulary_label
        parent = by_pk.get(parent_id)
        out["parent"] = self.render_term(parent, by_pk) if parent and parent[0] != pk else None
        return out


class TaxonomyListView(TaxonomyMixin, V1View):
    """`/taxonomies/`: terms by `vocabulary` (key, our id or name), `parent_id` (any id form of
    `terms.py`; the terms directly under it), `root_only` and `text` (in the name), in tree
    order. ServiceFinder loads whole vocabularies (`per_page=500`), so a page may hold 10,000."""

    def answer(self, request: HttpRequest, **kwargs) -> HttpResponse:
        query = p.taxonomy_query(request.GET)
        terms = TaxonomyTerm.objects.all()
        if query.vocabulary:
            terms = terms.filter(vocabulary_scope(self.vocabularies, query.vocabulary))
        if query.parent_id:
            parents = resolve([query.parent_id], self.vocabularies, query.vocabulary)
            terms = terms.filter(parent_id__in=parents[query.parent_id.strip()])
        if query.root_only:
            terms = terms.filter(depth=0)
        if query.text:
            terms = terms.filter(name__icontains=query.text)
        terms = terms.order_by("taxonomy__name", "taxonomy_id", "path", "pk")
        return page_response(
            terms,
            page=query.page,
            per_page=query.per_page,
            items=lambda rows: self.render_terms(list(rows.values_list(*TERM_COLUMNS))),
            count_key=self.count_key,
        )


class TaxonomyDetailView(TaxonomyMixin, V1View):
    """`/taxonomies/{id}`: one term, by any id form of `terms.py`."""

    def answer(self, request: HttpRequest, pk: str, **kwargs) -> HttpResponse:
        p.Params(request.GET, single={"vocabulary"})
        vocabulary = request.GET.get("vocabulary", "").strip() or None
        found = resolve([pk], self.vocabularies, vocabulary).get(pk.strip(), set())
        rows = list(
            TaxonomyTerm.objects.filter(pk__in=found).order_by("pk").values_list(*TERM_COLUMNS)[:1]
        )
        if not rows:
            raise NotFound(f"There is no taxonomy term with id {pk}")
        return HttpResponse(self.render_terms(rows)[0], content_type=JSON)


def not_found(request: HttpRequest, rest: str = "", **kwargs) -> HttpResponse:
    """Unknown paths under `/api/v1/` answer 404 in JSON, like everything else there."""
    return NotFound(f"There is no endpoint at {request.path}").response()

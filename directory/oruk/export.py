"""Records -> ORUK 3.0 JSON, for the API, the export command and change requests alike.

Rules (see README, "ORUK mapping"): no nulls and no empty values or arrays (left out); UUID ids;
RFC 3339 UTC times; a reference to the enclosing record is implied by nesting and left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models as djm

from directory import models as m

from .shapes import (
    ATTRIBUTE,
    LOCATION,
    ORGANIZATION,
    SERVICE,
    SERVICE_AT_LOCATION,
    TAXONOMY,
    TAXONOMY_TERM,
    Shape,
    to_json,
)


class DocumentBuilder:
    """Builds documents for a batch of records, loading their attributes in one query."""

    def __init__(self) -> None:
        self._attributes: dict[Any, list[m.Attribute]] = defaultdict(list)
        self._loaded: set[Any] = set()
        # (reverse accessor, parent pk) -> children, filled by `load_related`.
        self._children: dict[tuple[str, Any], list[djm.Model]] = {}

    def load_related(
        self,
        records: list[djm.Model],
        shape: Shape,
        exclude: tuple[str, ...] = (),
        implied: str = "",
    ) -> None:
        """Load every relation a full document of `shape` reads, one query a relation, as
        `prefetch_related` would but without building a queryset for each record and relation
        (a third of a publish batch's time went on that)."""
        if not records:
            return
        for one in shape.one:
            if one.attr == implied:
                continue  # the parent, set on each child below
            field = shape.model._meta.get_field(one.attr)
            ids = {getattr(record, field.attname) for record in records} - {None}
            related = one.shape.model._base_manager.in_bulk(ids) if ids else {}
            for record in records:
                field.set_cached_value(record, related.get(getattr(record, field.attname)))
            self.load_related(list(related.values()), one.shape, one.exclude)
        for many in shape.many:
            if many.key in exclude:
                continue
            parent_ids = [record.pk for record in records]
            children = list(
                many.shape.model._default_manager.filter(**{f"{many.fk}__in": parent_ids})
            )
            parent_field = many.shape.model._meta.get_field(many.fk)
            by_pk = {record.pk: record for record in records}
            groups: dict[Any, list[djm.Model]] = defaultdict(list)
            for child in children:
                parent_pk = getattr(child, parent_field.attname)
                # As prefetching does: a child's own link to its parent costs no query.
                parent_field.set_cached_value(child, by_pk[parent_pk])
                groups[parent_pk].append(child)
            for record in records:
                self._children[(many.accessor, record.pk)] = groups.get(record.pk, [])
            self.load_related(children, many.shape, implied=many.fk)

    def children(self, record: djm.Model, accessor: str) -> list[djm.Model]:
        """A record's children through a reverse accessor: those `load_related` loaded, or
        else the related manager's."""
        loaded = self._children.get((accessor, record.pk))
        return loaded if loaded is not None else list(getattr(record, accessor).all())

    def load_attributes(self, records: Iterable[djm.Model], shape: Shape) -> None:
        ids: set[Any] = set()
        for record in records:
            self._collect_ids(record, shape, ids, ())
        ids -= self._loaded
        if not ids:
            return
        self._loaded |= ids
        for attribute in (
            m.Attribute.objects.filter(link_id__in=ids)
            .select_related("taxonomy_term")
            .order_by("id")
        ):
            self._attributes[(attribute.link_entity, attribute.link_id)].append(attribute)

    def attributes_of(self, link_entity: str, pk: Any) -> list[m.Attribute]:
        """The attributes `load_attributes` found for one record."""
        return self._attributes.get((link_entity, pk), [])

    def _collect_ids(self, record, shape: Shape, ids: set, exclude: tuple[str, ...]) -> None:
        if shape.link_entity:
            ids.add(record.pk)
        for one in shape.one:
            related = getattr(record, one.attr)
            if related is not None:
                self._collect_ids(related, one.shape, ids, one.exclude)
        for many in shape.many:
            if many.key not in exclude:
                for child in self.children(record, many.accessor):
                    self._collect_ids(child, many.shape, ids, ())

    def document(
        self,
        record: djm.Model,
        shape: Shape,
        *,
        basic: bool = False,
        implied: str = "",
        exclude: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """`basic`: own fields and nested objects only (list items); `implied`: the fk to the
        enclosing record, left out."""
        doc: dict[str, Any] = {"id": str(record.pk)}
        for field in shape.fields:
            if not field.exported or (implied and field.model_attr == implied + "_id"):
                continue
            value = to_json(field.kind, getattr(record, field.model_attr))
            if value is not None:
                doc[field.key] = value
        for extra in shape.extras:
            value = getattr(record, extra.attr) or (
                getattr(record, extra.fallback) if extra.fallback else None
            )
            if value not in (None, ""):
                doc[extra.key] = str(value)
        for one in shape.one:
            if one.attr == implied:
                continue
            related = getattr(record, one.attr)
            if related is not None:
                doc[one.key] = self.document(related, one.shape, basic=basic, exclude=one.exclude)
        if basic:
            return doc
        for many in shape.many:
            if many.key in exclude:
                continue
            children = [
                self.document(child, many.shape, implied=many.fk)
                for child in self.children(record, many.accessor)
            ]
            if children:
                doc[many.key] = children
        if shape.link_entity:
            attributes = self._attributes.get((shape.link_entity, record.pk))
            if attributes:
                doc["attributes"] = [self.document(a, ATTRIBUTE) for a in attributes]
        return doc


def _loaded(records: Iterable[djm.Model], shape: Shape) -> tuple[list[djm.Model], DocumentBuilder]:
    """Records with every relation and attribute a full document of `shape` reads, loaded."""
    records = list(records)
    builder = DocumentBuilder()
    builder.load_related(records, shape)
    builder.load_attributes(records, shape)
    return records, builder


def service_documents(services: Iterable[m.Service]) -> list[dict[str, Any]]:
    """Full `/services/{id}` documents, their relations read one query a relation."""
    services, builder = _loaded(services, SERVICE)
    return [builder.document(service, SERVICE) for service in services]


def service_document(service: m.Service) -> dict[str, Any]:
    return service_documents([m.Service.objects.get(pk=service.pk)])[0]


def service_list_items(services: Iterable[m.Service]) -> list[dict[str, Any]]:
    """`/services` list items: the service's own fields and its organisation's."""
    builder = DocumentBuilder()
    return [builder.document(service, SERVICE, basic=True) for service in services]


def iter_service_documents(
    queryset: djm.QuerySet | None = None, *, batch_size: int = 500
) -> Iterator[dict[str, Any]]:
    """Every service's full document, read in keyset batches: memory stays flat at any size."""
    base = (queryset if queryset is not None else m.Service.objects.all()).order_by("pk")
    last = None
    while True:
        batch_qs = base if last is None else base.filter(pk__gt=last)
        batch = list(batch_qs[:batch_size])
        if not batch:
            return
        yield from service_documents(batch)
        last = batch[-1].pk


def organization_document(
    organization: m.Organization, *, services: str = "basic"
) -> dict[str, Any]:
    """`/organizations/{id}`; `services` is "none", "basic" (ids and names) or "full"."""
    (organization,), builder = _loaded(
        [m.Organization.objects.get(pk=organization.pk)], ORGANIZATION
    )
    doc = builder.document(organization, ORGANIZATION)
    if services == "none":
        return doc
    related = m.Service.objects.filter(organization=organization).order_by("name", "pk")
    if services == "full":
        items, builder = _loaded(related, SERVICE)
        doc["services"] = [
            builder.document(service, SERVICE, implied="organization") for service in items
        ]
    else:
        doc["services"] = [
            builder.document(service, SERVICE, basic=True, implied="organization")
            for service in related
        ]
    return doc


def organization_list_items(organizations: Iterable[m.Organization]) -> list[dict[str, Any]]:
    builder = DocumentBuilder()
    return [builder.document(org, ORGANIZATION, basic=True) for org in organizations]


def service_at_location_document(sal: m.ServiceAtLocation) -> dict[str, Any]:
    (sal,), builder = _loaded([m.ServiceAtLocation.objects.get(pk=sal.pk)], SERVICE_AT_LOCATION)
    return builder.document(sal, SERVICE_AT_LOCATION)


def service_at_location_list_items(
    sals: Iterable[m.ServiceAtLocation],
) -> list[dict[str, Any]]:
    builder = DocumentBuilder()
    return [builder.document(sal, SERVICE_AT_LOCATION, basic=True) for sal in sals]


def location_document(location: m.Location) -> dict[str, Any]:
    (location,), builder = _loaded([m.Location.objects.get(pk=location.pk)], LOCATION)
    return builder.document(location, LOCATION)


def taxonomy_document(taxonomy: m.Taxonomy, *, with_terms: bool = True) -> dict[str, Any]:
    builder = DocumentBuilder()
    if not with_terms:
        return builder.document(taxonomy, TAXONOMY, basic=True)
    taxonomy = m.Taxonomy.objects.get(pk=taxonomy.pk)
    builder.load_related([taxonomy], TAXONOMY)
    return builder.document(taxonomy, TAXONOMY)


def taxonomy_term_document(term: m.TaxonomyTerm) -> dict[str, Any]:
    return DocumentBuilder().document(term, TAXONOMY_TERM)

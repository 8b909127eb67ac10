"""ORUK 3.0 JSON -> records: validate everything first, then write it all in one transaction.

A document is checked against its ORUK schema, converted through the shapes in `shapes.py`
and `full_clean()`ed record by record; every problem is reported with the document's id and the
JSON path.
Nothing is written unless every document is valid (or `skip_invalid` leaves the invalid ones out).
Loading is idempotent by id: a rerun updates the same rows and changes nothing that is equal.
The taxonomy terms attributes carry are the portal's (load_taxonomies keeps them): an import creates
a term it lacks, and the term's taxonomy, from what the document says of them, and never rewrites a
term it holds; a term or taxonomy it can neither find nor create is a problem naming what to load.
Another dialect (ORUK 1.0, `v1.py`) is read by converting each of its documents to ORUK 3.0 first
(`Prepared`); its problems are then reported in the source's own ids and paths.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db import models as djm
from django.utils import timezone

from core.services import Progress
from directory import models as m
from directory.signals import bulk_writing, services_imported
from directory.taxonomies.identity import taxonomy_uuid

from .schemas import schema_errors
from .shapes import (
    ATTRIBUTE,
    SHAPES,
    TAXONOMY,
    TAXONOMY_TERM,
    TO_MODEL,
    ConversionError,
    Many,
    One,
    Shape,
)

logger = logging.getLogger(__name__)

# Makes a terminal's progress bar (anything with `update(n)`, like tqdm) for a stage of an
# import: (stage, number of records, or None while not known).
ProgressBar = Callable[[str, int | None], Any]


@dataclass(frozen=True)
class Problem:
    """One reason a document cannot be imported, located by document id and JSON path."""

    record_id: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.record_id} at {self.path or '(document)'}: {self.message}"


@dataclass
class ImportReport:
    documents: int = 0
    imported: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # ("service", "created") -> n
    notes: list[str] = field(default_factory=list)  # what it and its mappers did, in words

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        parts = [f"{n} {kind} {action}" for (kind, action), n in sorted(self.counts.items())]
        return ", ".join(parts) or "no changes"


@dataclass
class Prepared:
    """A document of another dialect (ORUK 1.0) converted to ORUK 3.0, with what converting found.

    `document` is None when it could not be converted at all. Problems are reported under
    `record_id`, the source's own id, and every ORUK 3.0 path is translated by `locate` into the
    path of the source document it came from.
    """

    document: Any
    record_id: str
    problems: list[tuple[str, str]] = field(default_factory=list)  # (source path, message)
    locate: Callable[[str], str] = str


class DocumentMapper(Protocol):
    """Rewrites documents on their way into an import (see `document_mappers`)."""

    def __call__(self, doc: Any, kind: str | None) -> Any:
        """The document to check and write in place of `doc`."""

    def report(self, report: ImportReport) -> None:
        """Add what it did to the report of an import that has been written."""


# Factories of document mappers, registered by higher apps (workflow.tagging adds the LGA service
# types that an old directory's categories map to); every pass of an import makes its own.
document_mappers: list[Callable[[], DocumentMapper]] = []


def _mapped(documents: Callable[[], Iterable[Any]], kind: str | None, mappers: list) -> Iterator:
    for doc in documents():
        for mapper in mappers:
            doc = mapper(doc, kind)
        yield doc


class ImportFailed(Exception):
    def __init__(self, report: ImportReport) -> None:
        shown = "; ".join(str(problem) for problem in report.problems[:10])
        super().__init__(f"{len(report.problems)} problems: {shown}")
        self.report = report
        self.oruk1_likely = False  # read as ORUK 3.0, but its ids suggest ORUK 1.0


def detect_kind(doc: Any) -> str:
    """Which ORUK object a document is, from the fields only that object has."""
    if not isinstance(doc, dict):
        return ""
    keys = doc.keys()
    if "status" in keys:
        return "service"
    if "location" in keys and "name" not in keys:
        return "service_at_location"
    if "location_type" in keys:
        return "location"
    if keys & {"organization_identifiers", "services", "website", "logo", "parent_organization_id"}:
        return "organization"
    if keys & {"taxonomy_terms", "version"}:
        return "taxonomy"
    if keys & {"parent_id", "term", "term_uri", "taxonomy", "taxonomy_id"}:
        return "taxonomy_term"
    if "name" in keys and "description" in keys:
        return "organization"
    return ""


@dataclass
class _Node:
    record: djm.Model
    shape: Shape
    path: str
    existing: bool
    old: dict[str, Any]
    ones: list[tuple[One, _Node]] = field(default_factory=list)
    many: list[tuple[Many, list[_Node]]] = field(default_factory=list)
    attributes: list[_Node] | None = None
    services: list[_Node] = field(default_factory=list)  # organization documents only
    touch: bool = False  # a service whose document has no last_modified: now, if anything changed
    occurrence: int = 0  # which build() made it (its children's owner occurrence)


@dataclass(frozen=True)
class _Place:
    """Where a record owned by another (a schedule of a service, a service of an organisation,
    a top-level document) was first met in this import: the same id met again elsewhere would
    silently overwrite it, so it is a problem unless it is the same shared parent met twice."""

    record_id: str
    path: str
    owner: Any  # the pk of the record that owns it (None: a top-level document)
    occurrence: int  # which build of the owner it was met in


# A taxonomy created with a term it is new to: saved (as one of the term's `ones`) before it.
_TERM_TAXONOMY = One("taxonomy_detail", TAXONOMY, attr="taxonomy")

LOAD_TAXONOMIES = "manage.py load_taxonomies"
_BATCH = 500  # ids in one `__in` lookup (SQLite limits the parameters of a query)


# ORUK documents are a few levels deep (a service's deepest member, a taxonomy of a term of an
# attribute of a location, is under 20); anything far deeper is not ORUK and would exhaust the
# stack of the schema checker.
MAX_DEPTH = 40


def _depth_beyond(value: Any, limit: int) -> bool:
    """Whether `value` nests objects and arrays more than `limit` levels deep (iteratively, so
    a hostile document cannot overflow the stack here either)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def _empty(model_field: djm.Field) -> Any:
    return None if model_field.null else ""


class _Loader:
    def __init__(self, *, partial: bool, actor: str, known: set) -> None:
        self.partial = partial
        self.actor = actor
        self.known = known  # ids built earlier in this import (not yet written on the first pass)
        self.problems: list[Problem] = []
        self.counts: Counter = Counter()
        self.changes: list[m.Metadata] = []
        self.record_id = ""
        self.service_ids: set = set()
        self.places: dict[Any, _Place] = {}
        self.builds = 0  # numbers each build() call, to tell a shared parent from siblings
        self.owner_occurrence = 0  # the build() of the record whose children are being built
        # Terms and taxonomies the portal lacks, created from the first document of this import
        # that describes them (not yet written on the first pass).
        self.new_terms: set = set()
        self.new_taxonomies: set = set()
        self.new_term_codes: dict[tuple[Any, str], tuple[Any, str, str]] = {}
        self.named_taxonomies: dict[Any, str] = {}  # created from a term's `taxonomy` name only
        self.held_terms: set = set()  # terms found in the portal (thousands of services share them)

    # --- building and checking ---------------------------------------------------------------

    def build(
        self,
        doc: dict,
        shape: Shape,
        path: str = "",
        implied: str = "",
        preset: dict[str, Any] | None = None,
        exclude: tuple[str, ...] = (),
    ) -> _Node | None:
        """`implied`: the fk to the enclosing record (set by it, not read from `doc`); `preset`:
        values the enclosing record decides (its id, the attribute link); `exclude`: arrays this
        view of the record leaves out (a service nested in its own location pairing)."""
        record_id = doc.get("id")
        model = shape.model
        try:
            pk = TO_MODEL["ref"](record_id)
        except ConversionError:
            self._problem(path + "id", "must be a UUID")
            return None
        self.builds += 1
        occurrence = self.builds
        record = model.objects.filter(pk=pk).first()
        existing = record is not None
        if record is None:
            record = model(pk=pk)
        self._check_own_id(record, shape, path, implied, preset or {}, existing)
        for attr, value in (preset or {}).items():
            setattr(record, attr, value)
        old = (
            {f.model_attr: getattr(record, f.model_attr) for f in shape.fields} if existing else {}
        )
        node = _Node(record, shape, path, existing, old, occurrence=occurrence)
        unchecked = {implied} if implied else set()

        for spec in shape.fields:
            if implied and spec.model_attr == implied + "_id":
                continue
            model_field = model._meta.get_field(spec.model_attr.removesuffix("_id"))
            if spec.key not in doc:
                if spec.exported and spec.kind != "datetime":
                    setattr(record, spec.model_attr, _empty(model_field))
                continue
            try:
                value = TO_MODEL[spec.kind](doc[spec.key])
            except ConversionError as exc:
                self._problem(path + spec.key, str(exc))
                continue
            setattr(record, spec.model_attr, value)
            # A reference to a record built earlier in this import cannot be looked up yet.
            if isinstance(model_field, djm.ForeignKey) and (
                value in self.known or not model_field.db_constraint
            ):
                unchecked.add(model_field.name)

        term_nested = False
        for one in shape.one:
            if one.attr == implied or not isinstance(doc.get(one.key), dict):
                continue
            where = f"{path}{one.key}/"
            if one.shape is TAXONOMY_TERM:
                term_nested = True
                related, child = self._used_term(doc[one.key], where)
            else:
                child = self.build(doc[one.key], one.shape, where, exclude=one.exclude)
                related = None if child is None else child.record.pk
            if related is None:
                continue
            current = getattr(record, one.attr + "_id")
            if current is not None and current != related and one.key + "_id" in doc:
                self._problem(
                    path + one.key + "_id", f"does not match the id of the nested {one.key}"
                )
            setattr(record, one.attr + "_id", related)
            unchecked.add(one.attr)
            if child is not None:
                node.ones.append((one, child))
        if shape is ATTRIBUTE and not term_nested:
            self._check_term_id(record, path)
            unchecked.add("taxonomy_term")

        for many in shape.many:
            if many.key in exclude:
                continue
            if many.key in doc:
                items = doc[many.key] if isinstance(doc[many.key], list) else []
            elif self.partial:
                continue
            else:
                items = []
            children = [
                child
                for i, item in enumerate(items)
                if (
                    child := self._build_child(
                        item, many.shape, f"{path}{many.key}/{i}/", many.fk, pk, occurrence
                    )
                )
            ]
            node.many.append((many, children))

        if shape.link_entity and ("attributes" in doc or not self.partial):
            items = doc.get("attributes") or []
            node.attributes = []
            for i, item in enumerate(items):
                link = {"link_entity": shape.link_entity, "link_id": pk}
                self.owner_occurrence = occurrence
                child = self.build(item, ATTRIBUTE, f"{path}attributes/{i}/", preset=link)
                if child is None:
                    continue
                if child.record.taxonomy_term_id is None:
                    self._problem(
                        f"{path}attributes/{i}",
                        "needs a taxonomy_term (or a taxonomy_term_id we hold)",
                    )
                node.attributes.append(child)

        if shape.name == "service":
            record.last_modified = record.last_modified or timezone.now()
            # Without the source's own date, the import dates the service when it changes it,
            # so that a rerun that changes nothing leaves last_modified as it was.
            node.touch = "last_modified" not in doc

        self._check(record, shape, path, unchecked)
        self.known.add(pk)
        return node

    def _used_term(self, doc: dict, path: str) -> tuple[Any, _Node | None]:
        """The id of the term an attribute carries, and the node that creates it when the portal
        lacks it (None: the portal's term, or this import's first copy of it, is used)."""
        try:
            pk = TO_MODEL["ref"](doc.get("id"))
        except ConversionError:
            self._problem(path + "id", "must be a UUID")
            return None, None
        # A term belongs to its taxonomy, which load_taxonomies loads and keeps current: a copy
        # in a document (older, or another portal's wording) must not rewrite it. Likewise the
        # first copy in this import creates the term, and later copies only refer to it.
        if self._term_known(pk):
            return pk, None
        before = len(self.problems)
        taxonomy = self._new_term_taxonomy(doc, pk, path)
        if len(self.problems) > before:
            return pk, None
        # A parent that neither the portal nor this import holds is kept as the term's
        # `parent_id` all the same (the column has no constraint for this, as ORUK allows): it is
        # what the source says, a re-export repeats it, and the term moves under its parent when
        # that arrives (see `place_new_terms`). Dropping it would lose the hierarchy for good,
        # and refusing it would refuse every term whose ancestors no service uses.
        node = self.build(doc, TAXONOMY_TERM, path)
        if node is None:
            return None, None
        if taxonomy is not None:
            node.ones.append((_TERM_TAXONOMY, taxonomy))
        term = node.record
        if term.term and term.taxonomy_id is not None:
            # The database allows one term a code in each taxonomy; only those this import
            # creates can meet here unseen (the portal's are checked by full_clean).
            key = (term.taxonomy_id, term.term)
            first = self.new_term_codes.setdefault(key, (pk, self.record_id, path))
            if first[0] != pk:
                self._problem(
                    path + "term",
                    f"{term.term} is also the code of taxonomy term {first[0]} (at "
                    f"{first[2].rstrip('/')} of {first[1]}) in the same taxonomy: each term of a "
                    "taxonomy needs its own code",
                )
        self.new_terms.add(pk)
        return pk, node

    def _new_term_taxonomy(self, doc: dict, term_id: Any, path: str) -> _Node | None:
        """The taxonomy to create with a term new to the portal, when the portal lacks it too.

        ORUK 3.0 describes a term's taxonomy by `taxonomy_id` and its free-text `taxonomy`
        (which our exports fill with the vocabulary's key); HSDS 3.0 may also nest the whole
        taxonomy as `taxonomy_detail`. A taxonomy named by id alone cannot be created.
        """
        given = doc.get("taxonomy_id")
        if given is None:
            return None  # a term of no taxonomy, which ORUK allows
        try:
            pk = TO_MODEL["ref"](given)
        except ConversionError:
            return None  # build() reports it at taxonomy_id
        if pk in self.new_taxonomies or m.Taxonomy.objects.filter(pk=pk).exists():
            return None
        detail = doc.get("taxonomy_detail")
        label = doc.get("taxonomy")
        if isinstance(detail, dict):
            where = path + "taxonomy_detail/"
            detail = {"id": given, **detail}
            try:
                same = TO_MODEL["ref"](detail["id"]) == pk
            except ConversionError:
                same = True  # build() reports it
            if not same:
                self._problem(where + "id", "does not match the term's taxonomy_id")
                return None
            # Its terms are not this document's to replace: only the taxonomy itself is read.
            node = self.build(detail, TAXONOMY, where, exclude=("taxonomy_terms",))
        elif isinstance(label, str) and label.strip():
            node = self._named_taxonomy(pk, label.strip(), path)
        else:
            self._problem(
                path + "taxonomy_id",
                f"taxonomy {pk} of taxonomy term {term_id} is not in the portal and the document "
                "does not describe it (it gives no `taxonomy` name): load the taxonomy first "
                f"({LOAD_TAXONOMIES})",
            )
            return None
        if node is not None:
            self.new_taxonomies.add(pk)
            self.known.add(pk)
        return node

    def _named_taxonomy(self, pk: Any, label: str, path: str) -> _Node | None:
        """A taxonomy known only by its id and the name a term gives it: enough to hold the term
        until load_taxonomies, which finds it by this id, completes it."""
        taxonomy = m.Taxonomy(pk=pk, name=label, description=label)
        # Our own exports name a loaded taxonomy by its vocabulary key, and its id is derived
        # from that key: such a taxonomy is that vocabulary, which loaders and the ORUK 1.0
        # import look it up by.
        if pk == taxonomy_uuid(label) and not m.Taxonomy.objects.filter(vocabulary=label).exists():
            taxonomy.vocabulary = label
        try:
            taxonomy.full_clean()
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                for message in messages:
                    self._problem(path + "taxonomy", message)
            return None
        self.named_taxonomies[pk] = label
        return _Node(taxonomy, TAXONOMY, path, existing=False, old={})

    def _check_term_id(self, attribute: m.Attribute, path: str) -> None:
        """An attribute that names its term by `taxonomy_term_id` alone needs a term the portal
        holds or this import has already described."""
        term_id = attribute.taxonomy_term_id
        # None at all is reported by the enclosing record.
        if term_id is not None and not self._term_known(term_id):
            self._problem(
                path + "taxonomy_term_id",
                f"taxonomy term {term_id} is not in the portal and the document does not "
                f"describe it: load its taxonomy first ({LOAD_TAXONOMIES}), or nest the term, "
                "with its name, description, taxonomy_id and taxonomy, as the attribute's "
                "taxonomy_term",
            )

    def _term_known(self, pk: Any) -> bool:
        """Whether the portal holds the term, or this import has already described it."""
        if pk in self.new_terms or pk in self.held_terms:
            return True
        if m.TaxonomyTerm.objects.filter(pk=pk).exists():
            self.held_terms.add(pk)
            return True
        return False

    def _check_own_id(
        self,
        record: djm.Model,
        shape: Shape,
        path: str,
        implied: str,
        preset: dict[str, Any],
        existing: bool,
    ) -> None:
        """An owned record's id names one record: not two in this file, and not one that
        another record in the directory owns (either would silently overwrite the other)."""
        owner_attr = implied + "_id" if implied else "link_id" if shape is ATTRIBUTE else ""
        if not owner_attr and path:
            return  # a shared record (a location, a term) nested where it is used
        owner = preset.get(owner_attr) if owner_attr else None
        occurrence = self.owner_occurrence if owner_attr else 0
        first = self.places.get(record.pk)
        here = "the document" if not path else path.rstrip("/")
        if first is not None and (first.owner != owner or first.occurrence == occurrence):
            where = first.path.rstrip("/") or "the document"
            self._problem(
                path + "id",
                f"{record.pk} is also the id of the {shape.name} at {where} of {first.record_id}:"
                f" each {shape.name} needs its own id, or one of them would be lost",
            )
        elif first is None:
            self.places[record.pk] = _Place(self.record_id, path, owner, occurrence)
        if existing and owner_attr and owner is not None:
            current = getattr(record, owner_attr)
            if current is not None and current != owner:
                self._problem(
                    path + "id",
                    f"{record.pk} is the id of a {shape.name} that belongs to another record "
                    f"({current}) in the directory: give {here} its own id",
                )

    def _build_child(
        self, item: Any, shape: Shape, path: str, fk: str, parent_pk, occurrence: int
    ) -> _Node | None:
        if not isinstance(item, dict):
            self._problem(path.rstrip("/"), "must be an object")
            return None
        self.owner_occurrence = occurrence
        return self.build(item, shape, path, implied=fk, preset={fk + "_id": parent_pk})

    def _check(self, record: djm.Model, shape: Shape, path: str, unchecked: set[str]) -> None:
        try:
            record.full_clean(exclude=unchecked, validate_unique=True)
        except ValidationError as exc:
            keys = {f.model_attr.removesuffix("_id"): f.key for f in shape.fields}
            for name, messages in exc.message_dict.items():
                where = path + keys.get(name, name) if name != "__all__" else path.rstrip("/")
                for message in messages:
                    self._problem(where, message)

    def _problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.record_id, path, message))

    # --- writing -----------------------------------------------------------------------------

    def save(self, node: _Node) -> bool:
        """Write `node` and everything under it; returns whether any row changed."""
        touched = False
        for _one, child in node.ones:
            touched |= self.save(child)
        record = node.record
        if isinstance(record, m.Service):
            self.service_ids.add(record.pk)
        changed = [a for a, old in node.old.items() if getattr(record, a) != old]
        if not node.existing or changed:
            if isinstance(record, m.Service):
                record.save(touch=False)
            else:
                record.save()
            self._log(node, changed)
            touched = True
        else:
            self.counts[(node.shape.name, "unchanged")] += 1
        for many, children in node.many:
            for child in children:
                touched |= self.save(child)
            touched |= self._delete_others(
                many.shape,
                many.shape.model.objects.filter(**{many.fk: record.pk}),
                {c.record.pk for c in children},
            )
        if node.attributes is not None:
            for child in node.attributes:
                touched |= self.save(child)
            touched |= self._delete_others(
                ATTRIBUTE,
                m.Attribute.objects.for_record(node.shape.link_entity, record.pk),
                {c.record.pk for c in node.attributes},
            )
        for service in node.services:
            touched |= self.save(service)
        if node.touch and touched and node.existing:
            record.last_modified = timezone.now()
            m.Service.objects.filter(pk=record.pk).update(last_modified=record.last_modified)
        return touched

    def place_new_terms(self) -> None:
        """Put the terms this import created, and every term below them, where they belong in
        the tree: a term saved before its parent (met later in the import), or one already
        waiting for a parent this import created, was saved as a root.

        Only the derived `path` and `depth` change, never a term's own data."""
        if not self.new_terms:
            return
        rows: dict[Any, m.TaxonomyTerm] = {}
        frontier, lookup = list(self.new_terms), "pk__in"
        while frontier:
            found = [
                term
                for start in range(0, len(frontier), _BATCH)
                for term in m.TaxonomyTerm.objects.filter(
                    **{lookup: frontier[start : start + _BATCH]}
                ).only("id", "parent_id", "path")
                if term.pk not in rows
            ]
            rows.update((term.pk, term) for term in found)
            frontier, lookup = [term.pk for term in found], "parent_id__in"
        m.TaxonomyTerm.rebuild_paths(rows.values())

    def _delete_others(self, shape: Shape, queryset: djm.QuerySet, keep: set) -> bool:
        stale = list(queryset.exclude(pk__in=keep).values_list("pk", flat=True))
        if not stale:
            return False
        shape.model.objects.filter(pk__in=stale).delete()
        now = timezone.now()
        self.counts[(shape.name, "deleted")] += len(stale)
        self.changes += [
            m.Metadata(
                resource_id=pk,
                resource_type=shape.name,
                last_action_date=now,
                last_action_type=m.ActionType.DELETE,
                updated_by=self.actor,
            )
            for pk in stale
        ]
        return True

    def _log(self, node: _Node, changed: list[str]) -> None:
        now = timezone.now()
        common = {
            "resource_id": node.record.pk,
            "resource_type": node.shape.name,
            "last_action_date": now,
            "updated_by": self.actor,
        }
        if not node.existing:
            self.counts[(node.shape.name, "created")] += 1
            self.changes.append(m.Metadata(**common, last_action_type=m.ActionType.CREATE))
            return
        self.counts[(node.shape.name, "updated")] += 1
        self.changes += [
            m.Metadata(
                **common,
                last_action_type=m.ActionType.UPDATE,
                field_name=attr,
                previous_value=_text(node.old[attr]),
                replacement_value=_text(getattr(node.record, attr)),
            )
            for attr in changed
        ]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _build_prepared(loader: _Loader, prepared: Prepared, kind: str | None) -> _Node | None:
    """Build a converted document, reporting every problem in the source's ids and paths."""
    start = len(loader.problems)
    node = None
    if prepared.document is not None:
        node = _build_document(loader, prepared.document, kind)
    loader.record_id = prepared.record_id
    loader.problems[start:] = [
        *(Problem(prepared.record_id, path, message) for path, message in prepared.problems),
        *(
            Problem(prepared.record_id, prepared.locate(p.path), p.message)
            for p in loader.problems[start:]
        ),
    ]
    return None if prepared.problems else node


def _build_document(loader: _Loader, doc: Any, kind: str | None) -> _Node | None:
    if isinstance(doc, Prepared):
        return _build_prepared(loader, doc, kind)
    loader.record_id = str(doc.get("id", "?")) if isinstance(doc, dict) else "?"
    kind = kind or detect_kind(doc)
    if kind not in SHAPES:
        loader._problem("", "is not an ORUK service, organization, location, taxonomy or term")
        return None
    shape = SHAPES[kind]
    if _depth_beyond(doc, MAX_DEPTH):
        loader._problem("", f"is nested more than {MAX_DEPTH} levels deep: it is not ORUK")
        return None
    found = schema_errors(shape.schema_file, doc)
    if kind == "organization" and isinstance(doc.get("services"), list):
        for i, service in enumerate(doc["services"]):
            found += [
                (f"services/{i}/{p}".rstrip("/"), e)
                for p, e in schema_errors("service.json", service)
            ]
    if found:
        for path, message in found:
            loader._problem(path, message)
        return None
    node = loader.build(doc, shape)
    if node is not None and kind == "organization":
        for i, service in enumerate(doc.get("services") or []):
            child = loader._build_child(
                service,
                SHAPES["service"],
                f"services/{i}/",
                "organization",
                node.record.pk,
                node.occurrence,
            )
            if child is not None:
                node.services.append(child)
    return node


def import_documents(
    documents: Callable[[], Iterable[Any]],
    *,
    kind: str | None = None,
    partial: bool = False,
    skip_invalid: bool = False,
    actor: str = "import",
    progress: ProgressBar | None = None,
) -> ImportReport:
    """Import ORUK documents, all or nothing.

    `documents` is called twice (check, then write), so a source is streamed, never held whole.
    `partial`: documents are list items, so arrays they leave out are kept, not emptied.
    Raises ImportFailed (nothing written) when any document is invalid, unless `skip_invalid`.
    How far each pass has got is written on the background task running the import, if any, and
    shown on the bar `progress(stage, total)` makes (a terminal's), if given.
    """
    report = ImportReport()
    invalid: set[int] = set()
    checker = _Loader(partial=partial, actor=actor, known=set())
    with bulk_writing():
        check_mappers = [make() for make in document_mappers]
        checking = _progress("Checking", None, progress)
        for index, doc in enumerate(checking.track(_mapped(documents, kind, check_mappers))):
            report.documents += 1
            before = len(checker.problems)
            _build_document(checker, doc, kind)
            if len(checker.problems) > before:
                invalid.add(index)
    report.problems = checker.problems
    report.skipped = len(invalid)
    if invalid and not skip_invalid:
        raise ImportFailed(report)

    writer = _Loader(partial=partial, actor=actor, known=set())
    write_mappers = [make() for make in document_mappers]
    writing = _progress("Writing", report.documents, progress)
    stream = enumerate(writing.track(_mapped(documents, kind, write_mappers)))
    try:
        with transaction.atomic(), bulk_writing():
            for index, doc in stream:
                if index in invalid:
                    continue
                node = _build_document(writer, doc, kind)
                if writer.problems or node is None:
                    raise ImportFailed(report)
                writer.save(node)
                report.imported += 1
            writer.place_new_terms()
            m.Metadata.objects.bulk_create(writer.changes, batch_size=1000)
    except (DatabaseError, ValidationError) as exc:
        # Conflicts only the database sees (the same identifier in two documents, say).
        report.problems.append(Problem(writer.record_id, "", f"could not be saved: {exc}"))
        raise ImportFailed(report) from exc
    except ImportFailed:
        report.problems += writer.problems
        raise
    report.counts = writer.counts
    if writer.named_taxonomies:
        names = ", ".join(sorted(writer.named_taxonomies.values()))
        report.notes.append(
            f"Taxonomies not in the portal were created from the name their terms give ({names})."
            f" Run {LOAD_TAXONOMIES} to give them their full names, descriptions and terms."
        )
    for mapper in write_mappers:
        mapper.report(report)
    if writer.service_ids:
        services_imported.send(sender=ImportReport, service_ids=sorted(writer.service_ids))
    return report


def _progress(stage: str, total: int | None, bar: ProgressBar | None) -> Progress:
    return Progress(stage, total=total, echo=bar(stage, total) if bar is not None else None)


def check_document(doc: Any, *, kind: str | None = None) -> list[Problem]:
    """Every problem importing `doc` would meet, without writing anything (forms and change
    requests check a proposal before it is stored)."""
    checker = _Loader(partial=False, actor="check", known=set())
    with bulk_writing():
        _build_document(checker, doc, kind)
    return checker.problems


def import_document(doc: dict, *, kind: str | None = None, actor: str = "import") -> ImportReport:
    """Import one document (all or nothing); raises ImportFailed with every problem."""
    return import_documents(lambda: [doc], kind=kind, actor=actor)

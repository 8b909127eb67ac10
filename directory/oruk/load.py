"""ORUK 3.0 JSON -> records, in batches, all in one transaction that only a valid import commits.

Documents are read in batches of BATCH_DOCUMENTS. A document is checked against its ORUK schema,
converted through the shapes in `shapes.py` and cleaned record by record; every problem is reported
with the document's id and the JSON path. What needs the database is asked once per batch, not per
record: the rows the batch's ids already have, their children, the foreign keys it names and the
unique constraints it could break. Check constraints are evaluated in Python, with the database's
own constraints as the final guard. A valid batch is then written with one bulk insert, update and
delete per model, and the next batch is checked against what is written.
Nothing is committed unless every document is valid (or `skip_invalid` leaves the invalid ones
out): after the first problem, the remaining batches are only checked, so that every problem is
reported, and the transaction is rolled back.
Loading is idempotent by id: a rerun updates the same rows and changes nothing that is equal.
The taxonomy terms attributes carry are the portal's (load_taxonomies keeps them): an import creates
a term it lacks, and the term's taxonomy, from what the document says of them, and never rewrites a
term it holds; a term or taxonomy it can neither find nor create is a problem naming what to load.
Another dialect (ORUK 1.0, `v1.py`) is read by converting each of its documents to ORUK 3.0 first
(`Prepared`); its problems are then reported in the source's own ids and paths.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import itertools
import logging
import operator
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db import models as djm
from django.utils import timezone

from core.bulk import analyze, id_lists, insert_rows, insert_values
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
    document: int = field(default=-1, compare=False, repr=False)  # its place in the import

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
    stored: bool = False  # the row was in the database when its batch began


@dataclass(frozen=True, slots=True)  # one for every owned record of an import: kept small
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
# Documents checked and written together. Each batch costs the same number of queries whatever
# its size, so larger batches mean fewer queries; this size keeps the rows a batch holds in
# memory to a few thousand.
BATCH_DOCUMENTS = 250
# An import of this many documents or more ends by refreshing the planner's statistics.
ANALYZE_AFTER = 1000


def _chunks(values: Iterable[Any], size: int = _BATCH) -> Iterator[list[Any]]:
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return TO_MODEL["ref"](value)
    except ConversionError:
        return None


@dataclass(frozen=True)
class _Where:
    """Where a check put off to the end of the batch found its problem."""

    document: int
    record_id: str
    path: str


@dataclass(frozen=True)
class _ForeignCheck:
    where: _Where
    field: djm.ForeignKey
    value: Any


@dataclass(frozen=True)
class _UniqueCheck:
    where: _Where
    constraint: djm.UniqueConstraint
    model: type[djm.Model]
    values: tuple
    pk: Any
    message: str


class _Unknowable(Exception):
    """A check constraint that Python cannot evaluate: the database is asked instead."""


class _Excluded(Exception):
    """A check constraint on a field that is not checked here (Django skips those too)."""


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda value, options: value in options,
}
_PLAIN = (str, int, float, decimal.Decimal, dt.date, dt.time, uuid.UUID, list, tuple, set)


def _truth(condition: djm.Q, record: djm.Model, exclude: set[str]) -> bool | None:
    """A constraint's condition on `record` in SQL's three-valued logic (None: unknown, which a
    CHECK lets pass), so that a record is refused here exactly when the database would."""
    results = [
        _truth(child, record, exclude)
        if isinstance(child, djm.Q)
        else _compare(child, record, exclude)
        for child in condition.children
    ]
    if condition.connector == djm.Q.AND:
        result = False if False in results else None if None in results else True
    else:
        result = True if True in results else None if None in results else False
    if condition.negated and result is not None:
        return not result
    return result


def _compare(lookup: tuple[str, Any], record: djm.Model, exclude: set[str]) -> bool | None:
    path, expected = lookup
    name, _, operation = path.partition("__")
    operation = operation or "exact"
    if operation != "isnull" and operation not in _COMPARISONS:
        raise _Unknowable(path)
    value = _value(record, name, exclude)
    if operation == "isnull":
        return (value is None) == bool(expected)
    if isinstance(expected, djm.F):
        expected = _value(record, expected.name, exclude)
    elif expected is not None and not isinstance(expected, _PLAIN):
        raise _Unknowable(path)  # an expression only SQL can evaluate
    if operation == "exact" and expected is None:
        return value is None
    if value is None or expected is None:
        return None
    try:
        return _COMPARISONS[operation](value, expected)
    except TypeError as exc:
        raise _Unknowable(path) from exc


def _value(record: djm.Model, name: str, exclude: set[str]) -> Any:
    if "__" in name:
        raise _Unknowable(name)
    if name in exclude:
        raise _Excluded(name)
    return getattr(record, record._meta.get_field(name).attname)


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
    def __init__(self, *, partial: bool, actor: str, kind: str | None = None) -> None:
        self.partial = partial
        self.actor = actor
        self.kind = kind
        self.known: set = set()  # ids built earlier in this import (written or not)
        self.problems: list[Problem] = []
        self.counts: Counter = Counter()
        self.changes: list[dict] = []  # the change log of the batch being written (rows)
        self.record_id = ""
        self.document = 0  # the place in the import of the document being built
        # Documents converted from another dialect: the id and path translation their problems
        # are reported in.
        self.located: dict[int, tuple[str, Callable[[str], str]]] = {}
        # The batch's view of the database, read once when the batch begins: the rows its ids
        # have (None: none), and the children each parent has, as the batch changes them.
        self.rows: dict[type[djm.Model], dict[Any, djm.Model | None]] = {}
        self.children: dict[tuple, set] = {}
        self.built: dict[Any, djm.Model] = {}  # records built in this batch, by id
        self.foreign_checks: list[_ForeignCheck] = []
        self.unique_checks: list[_UniqueCheck] = []
        self.written: set[type[djm.Model]] = set()  # models this import has written
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
        record, existing, stored = self._row(model, pk)
        self._check_own_id(record, shape, path, implied, preset or {}, existing)
        for attr, value in (preset or {}).items():
            setattr(record, attr, value)
        old = (
            {f.model_attr: getattr(record, f.model_attr) for f in shape.fields} if existing else {}
        )
        node = _Node(record, shape, path, existing, old, occurrence=occurrence, stored=stored)
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

        # A record the document leaves as it is was checked when it got these values (a
        # re-import is mostly such records).
        if not existing or any(getattr(record, a) != v for a, v in old.items()):
            self._check(record, shape, path, unchecked)
        self.known.add(pk)
        self.built[pk] = record
        return node

    def _row(self, model: type[djm.Model], pk: Any) -> tuple[djm.Model, bool, bool]:
        """The record to build for `pk`, whether it exists, and whether it is in the database.

        A record met again in the same batch (a location two services share) starts from what
        its first occurrence made of it, as it would had that been written already."""
        row = self._stored(model, pk)
        built = self.built.get(pk)
        if built is not None and type(built) is model:
            return copy.copy(built), True, row is not None
        if row is not None:
            return row, True, True
        # By its field's name: `pk=` would first make the default id, a uuid4, for nothing.
        return model(**{model._meta.pk.attname: pk}), False, False

    def _stored(self, model: type[djm.Model], pk: Any) -> djm.Model | None:
        """The row the database held for `pk` when this batch began."""
        rows = self.rows.setdefault(model, {})
        if pk not in rows:  # not foreseen by `prefetch` (a record a mapper added, say)
            rows[pk] = model.objects.filter(pk=pk).first()
        return rows[pk]

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
        if pk in self.new_taxonomies or self._stored(m.Taxonomy, pk) is not None:
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
        if self._stored(m.TaxonomyTerm, pk) is not None:
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
            # The same paths recur in every document: interned, they are held once.
            self.places[record.pk] = _Place(self.record_id, sys.intern(path), owner, occurrence)
        # A record built earlier in this import was checked by `places` above (written or not).
        if existing and owner_attr and owner is not None and record.pk not in self.known:
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
        """What `full_clean()` checks, with its queries put off to the end of the batch: that
        the foreign keys the document names exist, and that no unique constraint is broken."""
        model = shape.model
        foreign = [
            f for f in model._meta.concrete_fields if f.many_to_one and f.name not in unchecked
        ]
        keys = {f.model_attr.removesuffix("_id"): f.key for f in shape.fields}
        errors: dict[str, list[str]] = {}
        try:
            record.full_clean(
                exclude=unchecked | {f.name for f in foreign},
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        for fk in foreign:
            value = getattr(record, fk.attname)
            if fk.blank and value in fk.empty_values:
                continue
            try:
                djm.Field.validate(fk, value, record)  # null, blank: all but the lookup
            except ValidationError as exc:
                errors.setdefault(fk.name, []).extend(exc.messages)
                continue
            if value is not None:
                where = self._here(path + keys.get(fk.name, fk.name))
                self.foreign_checks.append(_ForeignCheck(where, fk, value))
        for name, messages in errors.items():
            where = path + keys.get(name, name) if name != "__all__" else path.rstrip("/")
            for message in messages:
                self._problem(where, message)
        self._check_constraints(record, model, path, unchecked | set(errors), keys)

    def _check_constraints(
        self,
        record: djm.Model,
        model: type[djm.Model],
        path: str,
        exclude: set[str],
        keys: dict[str, str],
    ) -> None:
        for constraint in model._meta.constraints:
            try:
                if isinstance(constraint, djm.CheckConstraint):
                    if _truth(constraint.condition, record, exclude) is False:
                        self._problem(path.rstrip("/"), constraint.get_violation_error_message())
                elif isinstance(constraint, djm.UniqueConstraint) and constraint.fields:
                    self._defer_unique(record, model, constraint, path, exclude, keys)
                else:
                    raise _Unknowable(constraint.name)
            except _Excluded:
                continue
            except _Unknowable:
                try:
                    constraint.validate(model, record, exclude=exclude)
                except ValidationError as exc:
                    for message in exc.messages:
                        self._problem(path.rstrip("/"), message)

    def _defer_unique(
        self,
        record: djm.Model,
        model: type[djm.Model],
        constraint: djm.UniqueConstraint,
        path: str,
        exclude: set[str],
        keys: dict[str, str],
    ) -> None:
        """Note the values a unique constraint holds for `record` (none, as Django's
        UniqueConstraint.validate has it, when a value is NULL or the condition is not met)."""
        if (
            constraint.condition is not None
            and _truth(constraint.condition, record, exclude) is not True
        ):
            return
        values = tuple(_value(record, name, exclude) for name in constraint.fields)
        if None in values:
            return
        if constraint.condition is None:
            message = record.unique_error_message(model, constraint.fields).messages[0]
        else:
            message = constraint.get_violation_error_message()
        one_field = len(constraint.fields) == 1 and constraint.condition is None
        name = constraint.fields[0]
        where = path + keys.get(name, name) if one_field else path.rstrip("/")
        self.unique_checks.append(
            _UniqueCheck(self._here(where), constraint, model, values, record.pk, message)
        )

    def _here(self, path: str) -> _Where:
        return _Where(self.document, self.record_id, path)

    def _problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.record_id, path, message, self.document))

    def _problem_at(self, where: _Where, message: str) -> None:
        """A problem found at the end of the batch, reported as those found while building."""
        record_id, locate = self.located.get(where.document, (where.record_id, str))
        self.problems.append(Problem(record_id, locate(where.path), message, where.document))

    # --- checking a batch ----------------------------------------------------------------------

    def check_batch(self, documents: list[tuple[int, Any]]) -> list[tuple[int, _Node | None]]:
        """Build and check a batch of documents: (place in the import, node or None)."""
        self.rows, self.children, self.built = {}, {}, {}
        self.prefetch(doc for _index, doc in documents)
        nodes = []
        for index, doc in documents:
            self.document = index
            nodes.append((index, _build_document(self, doc, self.kind)))
        self._resolve_foreign_keys()
        self._resolve_unique()
        self.problems.sort(key=operator.attrgetter("document"))
        return nodes

    def prefetch(self, documents: Iterable[Any]) -> None:
        """Read once what building the batch needs of the database: the rows of every record
        the documents describe, and the children those records have now."""
        ids: dict[type[djm.Model], set] = defaultdict(set)
        parents: dict[tuple, set] = defaultdict(set)
        for doc in documents:
            if isinstance(doc, Prepared):
                doc = doc.document
            kind = self.kind or detect_kind(doc)
            if kind in SHAPES:
                _gather(doc, SHAPES[kind], ids, parents)
        for model, pks in ids.items():
            pks.discard(None)
            rows = self.rows.setdefault(model, dict.fromkeys(pks))
            for chunk in id_lists(pks):
                rows.update((row.pk, row) for row in model.objects.filter(pk__any=chunk))
        for (model, scope), pks in parents.items():
            if model is m.Attribute:
                lookup, where = "link_id", {"link_entity": scope}
            else:
                lookup, where = scope + "_id", {}
            for pk in pks:
                self.children[(model, scope, pk)] = set()
            for chunk in id_lists(pks):
                found = model.objects.filter(**where, **{lookup + "__any": chunk})
                for pk, parent in found.values_list("pk", lookup):
                    self.children[(model, scope, parent)].add(pk)

    def _resolve_foreign_keys(self) -> None:
        wanted: dict[type[djm.Model], set] = defaultdict(set)
        for check in self.foreign_checks:
            wanted[check.field.remote_field.model].add(check.value)
        found: dict[type[djm.Model], set] = defaultdict(set)
        for model, values in wanted.items():
            for chunk in id_lists(values):
                found[model].update(
                    model._base_manager.filter(pk__any=chunk).values_list("pk", flat=True)
                )
        for check in self.foreign_checks:
            target = check.field.remote_field.model
            if check.value not in found[target]:
                error = ValidationError(
                    check.field.error_messages["invalid"],
                    params={
                        "model": target._meta.verbose_name,
                        "pk": check.value,
                        "field": check.field.remote_field.field_name,
                        "value": check.value,
                    },
                )
                self._problem_at(check.where, error.messages[0])
        self.foreign_checks = []

    def _resolve_unique(self) -> None:
        """Two records of the batch holding the same unique values, or a record holding values
        another row of the database holds, are problems, as Django's checks would find."""
        groups: dict[tuple, list[_UniqueCheck]] = defaultdict(list)
        for check in self.unique_checks:
            groups[(check.model, check.constraint.name)].append(check)
        for (model, _name), checks in groups.items():
            constraint = checks[0].constraint
            holders: dict[tuple, set] = defaultdict(set)
            for check in checks:
                holders[check.values].add(check.pk)
            per_query = max(1, _BATCH // len(constraint.fields))
            for chunk in _chunks({check.values for check in checks}, per_query):
                matching = djm.Q()
                for values in chunk:
                    matching |= djm.Q(**dict(zip(constraint.fields, values, strict=True)))
                rows = model._default_manager.filter(matching)
                if constraint.condition is not None:
                    rows = rows.filter(constraint.condition)
                for pk, *values in rows.values_list("pk", *constraint.fields):
                    holders[tuple(values)].add(pk)
            for check in checks:
                if holders[check.values] - {check.pk}:
                    self._problem_at(check.where, check.message)
        self.unique_checks = []

    # --- writing -----------------------------------------------------------------------------

    def write(self, nodes: list[_Node]) -> None:
        """Write the records of a checked batch: one bulk delete, insert and update per model."""
        batch = _Writes(self.new_terms)
        for node in nodes:
            self._plan(node, batch)
        batch.apply()
        self.written |= {model for model, saves in batch.saves.items() if saves}
        insert_values(m.Metadata, self.changes)
        self.changes = []

    def _plan(self, node: _Node, batch: _Writes) -> bool:
        """Plan the writes of `node` and everything under it; returns whether any row changes.

        Records met twice in a batch are planned as they would be written one after the other:
        the later occurrence updates (or deletes) what the earlier one made."""
        touched = False
        for _one, child in node.ones:
            touched |= self._plan(child, batch)
        record = node.record
        if isinstance(record, m.Service):
            self.service_ids.add(record.pk)
        creating = not node.stored and not batch.planned(record)
        changed = [a for a, old in node.old.items() if getattr(record, a) != old]
        if creating or changed:
            batch.save(record, created=creating, fields=changed)
            self._log(node, [] if creating else changed, created=creating)
            touched = True
        else:
            self.counts[(node.shape.name, "unchanged")] += 1
        for many, children in node.many:
            for child in children:
                touched |= self._plan(child, batch)
            key = (many.shape.model, many.fk, record.pk)
            touched |= self._drop_others(batch, many.shape, key, children)
        if node.attributes is not None:
            for child in node.attributes:
                touched |= self._plan(child, batch)
            key = (m.Attribute, node.shape.link_entity, record.pk)
            touched |= self._drop_others(batch, ATTRIBUTE, key, node.attributes)
        for service in node.services:
            touched |= self._plan(service, batch)
        if node.touch and touched and node.existing:
            record.last_modified = timezone.now()
            batch.save(record, created=False, fields=["last_modified"])
        return touched

    def place_new_terms(self) -> None:
        """Put the terms this import created, and every term below them, where they belong in
        the tree: a new term is written as a root (its parent may come later in the import),
        and a term already waiting for a parent this import created moves under it.

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

    def _drop_others(self, batch: _Writes, shape: Shape, key: tuple, children: list[_Node]) -> bool:
        """Delete the children under `key` (model, parent key, parent id) that the document no
        longer lists."""
        keep = {child.record.pk for child in children}
        if key not in self.children:  # not foreseen by `prefetch`
            model, scope, parent = key
            where = (
                {"link_entity": scope, "link_id": parent}
                if model is m.Attribute
                else {scope: parent}
            )
            self.children[key] = set(model.objects.filter(**where).values_list("pk", flat=True))
        stale = self.children[key] - keep
        self.children[key] = keep
        if not stale:
            return False
        for pk in stale:
            batch.delete(shape.model, pk)
        now = timezone.now()
        self.counts[(shape.name, "deleted")] += len(stale)
        self.changes += [self._change(pk, shape.name, now, m.ActionType.DELETE) for pk in stale]
        return True

    def _log(self, node: _Node, changed: list[str], *, created: bool) -> None:
        now, pk, kind = timezone.now(), node.record.pk, node.shape.name
        if created:
            self.counts[(kind, "created")] += 1
            self.changes.append(self._change(pk, kind, now, m.ActionType.CREATE))
            return
        self.counts[(kind, "updated")] += 1
        self.changes += [
            self._change(
                pk,
                kind,
                now,
                m.ActionType.UPDATE,
                field_name=attr,
                previous_value=_text(node.old[attr]),
                replacement_value=_text(getattr(node.record, attr)),
            )
            for attr in changed
        ]

    def _change(self, pk: Any, kind: str, when: dt.datetime, action: str, **what: str) -> dict:
        """A change log row (every row of a batch has the same keys, as insert_values needs)."""
        return {
            "resource_id": pk,
            "resource_type": kind,
            "last_action_date": when,
            "last_action_type": action,
            "updated_by": self.actor,
            "field_name": what.get("field_name", ""),
            "previous_value": what.get("previous_value", ""),
            "replacement_value": what.get("replacement_value", ""),
        }


@dataclass
class _Write:
    record: djm.Model
    created: bool
    fields: set[str]


class _Writes:
    """The writes of one batch, by model, made together by `apply`."""

    def __init__(self, new_terms: set) -> None:
        self.saves: dict[type[djm.Model], dict[Any, _Write]] = defaultdict(dict)
        self.deletes: dict[type[djm.Model], set] = defaultdict(set)
        self.new_terms = new_terms  # the import's, for `place_new_terms`

    def planned(self, record: djm.Model) -> bool:
        return record.pk in self.saves[type(record)]

    def save(self, record: djm.Model, *, created: bool, fields: Iterable[str]) -> None:
        model = type(record)
        write = self.saves[model].get(record.pk)
        if write is None:
            self.saves[model][record.pk] = _Write(record, created, set(fields))
        else:
            write.record = record  # a later occurrence: it carries every value
            write.fields.update(fields)
        self.deletes[model].discard(record.pk)

    def delete(self, model: type[djm.Model], pk: Any) -> None:
        write = self.saves[model].pop(pk, None)
        if write is None or not write.created:  # a row this batch made needs no delete
            self.deletes[model].add(pk)

    def apply(self) -> None:
        # Foreign keys are checked at commit (Django declares them deferrable), so the order of
        # models does not matter; deletes go first so that a replaced row frees its values.
        for model, pks in self.deletes.items():
            for chunk in id_lists(pks):
                model.objects.filter(pk__any=chunk).delete()
        now = timezone.now()
        for model, writes in self.saves.items():
            created = [w.record for w in writes.values() if w.created]
            updated = [w for w in writes.values() if not w.created]
            if model is m.TaxonomyTerm:
                # A new term starts as a root; `place_new_terms` puts it under its parent when
                # the import ends. A term that changes moves its subtree as it saves.
                for term in created:
                    term.path, term.depth = term.pk.hex, 0
                    self.new_terms.add(term.pk)
                for write in updated:
                    write.record.save()
                updated = []
            insert_rows(model, created)
            if updated:
                for write in updated:
                    write.record.updated_at = now
                fields = set().union(*(w.fields for w in updated)) | {"updated_at"}
                model.objects.bulk_update([w.record for w in updated], sorted(fields))
        addresses = self.saves.get(m.Address, {}).values()
        _locate(list({write.record.location_id for write in addresses}), now)


def _locate(location_ids: list, now: dt.datetime) -> None:
    """Give locations without coordinates those of their address's postcode, as saving an
    address does (`Address.save`)."""
    from directory.geo import fill_location_coordinates  # loads pyproj, as in Address.save

    located = []
    for chunk in id_lists(location_ids):
        unplaced = m.Location.objects.filter(
            pk__any=chunk, latitude__isnull=True, longitude__isnull=True
        ).prefetch_related("addresses")
        for location in unplaced:
            if fill_location_coordinates(location):
                location.updated_at = now
                located.append(location)
    fields = ["latitude", "longitude", "local_authority_code", "updated_at"]
    m.Location.objects.bulk_update(located, fields)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _gather(
    doc: Any,
    shape: Shape,
    ids: dict[type[djm.Model], set],
    parents: dict[tuple, set],
    exclude: tuple[str, ...] = (),
) -> None:
    """Collect the ids of the records `doc` describes (by model), and the parents whose
    children it lists (by child model and the key they hang from), as `build` will meet them."""
    if not isinstance(doc, dict) or (pk := _uuid(doc.get("id"))) is None:
        return
    ids[shape.model].add(pk)
    for one in shape.one:
        nested = doc.get(one.key)
        _gather(nested, one.shape, ids, parents, one.exclude)
        if one.shape is TAXONOMY_TERM and isinstance(nested, dict):
            ids[m.Taxonomy].add(_uuid(nested.get("taxonomy_id")))
    for many in shape.many:
        if many.key in exclude:
            continue
        parents[(many.shape.model, many.fk)].add(pk)
        items = doc.get(many.key)
        for item in items if isinstance(items, list) else ():
            _gather(item, many.shape, ids, parents)
    if shape.link_entity:
        parents[(m.Attribute, shape.link_entity)].add(pk)
        items = doc.get("attributes")
        for item in items if isinstance(items, list) else ():
            _gather(item, ATTRIBUTE, ids, parents)
            if isinstance(item, dict) and (term := _uuid(item.get("taxonomy_term_id"))):
                ids[m.TaxonomyTerm].add(term)
    if shape is SHAPES["organization"] and isinstance(doc.get("services"), list):
        for service in doc["services"]:
            _gather(service, SHAPES["service"], ids, parents)


def _build_prepared(loader: _Loader, prepared: Prepared, kind: str | None) -> _Node | None:
    """Build a converted document, reporting every problem in the source's ids and paths."""
    start = len(loader.problems)
    node = None
    if prepared.document is not None:
        node = _build_document(loader, prepared.document, kind)
    loader.record_id = prepared.record_id
    loader.located[loader.document] = (prepared.record_id, prepared.locate)
    document = loader.document
    loader.problems[start:] = [
        *(Problem(prepared.record_id, p, message, document) for p, message in prepared.problems),
        *(
            Problem(prepared.record_id, prepared.locate(p.path), p.message, document)
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

    `documents` is called more than once (to count them, and with `skip_invalid` to find the
    invalid ones first), so a source is streamed, never held whole.
    `partial`: documents are list items, so arrays they leave out are kept, not emptied.
    Raises ImportFailed (nothing written) when any document is invalid, unless `skip_invalid`.
    How far each pass has got is written on the background task running the import, if any, and
    shown on the bar `progress(stage, total)` makes (a terminal's), if given.
    """
    report = ImportReport()
    total = sum(1 for _doc in documents())
    invalid: set[int] = set()
    if skip_invalid:
        checker = _Loader(partial=partial, actor=actor, kind=kind)
        checking = _progress("Checking", total, progress)
        mappers = [make() for make in document_mappers]
        with bulk_writing():
            for batch in _batches(checking.track(_mapped(documents, kind, mappers))):
                checker.check_batch(batch)
        report.problems = checker.problems
        invalid = {problem.document for problem in checker.problems}
        report.skipped = len(invalid)

    loader = _Loader(partial=partial, actor=actor, kind=kind)
    mappers = [make() for make in document_mappers]
    importing = _progress("Importing", total, progress)
    stream = _batches(importing.track(_mapped(documents, kind, mappers)), skip=invalid)
    try:
        with transaction.atomic(), bulk_writing():
            for batch in stream:
                nodes = loader.check_batch(batch)
                # After a problem, the rest is only checked, to report every problem.
                if not loader.problems:
                    loader.write([node for _index, node in nodes if node is not None])
            report.documents = total
            if loader.problems:
                report.problems += loader.problems
                report.skipped = len({problem.document for problem in report.problems})
                raise ImportFailed(report)
            loader.place_new_terms()
    except (DatabaseError, ValidationError) as exc:
        # Conflicts only the database sees (a row changed by someone else meanwhile, say).
        report.problems.append(Problem(loader.record_id, "", f"could not be saved: {exc}"))
        raise ImportFailed(report) from exc
    report.imported = total - len(invalid)
    if report.imported >= ANALYZE_AFTER:
        analyze(loader.written)
    report.counts = loader.counts
    if loader.named_taxonomies:
        names = ", ".join(sorted(loader.named_taxonomies.values()))
        report.notes.append(
            f"Taxonomies not in the portal were created from the name their terms give ({names})."
            f" Run {LOAD_TAXONOMIES} to give them their full names, descriptions and terms."
        )
    for mapper in mappers:
        mapper.report(report)
    if loader.service_ids:
        services_imported.send(sender=ImportReport, service_ids=sorted(loader.service_ids))
    return report


def _batches(documents: Iterable[Any], skip: set[int] = frozenset()) -> Iterator[list]:
    """The documents in batches of BATCH_DOCUMENTS, each with its place in the import."""
    numbered = ((index, doc) for index, doc in enumerate(documents) if index not in skip)
    return _chunks(numbered, BATCH_DOCUMENTS)


def _progress(stage: str, total: int | None, bar: ProgressBar | None) -> Progress:
    return Progress(stage, total=total, echo=bar(stage, total) if bar is not None else None)


def check_document(doc: Any, *, kind: str | None = None) -> list[Problem]:
    """Every problem importing `doc` would meet, without writing anything (forms and change
    requests check a proposal before it is stored)."""
    checker = _Loader(partial=False, actor="check", kind=kind)
    with bulk_writing():
        checker.check_batch([(0, doc)])
    return checker.problems


def import_document(doc: dict, *, kind: str | None = None, actor: str = "import") -> ImportReport:
    """Import one document (all or nothing); raises ImportFailed with every problem."""
    return import_documents(lambda: [doc], kind=kind, actor=actor)

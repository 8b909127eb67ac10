"""Imports apply the legacy mapping: a service that carries a term of an old directory's taxonomy
also gets the LGA service types its category maps to.

A term belongs to a legacy scheme when its taxonomy's name or vocabulary (or the term's free-text
`taxonomy` label) is the scheme's name, whatever the case; it is that scheme's category with the
term's code (`term`, or HSDS's `code`), or, when no code matches, the category with its name as
label. The mapped types are added to the service document as attributes with ids derived from
the service and the type, so a rerun changes nothing and the import checks them like any other.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from typing import Any

from directory.models import Attribute, LinkEntity, Taxonomy, TaxonomyTerm
from directory.oruk.load import ImportReport, Prepared, detect_kind

from .models import LegacyCategory, LegacyScheme

NAMESPACE = uuid.UUID("2b0f8e52-5f55-4f5e-a4c1-6c1e0b7d9a31")
NOTE_LIMIT = 20  # unmapped categories named in the report; the rest are counted


def mapped_attribute_id(service_id: Any, term_id: Any) -> uuid.UUID:
    """The id of the attribute that tags `service_id` with a mapped LGA type (stable, so a
    rerun of the same import updates nothing)."""
    return uuid.uuid5(NAMESPACE, f"legacy-map:{service_id}:{term_id}")


@dataclasses.dataclass(frozen=True)
class _Ref:
    """A legacy term as a document names it."""

    scheme_id: int
    code: str
    name: str


class LegacyTermMapper:
    """One pass of one import (`directory.oruk.load.document_mappers`). Loads the schemes and
    their mappings once, on the first service that has attributes (a handful of queries a pass,
    whatever the number of services)."""

    def __init__(self) -> None:
        self._loaded = False
        self._schemes: dict[str, LegacyScheme] = {}  # casefolded name -> scheme
        self._scheme_names: dict[int, str] = {}
        self._taxonomy_scheme: dict[str, int] = {}  # taxonomy id -> scheme id
        self._by_code: dict[tuple[int, str], LegacyCategory] = {}
        self._by_label: dict[tuple[int, str], LegacyCategory] = {}
        self._types: dict[int, list[str]] = {}  # category pk -> LGA term ids (str)
        self._terms: dict[str, _Ref | None] = {}  # term id -> legacy ref (None: not legacy)
        self.mapped = 0  # legacy terms met that the mapping covers
        self.added = 0  # LGA attributes added to services
        self.services = 0  # services that got at least one
        self.unmapped: Counter = Counter()  # (scheme, code, label) of categories -> times met
        self.unknown: Counter = Counter()  # (scheme, code, name) of terms not uploaded -> times

    # --- the DocumentMapper protocol ------------------------------------------------------------

    def __call__(self, doc: Any, kind: str | None) -> Any:
        if isinstance(doc, Prepared):
            if doc.document is None:
                return doc
            mapped = self(doc.document, kind)
            return doc if mapped is doc.document else dataclasses.replace(doc, document=mapped)
        if not isinstance(doc, dict):
            return doc
        kind = kind or detect_kind(doc)
        if kind == "service":
            return self._service(doc)
        if kind == "organization" and isinstance(doc.get("services"), list):
            services = [self._service(s) if isinstance(s, dict) else s for s in doc["services"]]
            if any(new is not old for new, old in zip(services, doc["services"], strict=True)):
                return {**doc, "services": services}
        elif kind in ("taxonomy", "taxonomy_term"):
            self._learn(doc, kind)
        return doc

    def report(self, report: ImportReport) -> None:
        if not self._schemes:
            return
        if self.mapped:
            report.counts[("legacy term", "mapped")] += self.mapped
            report.notes.append(
                f"Legacy categories: {self.mapped} legacy term{_s(self.mapped)} mapped, adding "
                f"{self.added} LGA service type{_s(self.added)} to {self.services} "
                f"service{_s(self.services)}."
            )
        if self.unmapped:
            report.counts[("legacy term", "unmapped")] += sum(self.unmapped.values())
            report.notes.append(
                f"{_count(len(self.unmapped), 'legacy category', 'legacy categories')} met "
                f"{'has' if len(self.unmapped) == 1 else 'have'} no LGA service types yet "
                "(map them, then import again): " + _listed(self.unmapped)
            )
        if self.unknown:
            report.counts[("legacy term", "unknown")] += sum(self.unknown.values())
            report.notes.append(
                f"{_count(len(self.unknown), 'legacy term')} met "
                f"{'is' if len(self.unknown) == 1 else 'are'} not among the uploaded categories "
                "(upload them and map them, then import again): " + _listed(self.unknown)
            )

    # --- services --------------------------------------------------------------------------------

    def _service(self, doc: dict) -> dict:
        attributes = doc.get("attributes")
        if not isinstance(attributes, list) or not attributes:
            return doc
        self._load()
        if not self._schemes:
            return doc
        items = [a for a in attributes if isinstance(a, dict)]
        self._fetch_terms(
            {
                str(a["taxonomy_term_id"])
                for a in items
                if a.get("taxonomy_term_id") and not isinstance(a.get("taxonomy_term"), dict)
            }
        )
        present: set[str] = set()
        wanted: list[str] = []
        met = 0
        for item in items:
            present.add(_term_id(item))
            ref = self._ref(item)
            if ref is None:
                continue
            category = self._category(ref)
            types = self._types.get(category.pk, []) if category else []
            if not types:
                scheme = self._scheme_names[ref.scheme_id]
                if category is not None:
                    self.unmapped[(scheme, category.code, category.label)] += 1
                else:
                    self.unknown[(scheme, ref.code or ref.name, ref.name if ref.code else "")] += 1
                continue
            met += 1
            wanted += [t for t in types if t not in wanted]
        missing = [t for t in wanted if t not in present]
        self.mapped += met
        if not missing:
            return doc
        service_id = doc.get("id")
        reuse = self._existing_attributes(service_id, missing)
        added = [
            {
                "id": reuse.get(term_id) or str(mapped_attribute_id(service_id, term_id)),
                "taxonomy_term_id": term_id,
            }
            for term_id in missing
        ]
        self.added += len(added)
        self.services += 1
        return {**doc, "attributes": [*attributes, *added]}

    def _existing_attributes(self, service_id: Any, term_ids: list[str]) -> dict[str, str]:
        """Attributes the directory already has tagging this service with these types (an
        editor's, say): reused by id, since a second one for the same type cannot exist."""
        try:
            pk = uuid.UUID(str(service_id))
        except ValueError:
            return {}
        rows = Attribute.objects.filter(
            link_entity=LinkEntity.SERVICE,
            link_id=pk,
            taxonomy_term_id__in=term_ids,
            link_type="",
            value="",
        ).values_list("taxonomy_term_id", "pk")
        return {str(term): str(attribute) for term, attribute in rows}

    # --- which legacy term an attribute names ------------------------------------------------

    def _ref(self, item: dict) -> _Ref | None:
        term = item.get("taxonomy_term")
        if isinstance(term, dict):
            return self._ref_of_term(term)
        return self._terms.get(_term_id(item))

    def _ref_of_term(self, term: dict) -> _Ref | None:
        scheme_id = self._taxonomy_scheme.get(str(term.get("taxonomy_id") or ""))
        if scheme_id is None:
            detail = term.get("taxonomy_detail")
            labels = [term.get("taxonomy")]
            if isinstance(detail, dict):
                labels += [detail.get("name"), detail.get("vocabulary")]
            scheme_id = next(
                (
                    self._schemes[label.strip().casefold()].pk
                    for label in labels
                    if isinstance(label, str) and label.strip().casefold() in self._schemes
                ),
                None,
            )
        if scheme_id is None:
            return None
        code = str(term.get("term") or term.get("code") or "").strip()
        if code == str(term.get("id") or ""):
            code = ""  # HSDS exports put the id in `code` when a term has none
        return _Ref(scheme_id, code, str(term.get("name") or "").strip())

    def _category(self, ref: _Ref) -> LegacyCategory | None:
        if ref.code:
            found = self._by_code.get((ref.scheme_id, ref.code.casefold()))
            if found is not None:
                return found
        return self._by_label.get((ref.scheme_id, ref.name.casefold())) if ref.name else None

    def _fetch_terms(self, ids: set[str]) -> None:
        unknown = {i for i in ids if i not in self._terms}
        if not unknown:
            return
        valid = []
        for value in unknown:
            self._terms[value] = None
            try:
                valid.append(uuid.UUID(value))
            except ValueError:
                continue
        rows = TaxonomyTerm.objects.filter(pk__in=valid).values(
            "pk", "term", "name", "taxonomy_id", "taxonomy_label"
        )
        for row in rows:
            self._terms[str(row["pk"])] = self._ref_of_term(
                {
                    "id": row["pk"],
                    "term": row["term"],
                    "name": row["name"],
                    "taxonomy_id": row["taxonomy_id"],
                    "taxonomy": row["taxonomy_label"],
                }
            )

    def _learn(self, doc: dict, kind: str) -> None:
        """Terms of a legacy taxonomy that the same file brings, so that services after them
        may name them by id before the terms are in the database."""
        self._load()
        if not self._schemes:
            return
        if kind == "taxonomy":
            terms = doc.get("taxonomy_terms")
            if isinstance(terms, list):
                for term in terms:
                    if isinstance(term, dict) and term.get("id"):
                        nested = {"taxonomy": doc.get("name"), **term}
                        if doc.get("id"):
                            nested.setdefault("taxonomy_id", doc.get("id"))
                        self._terms.setdefault(str(term["id"]), self._ref_of_term(nested))
            return
        if doc.get("id"):
            self._terms.setdefault(str(doc["id"]), self._ref_of_term(doc))

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        self._schemes = {s.name.strip().casefold(): s for s in LegacyScheme.objects.all()}
        self._scheme_names = {s.pk: s.name for s in self._schemes.values()}
        if not self._schemes:
            return
        for pk, name, vocabulary in Taxonomy.objects.values_list("pk", "name", "vocabulary"):
            for label in (name, vocabulary):
                scheme = self._schemes.get((label or "").strip().casefold())
                if scheme is not None:
                    self._taxonomy_scheme[str(pk)] = scheme.pk
                    break
        for category in LegacyCategory.objects.only("pk", "scheme_id", "code", "label"):
            self._by_code.setdefault((category.scheme_id, category.code.casefold()), category)
            self._by_label.setdefault((category.scheme_id, category.label.casefold()), category)
        through = LegacyCategory.service_types.through.objects.order_by("pk")
        for category_id, term_id in through.values_list("legacycategory_id", "taxonomyterm_id"):
            self._types.setdefault(category_id, []).append(str(term_id))


def _term_id(item: dict) -> str:
    term = item.get("taxonomy_term")
    if isinstance(term, dict) and term.get("id"):
        return str(term["id"])
    return str(item.get("taxonomy_term_id") or "")


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _listed(met: Counter) -> str:
    """The first NOTE_LIMIT of `met` ((scheme, code, label) keys) in words, then a count."""
    named = [
        f"{scheme}: {label} ({code})" if label else f"{scheme}: {code}"
        for scheme, code, label in sorted(met)[:NOTE_LIMIT]
    ]
    more = len(met) - len(named)
    return "; ".join(named) + (f"; and {more} more" if more > 0 else "") + "."

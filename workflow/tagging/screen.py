"""The tagging screen of the proposal editor ("What the service is"): the lists of terms a service
can carry, the search over them, the needs each chosen type meets, the assistant's suggestions and
the over-classification warning. Read-only helpers for `workflow.forms.TagsForm` and the section
template; the editing view saves through the usual change request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from directory.models import Attribute, TaxonomyTerm, TermMapping
from directory.models.attribute import LinkEntity
from directory.models.taxonomy import PATH_STEP
from directory.oruk.export import DocumentBuilder
from directory.oruk.shapes import ATTRIBUTE
from directory.taxonomies import identity

from .classification import (
    FUNCTION_PREFIX,
    classification_warnings,
    service_type_ids_in,
)
from .suggest import suggest_service_types

# The published vocabularies the portal loads itself; any other taxonomy in the database is a
# directory admin's local one, offered on the screen as it is.
PUBLISHED_VOCABULARIES = frozenset(
    {
        identity.LGA_SERVICE_TYPES,
        identity.LGA_FUNCTIONS,
        identity.LGA_NEEDS,
        identity.LGA_CIRCUMSTANCES,
        identity.OPENACTIVE_ACTIVITIES,
        identity.OPENACTIVE_ACCESSIBILITY,
        identity.OPEN_ELIGIBILITY,
        identity.ORUK_ATTENDING_TYPE,
        identity.ORUK_ATTENDING_ACCESS,
        identity.ORUK_ELIGIBILITY,
        identity.ORUK_DELIVERABLE_TYPE,
    }
)
SUGGESTIONS = 5


def _lga_terms() -> list[TaxonomyTerm]:
    return list(
        TaxonomyTerm.objects.filter(
            taxonomy__vocabulary=identity.LGA_SERVICE_TYPES, discontinued=False
        )
        .only("id", "name", "alt_label", "term", "path", "depth", "synonyms")
        .in_tree_order()
    )


def _activities() -> list[TaxonomyTerm]:
    return list(
        TaxonomyTerm.objects.filter(
            taxonomy__vocabulary=identity.OPENACTIVE_ACTIVITIES, discontinued=False
        )
        .only("id", "name", "path")
        .order_by("name", "id")
    )


def _local_terms() -> list[TaxonomyTerm]:
    return list(
        TaxonomyTerm.objects.filter(discontinued=False, taxonomy__isnull=False)
        .exclude(taxonomy__vocabulary__in=PUBLISHED_VOCABULARIES)
        .select_related("taxonomy")
        .only("id", "name", "path", "taxonomy__id", "taxonomy__name")
        .order_by("taxonomy__name", "taxonomy_id", "path")
    )


def tag_choices() -> dict[str, list[tuple[str, str]]]:
    """The terms each list of the screen offers: {form field: [(term id, name)]}. Three queries."""
    return {
        "service_types": [
            (str(t.id), t.name) for t in _lga_terms() if not t.term.startswith(FUNCTION_PREFIX)
        ],
        "activities": [(str(t.id), t.name) for t in _activities()],
        "local_terms": [(str(t.id), t.name) for t in _local_terms()],
    }


def _field_of(term_ids: Iterable[str]) -> dict[str, str]:
    """{term id: the form field that edits it}, for the ids a document holds. One query."""
    ids = []
    for value in term_ids:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    found = {}
    rows = TaxonomyTerm.objects.filter(pk__in=ids).values_list("pk", "term", "taxonomy__vocabulary")
    for pk, code, vocabulary in rows:
        if vocabulary == identity.LGA_SERVICE_TYPES:
            if not code.startswith(FUNCTION_PREFIX):
                found[str(pk)] = "service_types"
        elif vocabulary == identity.OPENACTIVE_ACTIVITIES:
            found[str(pk)] = "activities"
        elif vocabulary not in PUBLISHED_VOCABULARIES:
            found[str(pk)] = "local_terms"
    return found


def chosen_by_field(document: dict[str, Any]) -> dict[str, list[str]]:
    ids = service_type_ids_in(document.get("attributes"))
    fields = _field_of(ids)
    chosen: dict[str, list[str]] = {"service_types": [], "activities": [], "local_terms": []}
    for term_id in ids:
        if term_id in fields:
            chosen[fields[term_id]].append(term_id)
    return chosen


def apply_tags(document: dict[str, Any], *, chosen: list[str], editable: set[str]) -> None:
    """Rewrite the document's `attributes`: the `editable` terms become exactly `chosen`; any
    other attribute stays as it was, and a term already there keeps its attribute (and id)."""
    wanted = list(dict.fromkeys(chosen))
    kept, present = [], set()
    for attribute in document.get("attributes") or []:
        ids = service_type_ids_in([attribute])
        term_id = ids[0] if ids else ""
        if term_id in editable and term_id not in wanted:
            continue
        kept.append(attribute)
        present.add(term_id)
    new_ids = [term_id for term_id in wanted if term_id not in present]
    terms = {str(t.pk): t for t in TaxonomyTerm.objects.filter(pk__in=new_ids)}
    builder = DocumentBuilder()
    for term_id in new_ids:
        term = terms.get(term_id)
        if term is None:
            continue
        attribute = Attribute(
            id=uuid.uuid4(),
            link_entity=LinkEntity.SERVICE,
            link_id=document.get("id") or uuid.uuid4(),
            taxonomy_term=term,
        )
        doc = builder.document(attribute, ATTRIBUTE)
        doc["taxonomy_term_id"] = term_id
        if not term.description:
            # ORUK requires a nested term's description; the id alone names the term as well.
            doc.pop("taxonomy_term", None)
        kept.append(doc)
    if kept:
        document["attributes"] = kept
    else:
        document.pop("attributes", None)


def _matches(query_words: list[str], *texts: str) -> bool:
    haystack = " ".join(texts).lower()
    return all(word in haystack for word in query_words)


def _checkbox(term: TaxonomyTerm, field: str, chosen: set[str], hint: str = "") -> dict[str, Any]:
    return {
        "id": f"{field}-{term.id.hex}",
        "name": field,
        "value": str(term.id),
        "label": term.name,
        "hint": hint,
        "checked": str(term.id) in chosen,
    }


def tagging_context(
    *, document: dict[str, Any], query: str, form: Any = None, links: dict[str, str]
) -> dict[str, Any]:
    """What the tagging page shows. `form` (a bound TagsForm) keeps what was ticked after an
    error; `links` are the other sections the page points to (eligibility, attending)."""
    if form is not None and form.is_bound:
        chosen_ids = {term_id for name in ("service_types", "activities", "local_terms")
                      for term_id in form.data.getlist(name)}  # fmt: skip
    else:
        chosen_ids = set(service_type_ids_in(document.get("attributes")))
    query = (query or "").strip()[:100]
    query_words = query.lower().split()

    lga = _lga_terms()
    functions = {t.path: t.name for t in lga if t.term.startswith(FUNCTION_PREFIX)}
    groups: dict[str, dict[str, Any]] = {}
    chosen_types = []
    for term in lga:
        if term.term.startswith(FUNCTION_PREFIX):
            continue
        root = term.path[:PATH_STEP]
        function = functions.get(root, "") if term.depth > 0 else ""
        checked = str(term.id) in chosen_ids
        if checked:
            chosen_types.append(term)
        synonyms = " ".join(s for s in term.synonyms or [] if isinstance(s, str))
        if (
            query_words
            and not checked
            and not _matches(query_words, term.name, term.alt_label, synonyms, function)
        ):
            continue
        group = groups.setdefault(
            root if function else "",
            {"heading": function or "Other service types", "items": []},
        )
        group["items"].append(
            {
                **_checkbox(term, "service_types", chosen_ids, term.alt_label),
                "search": " ".join((term.name, term.alt_label, synonyms, function)).lower(),
            }
        )
    # Function groups in tree order, the unplaced types last.
    ordered = [g for key, g in groups.items() if key] + [g for key, g in groups.items() if not key]
    if len(ordered) == 1 and not functions:
        ordered[0]["heading"] = "Service types"

    activities = [
        {**_checkbox(term, "activities", chosen_ids), "search": term.name.lower()}
        for term in _activities()
        if str(term.id) in chosen_ids or _matches(query_words, term.name)
    ]
    local: dict[Any, dict[str, Any]] = {}
    for term in _local_terms():
        if str(term.id) in chosen_ids or _matches(query_words, term.name, term.taxonomy.name):
            local.setdefault(term.taxonomy_id, {"heading": term.taxonomy.name, "items": []})[
                "items"
            ].append({**_checkbox(term, "local_terms", chosen_ids), "search": term.name.lower()})

    needs = []
    if chosen_types:
        meets: dict[Any, list[str]] = {}
        for mapping in (
            TermMapping.objects.filter(service_type__in=chosen_types)
            .select_related("from_term")
            .order_by("from_term__name", "from_term_id")
        ):
            meets.setdefault(mapping.service_type_id, []).append(mapping.from_term.name)
        needs = [
            {"key": term.name, "value": ", ".join(meets[term.id])}
            for term in chosen_types
            if term.id in meets
        ]

    suggestions = []
    for suggestion in suggest_service_types(
        document.get("name") or "",
        document.get("description") or "",
        limit=SUGGESTIONS,
        exclude_service_id=document.get("id"),
    ):
        if str(suggestion.term.id) in chosen_ids:
            continue
        suggestions.append(
            {
                "id": f"suggested-{suggestion.term.id.hex}",
                "name": "service_types",
                "value": str(suggestion.term.id),
                "label": suggestion.term.name,
                "confidence": _confidence(suggestion.score),
                "reasons": list(suggestion.reasons),
            }
        )

    # The error summary links to the first box of each list (GDSForm's `id_<name>_1`).
    first_seen: set[str] = set()
    every_box = [
        *suggestions,
        *(item for group in ordered for item in group["items"]),
        *activities,
        *(item for group in local.values() for item in group["items"]),
    ]
    for box in every_box:
        if box["name"] not in first_seen:
            first_seen.add(box["name"])
            box["id"] = f"id_{box['name']}_1"

    return {
        "search_query": query,
        "type_groups": ordered,
        "activities": activities,
        "local_taxonomies": list(local.values()),
        "needs": needs,
        "suggestions": suggestions,
        "tag_warnings": classification_warnings(chosen_ids),
        "links": links,
    }


def _confidence(score: float) -> str:
    if score >= 0.7:
        return "Strong match"
    if score >= 0.4:
        return "Good match"
    return "Possible match"


def document_warnings(document: dict[str, Any]) -> list[str]:
    """The over-classification warning for a proposed document (check answers, review)."""
    return classification_warnings(service_type_ids_in(document.get("attributes")))

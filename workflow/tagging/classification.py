"""The over-classification guard: a service tagged with many types drowns other searches.

The pilots found providers ticked every type that might apply, so a search for one thing returned
forty services. More than a few service types, or types under unrelated top-level functions of the
LGA hierarchy (function -> service type), draw a warning for the editor and the assurer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings

from directory.models import TaxonomyTerm
from directory.models.taxonomy import PATH_STEP, TaxonomyTermQuerySet
from directory.taxonomies.identity import LGA_SERVICE_TYPES
from directory.taxonomies.loaders import FUNCTION_PREFIX  # how the loader codes LGA functions


def service_types() -> TaxonomyTermQuerySet:
    """The LGA service types one can tag a service with (not the functions above them)."""
    return (
        TaxonomyTerm.objects.filter(taxonomy__vocabulary=LGA_SERVICE_TYPES, discontinued=False)
        .exclude(term__startswith=FUNCTION_PREFIX)
        .in_tree_order()
    )


def max_service_types() -> int:
    return int(getattr(settings, "PORTAL_TAGGING_MAX_SERVICE_TYPES", 3))


def _uuids(values: Iterable) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            continue
    return out


def classification_warnings(term_ids: Iterable) -> list[str]:
    """Warnings for a service tagged with these terms (any taxonomy; only LGA service types count).

    One query. Returns an empty list when the tagging is focused.
    """
    ids = _uuids(term_ids)
    if not ids:
        return []
    chosen = list(
        TaxonomyTerm.objects.filter(pk__in=ids, taxonomy__vocabulary=LGA_SERVICE_TYPES)
        .exclude(term__startswith=FUNCTION_PREFIX)
        .values_list("name", "path", "depth")
    )
    warnings = []
    limit = max_service_types()
    if len(chosen) > limit:
        warnings.append(
            "Focus on the main service you deliver: this service has "
            f"{len(chosen)} service types (choose {limit} or fewer)"
        )
    # A type's top-level function is the root of its path; roots on their own (types the
    # hierarchy does not place) say nothing about relatedness.
    functions = {path[:PATH_STEP] for _name, path, depth in chosen if depth > 0}
    if len(functions) > 1:
        warnings.append(
            "Focus on the main service you deliver: the service types you chose come from "
            f"{len(functions)} unrelated areas of council services"
        )
    return warnings


def service_type_ids_in(attributes: Iterable) -> list[str]:
    """The taxonomy term ids of a document's `attributes` list (ORUK shape), in order."""
    ids = []
    for attribute in attributes or []:
        if not isinstance(attribute, dict):
            continue
        term = attribute.get("taxonomy_term") or {}
        term_id = attribute.get("taxonomy_term_id") or (
            term.get("id") if isinstance(term, dict) else None
        )
        if term_id:
            ids.append(str(term_id))
    return list(dict.fromkeys(ids))

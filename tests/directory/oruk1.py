"""Shared helpers for the ORUK 1.0 import tests: the fixture dump and the vocabularies it uses."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

from directory import models as m
from directory import oruk
from directory.demo.seed import ensure_demo_service_types
from directory.oruk.v1 import NAMESPACE, source_key
from directory.taxonomies.identity import (
    ORUK_ATTENDING_ACCESS,
    ORUK_ATTENDING_TYPE,
    ORUK_DELIVERABLE_TYPE,
    ORUK_ELIGIBILITY,
)
from directory.taxonomies.loaders import TaxonomySpec, TermRow, ensure_taxonomy, sync_terms
from directory.taxonomies.needs import ensure_demo_needs
from publish.api_v1.schema import (
    ATTENDING_ACCESS,
    ATTENDING_TYPES,
    DELIVERABLE_TYPES,
    ELIGIBILITIES,
)

FIXTURE = Path(__file__).parent / "fixtures" / "oruk1_services.json"

# The ORUK 1.0 enumerations as `load_taxonomies --only oruk-enumerations` loads them from the
# 1.0 data package (OpenReferralUK/human-services ExtendedDataPackage.json).
ENUMERATIONS = {
    ORUK_ATTENDING_TYPE: ATTENDING_TYPES,
    ORUK_ATTENDING_ACCESS: ATTENDING_ACCESS,
    ORUK_DELIVERABLE_TYPE: DELIVERABLE_TYPES,
    ORUK_ELIGIBILITY: ELIGIBILITIES,
}

RECORD_MODELS = (
    m.Organization,
    m.Service,
    m.ServiceArea,
    m.ServiceAtLocation,
    m.Location,
    m.Address,
    m.Accessibility,
    m.Schedule,
    m.CostOption,
    m.Funding,
    m.Contact,
    m.Phone,
    m.Language,
    m.Attribute,
)


def load_vocabularies() -> None:
    """LGA service types, our needs and circumstances, and the ORUK 1.0 enumerations."""
    ensure_demo_service_types()
    ensure_demo_needs()
    for vocabulary, codes in ENUMERATIONS.items():
        taxonomy = ensure_taxonomy(
            TaxonomySpec(vocabulary=vocabulary, name=vocabulary, description=vocabulary)
        )
        sync_terms(
            taxonomy=taxonomy,
            rows=[TermRow(code=code, name=code) for code in codes],
            source="test",
        )


def services() -> list[dict]:
    return copy.deepcopy(json.loads(FIXTURE.read_text()))


def write(path: Path, value) -> Path:
    path.write_text(json.dumps(value))
    return path


def derived(source: str, entity: str, value: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, json.dumps([source_key(source), entity, value]))


def database_state() -> dict:
    return {
        "counts": {model.__name__: model.objects.count() for model in RECORD_MODELS},
        "services": [oruk.service_document(s) for s in m.Service.objects.order_by("pk")],
        "last_modified": list(m.Service.objects.order_by("pk").values_list("pk", "last_modified")),
        "changes": m.Metadata.objects.count(),
    }

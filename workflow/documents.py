"""Proposals as ORUK service documents: which parts a proposal may change, what a proposer
changed, and the record an approval writes.

A "field" here is a top-level member of the ORUK service document (`name`, `phones`,
`schedules`...): the unit an assurer accepts or rejects. Nested arrays are accepted whole.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

from directory.models import Service
from directory.oruk import service_document

# What a proposal may change, in the order pages show it, with the words people read.
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "description": "Description",
    "status": "Status",
    "url": "Website",
    "email": "Email address",
    "phones": "Phone numbers",
    "contacts": "Contacts",
    "service_at_locations": "Locations",
    "schedules": "Opening times",
    "minimum_age": "Minimum age",
    "maximum_age": "Maximum age",
    "fees": "Fees",
    "cost_options": "Costs",
    "languages": "Languages",
    "service_areas": "Service areas",
    "alert": "Alert",
    "accreditations": "Accreditations",
    "funding": "Funding",
    "additional_urls": "Other web addresses",
    "attributes": "Categories",
}
EDITABLE_FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)
# Members the portal decides, never a proposal: identity, assurance and the change clock.
SYSTEM_FIELDS = ("id", "organization_id", "assured_date", "assurer_email", "last_modified")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: Any  # the record as it is now (absent: None)
    after: Any  # as proposed (absent: None)


def current_document(service: Service) -> dict[str, Any]:
    """The live record as a proposal's starting point (without its nested organisation, which
    a service proposal never changes)."""
    document = service_document(service)
    document.pop("organization", None)
    return document


def changed_fields(base: dict[str, Any], proposed: dict[str, Any]) -> list[str]:
    """The editable fields the proposer changed from the record they started from."""
    return [field for field in EDITABLE_FIELDS if base.get(field) != proposed.get(field)]


def field_changes(
    current: dict[str, Any], proposed: dict[str, Any], fields: list[str]
) -> list[FieldChange]:
    """The proposer's `fields`, the record as it is now against the proposal (a field whose
    proposal now equals the record is left out: there is nothing to decide)."""
    return [
        FieldChange(field, FIELD_LABELS[field], current.get(field), proposed.get(field))
        for field in fields
        if current.get(field) != proposed.get(field)
    ]


def merged_document(
    current: dict[str, Any], proposed: dict[str, Any], fields: list[str]
) -> dict[str, Any]:
    """The record with the accepted `fields` taken from the proposal; everything else as now."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not a field a proposal may change: {', '.join(sorted(unknown))}")
    merged = copy.deepcopy(current)
    for field in fields:
        if field in proposed and proposed[field] not in (None, "", []):
            merged[field] = copy.deepcopy(proposed[field])
        else:
            merged.pop(field, None)
    merged.pop("last_modified", None)  # the import sets it to now if anything changed
    merged.pop("organization", None)
    return merged


def new_service_document(*, organization_id: Any, name: str = "") -> dict[str, Any]:
    """The starting point of a proposed new service."""
    return {
        "id": str(uuid.uuid4()),
        "organization_id": str(organization_id) if organization_id else None,
        "name": name,
        "description": "",
        "status": "active",
    }


def with_system_fields(
    proposed: dict[str, Any], *, service_id: Any, organization_id: Any
) -> dict[str, Any]:
    """A proposal as stored: its own editable fields, with the identity the portal decides."""
    document = {key: copy.deepcopy(value) for key, value in proposed.items() if key in FIELD_LABELS}
    document["id"] = str(service_id)
    if organization_id:
        document["organization_id"] = str(organization_id)
    return document

"""Proposals as ORUK service documents: which parts a proposal may change, what a proposer
changed, and the record an approval writes.

A "field" here is a top-level member of the ORUK service document (`name`, `phones`,
`schedules`...): the unit an assurer accepts or rejects. Nested arrays are accepted whole.
A change to an organisation's own details is an ORUK organisation document the same way, with
its own, shorter, list of fields (`ORGANIZATION_FIELD_LABELS`).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

from directory.models import Organization, Service
from directory.oruk import organization_document, service_document

from .models import Subject

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
# What a proposal may change of an organisation itself. Left out: its services (each changes
# through its own requests), identifiers (registered numbers, checked by whoever registers
# them), logo, uri and parent (set by imports): an approval keeps them as they are.
ORGANIZATION_FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "description": "Description",
    "email": "Email address",
    "website": "Website",
    "phones": "Phone numbers",
    "additional_urls": "Other web addresses",
}
ORGANIZATION_FIELDS: tuple[str, ...] = tuple(ORGANIZATION_FIELD_LABELS)


def editable_fields(subject: str = Subject.SERVICE) -> tuple[str, ...]:
    """The fields a proposal about `subject` (a ChangeRequest.subject) may change, in order."""
    return ORGANIZATION_FIELDS if subject == Subject.ORGANIZATION else EDITABLE_FIELDS


def label(field: str) -> str:
    """A field's words, whichever kind of record it belongs to (the two agree where shared)."""
    return FIELD_LABELS.get(field) or ORGANIZATION_FIELD_LABELS.get(field) or field


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


def current_organization_document(organization: Organization) -> dict[str, Any]:
    """The organisation as stored, every member its import reads except `services`: an import
    of this document (changed only in accepted fields) leaves its services and every array it
    does not change as they are."""
    return organization_document(organization, services="none")


def changed_fields(
    base: dict[str, Any], proposed: dict[str, Any], *, subject: str = Subject.SERVICE
) -> list[str]:
    """The editable fields the proposer changed from the record they started from."""
    return [field for field in editable_fields(subject) if base.get(field) != proposed.get(field)]


def field_changes(
    current: dict[str, Any], proposed: dict[str, Any], fields: list[str]
) -> list[FieldChange]:
    """The proposer's `fields`, the record as it is now against the proposal (a field whose
    proposal now equals the record is left out: there is nothing to decide)."""
    return [
        FieldChange(field, label(field), current.get(field), proposed.get(field))
        for field in fields
        if current.get(field) != proposed.get(field)
    ]


def merged_document(
    current: dict[str, Any],
    proposed: dict[str, Any],
    fields: list[str],
    *,
    subject: str = Subject.SERVICE,
) -> dict[str, Any]:
    """The record with the accepted `fields` taken from the proposal; everything else as now."""
    unknown = set(fields) - set(editable_fields(subject))
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


def with_organization_fields(proposed: dict[str, Any], *, organization_id: Any) -> dict[str, Any]:
    """An organisation proposal as stored: its own editable fields and the organisation's id."""
    document = {
        key: copy.deepcopy(value) for key, value in proposed.items() if key in ORGANIZATION_FIELDS
    }
    document["id"] = str(organization_id)
    return document

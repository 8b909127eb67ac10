"""The canonical directory records, modelled on ORUK 3.0 / HSDS 3.0."""

from .attribute import Attribute, AttributeQuerySet, LinkEntity
from .base import RecordModel
from .imports import ImportUpload
from .location import Accessibility, Address, Location, LocationType
from .metadata import ActionType, Metadata
from .needs import Circumstance, Need
from .organization import Organization, OrganizationIdentifier
from .service import (
    Contact,
    CostOption,
    Frequency,
    Funding,
    Language,
    Phone,
    PhoneType,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceQuerySet,
    ServiceStatus,
    Url,
)
from .taxonomy import Taxonomy, TaxonomyTerm, TaxonomyTermQuerySet, TermMapping

__all__ = [
    "Accessibility",
    "ActionType",
    "Address",
    "Attribute",
    "AttributeQuerySet",
    "Circumstance",
    "Contact",
    "CostOption",
    "Frequency",
    "Funding",
    "ImportUpload",
    "Language",
    "LinkEntity",
    "Location",
    "LocationType",
    "Metadata",
    "Need",
    "Organization",
    "OrganizationIdentifier",
    "Phone",
    "PhoneType",
    "RecordModel",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceQuerySet",
    "ServiceStatus",
    "Taxonomy",
    "TaxonomyTerm",
    "TaxonomyTermQuerySet",
    "TermMapping",
    "Url",
]

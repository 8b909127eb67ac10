"""The one mapping between directory records and ORUK 3.0 JSON (import, API, workflow alike)."""

from .export import (
    DocumentBuilder,
    iter_service_documents,
    location_document,
    organization_document,
    organization_list_items,
    service_at_location_document,
    service_at_location_list_items,
    service_document,
    service_documents,
    service_list_items,
    taxonomy_document,
    taxonomy_term_document,
)
from .load import (
    ImportFailed,
    ImportReport,
    Problem,
    check_document,
    detect_kind,
    import_document,
    import_documents,
)
from .redact import postcode_district, redact_confidential, rounded_coordinate
from .schemas import OrukFilesUnavailable, example_documents, schema_errors

__all__ = [
    "DocumentBuilder",
    "ImportFailed",
    "ImportReport",
    "OrukFilesUnavailable",
    "Problem",
    "check_document",
    "detect_kind",
    "example_documents",
    "import_document",
    "import_documents",
    "iter_service_documents",
    "location_document",
    "organization_document",
    "organization_list_items",
    "postcode_district",
    "redact_confidential",
    "rounded_coordinate",
    "schema_errors",
    "service_at_location_document",
    "service_at_location_list_items",
    "service_document",
    "service_documents",
    "service_list_items",
    "taxonomy_document",
    "taxonomy_term_document",
]

"""Stable UUIDs for taxonomies and terms we load from published vocabularies.

Loaders, the demo seeder and imports must agree on the id of "LGA service type 242" without looking
it up first, so ids are UUID5s of the vocabulary key and the term's code.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1c1d5e-2f0a-4d0e-9c8b-4b1f2f7a9c10")

# Vocabulary keys (ORUK CURIE prefixes where ORUK names one).
LGA_SERVICE_TYPES = "esdServiceTypes"
LGA_FUNCTIONS = "esdFunctions"
LGA_NEEDS = "esdNeeds"
LGA_CIRCUMSTANCES = "esdCircumstances"
OPENACTIVE_ACTIVITIES = "openActiveActivity"
OPENACTIVE_ACCESSIBILITY = "openActiveAccessibility"
OPEN_ELIGIBILITY = "openEligibility"
ORUK_ATTENDING_TYPE = "orukAttendingType"
ORUK_ATTENDING_ACCESS = "orukAttendingAccess"
ORUK_ELIGIBILITY = "orukEligibility"
ORUK_DELIVERABLE_TYPE = "orukDeliverableType"


def taxonomy_uuid(vocabulary: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"taxonomy:{vocabulary}")


def term_uuid(vocabulary: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"term:{vocabulary}:{code}")


def lga_service_type_uri(code: str | int) -> str:
    return f"http://id.esd.org.uk/service/{code}"

"""The URLs the OpenAPI document describes, as a urlconf module (see schema_generator)."""

from publish.api.urls import OPENAPI_URLCONF

urlpatterns = OPENAPI_URLCONF

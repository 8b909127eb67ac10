"""The OpenAPI generator, limited to the API our document describes.

The served document (`/api/v3/openapi.json`) is generated from `OPENAPI_URLCONF`: the default
feed's endpoints. drf-spectacular's `manage.py check --deploy` check builds a document with the
default generator over every URL instead (the per-feed copies of each endpoint, the ORUK 1.0
API), and warns about duplicates and views that are no part of the document. Defaulting the
generator to the same URLs makes that check judge the document we actually serve.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.generators import SchemaGenerator


class OrukSchemaGenerator(SchemaGenerator):
    def __init__(self, *args: Any, urlconf: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, urlconf=urlconf or "publish.api.openapi_urls", **kwargs)

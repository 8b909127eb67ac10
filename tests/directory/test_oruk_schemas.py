"""Where the ORUK schemas come from: ORUK_SCHEMA_DIR, else a cache fetched from the spec."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

from directory.oruk import schemas
from tests.oruk_files import require_oruk_files


@pytest.fixture
def fresh_caches():
    def clear():
        for cached in (schemas.spec_dir, schemas._registry, schemas.validator, schemas._gate):
            cached.cache_clear()

    clear()
    yield
    clear()


@pytest.fixture
def published_spec(tmp_path):
    """A local copy of the specification's URL layout, served over HTTP on loopback."""
    source = require_oruk_files()
    site = tmp_path / "site"
    shutil.copytree(source / "schema", site / "schema")
    shutil.copytree(source / "published_examples", site / "examples")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_configured_folder_is_used_as_it_is(settings, fresh_caches):
    root = require_oruk_files()
    settings.ORUK_SCHEMA_DIR = root
    assert schemas.spec_dir() == root


def test_missing_folder_falls_back_to_the_published_files(
    settings, tmp_path, published_spec, fresh_caches
):
    settings.ORUK_SCHEMA_DIR = tmp_path / "absent"
    settings.ORUK_CACHE_DIR = tmp_path / "cache"
    settings.ORUK_SPEC_BASE_URL = published_spec
    assert schemas.spec_dir() == tmp_path / "cache"
    assert (tmp_path / "cache/schema/service.json").is_file()
    assert schemas.schema_errors("service.json", {"id": "x"}) != []
    assert len(schemas.example_documents()) == len(schemas.PUBLISHED_EXAMPLE_FILES)


def test_with_neither_the_error_names_both_places(settings, tmp_path, fresh_caches):
    settings.ORUK_SCHEMA_DIR = tmp_path / "absent"
    settings.ORUK_CACHE_DIR = tmp_path / "cache"
    settings.ORUK_SPEC_BASE_URL = "http://127.0.0.1:9/nothing/"
    with pytest.raises(schemas.OrukFilesUnavailable, match=r"absent.*could not be fetched"):
        schemas.spec_dir()

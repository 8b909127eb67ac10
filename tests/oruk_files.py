"""Access to the ORUK 3.0 schema and example files for tests (skip locally, fail in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from directory.oruk.schemas import OrukFilesUnavailable, spec_dir


def require_oruk_files() -> Path:
    try:
        return spec_dir()
    except OrukFilesUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"ORUK files are required in CI: {exc}")
        pytest.skip(str(exc))


def assert_valid(schema_file: str, document) -> None:
    from directory.oruk import schema_errors

    errors = schema_errors(schema_file, document)
    assert not errors, "\n".join(f"{path}: {message}" for path, message in errors)

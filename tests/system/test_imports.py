"""A directory admin imports an ORUK file from the staff pages: a broken one first, whose page
lists its problems and changes nothing, then a good one, which is imported."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from directory import models as m
from tests.auth import totp_device
from tests.oruk_files import require_oruk_files
from tests.system.browser import Portal
from tests.system.people import sign_in

ADMIN_EMAIL = "admin@people.test"


@pytest.fixture
def admin(portal: Portal, world) -> Portal:
    totp_device(world.user(ADMIN_EMAIL))
    return sign_in(portal, ADMIN_EMAIL, world.password)


def _service(salt: str) -> dict:
    example = json.loads((require_oruk_files() / "examples/service_full.json").read_text())

    def renamed(value):
        if isinstance(value, dict):
            return {
                k: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{salt}:{v}"))
                if (k == "id" or k.endswith("_id")) and isinstance(v, str)
                else renamed(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [renamed(v) for v in value]
        return value

    return {**renamed(example), "name": f"Imported from the browser {salt}"}


def test_import_a_broken_file_then_a_good_one(admin: Portal, tmp_path: Path):
    good = _service("good")
    broken = {**_service("broken"), "status": "sometimes"}
    (tmp_path / "broken.json").write_text(json.dumps([good, broken]))
    (tmp_path / "good.json").write_text(json.dumps([good]))

    admin.nav("Your account")
    admin.follow("Imports", within=admin.page.locator("main"))
    admin.follow("Import a file")
    admin.press("Import the file")
    assert admin.error_summary() == ["Choose the file to import"]

    admin.field("ORUK file").set_input_files(str(tmp_path / "broken.json"))
    admin.press("Import the file")
    assert admin.heading() == "Import of broken.json"
    admin.sees("Nothing imported")
    admin.row(broken["id"]).get_by_text("status", exact=True).wait_for()
    assert not m.Service.objects.filter(pk=good["id"]).exists()

    admin.follow("Import another file")
    admin.field("ORUK file").set_input_files(str(tmp_path / "good.json"))
    admin.choose("ORUK 3.0")
    admin.press("Import the file")
    assert admin.heading() == "Import of good.json"
    admin.sees("Imported").sees("1 service created")
    assert m.Service.objects.filter(pk=good["id"], name=good["name"]).exists()

    admin.follow("Back")
    assert admin.heading() == "Imports"
    admin.sees("good.json").sees("broken.json")

"""A directory admin uploads an old directory's categories as a CSV file (a broken file first,
whose problems are listed by line), maps a category by accepting the tagging assistant's
suggestion, and sees the mapped and unmapped counts."""

from __future__ import annotations

from tests.auth import totp_device
from tests.system.people import sign_in
from workflow.tagging.models import LegacyCategory, LegacyScheme

ADMIN = "admin@people.test"
SCHEME = "Old FIS categories"


def csv_file(text: str) -> dict:
    return {"name": "categories.csv", "mimeType": "text/csv", "buffer": text.encode()}


def test_a_directory_admin_uploads_categories_and_maps_one_with_a_suggestion(portal, world):
    totp_device(world.user(ADMIN))
    sign_in(portal, ADMIN, world.password)
    portal.follow("Legacy classifications", within=portal.page.locator("main"))
    assert portal.heading() == "Legacy classifications"
    portal.sees("No classifications have been uploaded yet.")
    portal.press("Upload categories")
    assert portal.heading() == "Upload a legacy classification"

    # A broken file: every problem, with its line; nothing is saved.
    portal.type("Name of the old directory's classification", SCHEME)
    portal.field("Upload a CSV file").set_input_files(
        csv_file("code,label\nHOM,Homelessness support\n,No code\nHOM,Twice\n")
    )
    portal.press("Upload categories")
    assert portal.error_summary() == [
        "Line 3: enter the category's code",
        "Line 4: code HOM is also on line 2: each category needs its own code",
    ]
    assert not LegacyScheme.objects.exists()

    # The name typed is kept; the file must be chosen again.
    portal.field("Upload a CSV file").set_input_files(
        csv_file(
            "code,label,parent\n"
            "HOM,Homelessness support,Housing\n"
            "YC,Youth clubs,\n"
            "LUN,Lunch clubs for older people,\n"
        )
    )
    portal.press("Upload categories")
    assert portal.heading() == SCHEME
    portal.sees("Old FIS categories created: 3 new categories")
    assert portal.row("Not mapped yet").inner_text().split()[-1] == "3"

    portal.follow("Map Homelessness support")
    assert portal.heading().splitlines()[-1] == "Map Homelessness support"  # under a caption
    portal.sees("Suggestions")
    box = portal.field("Homelessness support")
    assert not box.is_checked()  # a person confirms: nothing is ticked for them
    portal.follow("Accept the top suggestion")
    assert portal.field("Homelessness support").is_checked()
    portal.press("Save mapping")

    assert portal.heading() == SCHEME
    portal.sees("Homelessness support is mapped to Homelessness support")
    assert portal.row("Mapped to LGA service types").inner_text().split()[-1] == "1"
    assert portal.row("Not mapped yet").inner_text().split()[-1] == "2"
    category = LegacyCategory.objects.get(code="HOM")
    assert [t.name for t in category.service_types.all()] == ["Homelessness support"]

    portal.follow("All legacy classifications")
    row = portal.row(SCHEME).inner_text().split("\t")
    assert [cell.strip() for cell in row[1:4]] == ["3", "1", "2"]

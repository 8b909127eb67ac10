"""import_oruk on an ORUK 1.0 API: Spring pages of /services/ and each /services/{id}, read
through a fake transport (no network), as the LGA Service Finder and ServiceFinder read them."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from django.core.management import CommandError, call_command

from directory import models as m
from directory.oruk import sources
from directory.oruk.sources import SourceError
from directory.oruk.v1 import ORUK1, ORUK3
from directory.oruk.v1_api import api_base, detect_api_dialect, harvest_oruk1_api
from tests.directory.oruk1 import (
    FIXTURE,
    database_state,
    derived,
    load_vocabularies,
    services,
)
from tests.oruk_files import require_oruk_files

BASE = "https://directory.example.gov.uk/api/v1/"


class FakeOruk1Api:
    """Answers as Porism's ServiceDirectoryService does: 1-based Spring pages of basic services
    (`ServiceBasicView`: no nested arrays) and full services by id; records every URL asked."""

    def __init__(self, documents: list[dict], *, ignore_page: bool = False) -> None:
        self.documents = {str(d["id"]): d for d in documents}
        self.ignore_page = ignore_page
        self.asked: list[str] = []

    def __call__(self, url: str, timeout: float):
        self.asked.append(url)
        parts = urllib.parse.urlsplit(url)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
        path = parts.path.removeprefix(urllib.parse.urlsplit(BASE).path)
        if path in ("services", "services/"):
            return self.page(int(query.get("page", 1)), int(query.get("per_page", 50)))
        if path.startswith("services/") and urllib.parse.unquote(path[9:]) in self.documents:
            return self.documents[urllib.parse.unquote(path[9:])]
        raise SourceError(f"{url} answered 404 Not Found")

    def page(self, number: int, size: int) -> dict:
        ids = list(self.documents)
        if self.ignore_page:
            number = 1
        chunk = ids[(number - 1) * size : number * size]
        total_pages = max(1, -(-len(ids) // size))
        basic = [
            {k: v for k, v in self.documents[i].items() if not isinstance(v, list)} for i in chunk
        ]
        return {
            "content": basic,
            "totalElements": len(ids),
            "totalPages": total_pages,
            "number": number,
            "size": size,
            "numberOfElements": len(chunk),
            "first": number == 1,
            "last": False if self.ignore_page else number >= total_pages,
            "empty": not chunk,
        }


@pytest.fixture
def vocabularies(db):
    require_oruk_files()
    load_vocabularies()


@pytest.fixture
def api(monkeypatch):
    fake = FakeOruk1Api(services())
    monkeypatch.setattr(sources, "_get_json", fake)  # the network edge the command uses
    return fake


def test_the_base_url_may_be_given_down_to_its_services():
    for given in (BASE, BASE.rstrip("/"), BASE + "services", BASE + "services/"):
        assert api_base(given) == BASE


def test_harvest_walks_every_page_and_fetches_each_service():
    fake = FakeOruk1Api(services())
    spool = harvest_oruk1_api(BASE, per_page=2, fetch=fake)
    harvested = [json.loads(line) for line in spool]
    spool.close()
    assert harvested == services()  # the full services, not the basic list items
    assert fake.asked == [
        BASE + "services/?page=1&per_page=2",
        BASE + "services/1001",
        BASE + "services/1002",
        BASE + "services/?page=2&per_page=2",
        BASE + "services/1003",
    ]


def test_harvest_stops_when_an_api_ignores_the_page_asked_for():
    fake = FakeOruk1Api(services(), ignore_page=True)
    spool = harvest_oruk1_api(BASE, per_page=2, fetch=fake)
    assert len(spool.readlines()) == 2
    spool.close()
    assert fake.asked[-1] == BASE + "services/?page=2&per_page=2"


def test_the_dialect_of_an_api_is_read_from_its_first_page():
    assert detect_api_dialect(BASE, fetch=FakeOruk1Api(services())) == ORUK1

    def oruk3(url, timeout):
        return {"total_items": 0, "total_pages": 1, "page_number": 1, "contents": []}

    assert detect_api_dialect(BASE, fetch=oruk3) == ORUK3
    with pytest.raises(SourceError, match=r"neither an ORUK 3\.0 list page"):
        detect_api_dialect(BASE, fetch=lambda url, timeout: ["not", "a", "page"])


@pytest.mark.django_db
def test_importing_an_api_twice_changes_nothing_the_second_time(vocabularies, api, capsys):
    call_command("import_oruk", BASE, "--per-page", "2")
    assert "Imported 3 of 3 records" in capsys.readouterr().out
    # Ids that are not UUIDs are derived from the API's base URL.
    service = m.Service.objects.get(pk=derived(BASE, "service", "1002"))
    assert service.name == "Carers' Support Line"
    first = database_state()

    call_command("import_oruk", BASE + "services/", "--per-page", "2")
    report = capsys.readouterr().out
    assert database_state() == first
    assert "created" not in report and "updated" not in report


@pytest.mark.django_db
def test_a_dump_and_the_api_it_came_from_are_the_same_records(vocabularies, api):
    call_command("import_oruk", str(FIXTURE), "--source-name", BASE)
    first = database_state()
    call_command("import_oruk", BASE, "--format", "oruk1")
    assert database_state() == first


@pytest.mark.django_db
def test_a_broken_service_in_an_api_is_named_and_nothing_changes(vocabularies, api, capsys):
    api.documents["1003"]["attending_type"] = "bicycle"
    with pytest.raises(CommandError, match="Nothing was imported: 1 problems in 1 of 3"):
        call_command("import_oruk", BASE)
    assert "1003\tattending_type\t'bicycle' is not an ORUK 1.0 attending type" in (
        capsys.readouterr().err
    )
    assert not m.Service.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_api_is_a_clear_error(api):
    with pytest.raises(CommandError, match="answered 404"):
        call_command("import_oruk", "https://directory.example.gov.uk/nowhere/")
    with pytest.raises(CommandError, match="answered 404"):
        call_command(
            "import_oruk", "https://directory.example.gov.uk/nowhere/", "--format", "oruk1"
        )

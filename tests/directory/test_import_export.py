"""import_oruk / export_oruk: all-or-nothing imports, idempotent reruns, streamed exports."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory import models as m
from directory import oruk
from tests.oruk_files import assert_valid, require_oruk_files

RECORD_MODELS = (
    m.Organization,
    m.OrganizationIdentifier,
    m.Service,
    m.ServiceArea,
    m.ServiceAtLocation,
    m.Location,
    m.Address,
    m.Accessibility,
    m.Schedule,
    m.CostOption,
    m.Funding,
    m.Contact,
    m.Language,
    m.Attribute,
    m.TaxonomyTerm,
)


def _renamed_ids(value, salt: str):
    """The example with every id replaced by a fresh, deterministic one (a distinct record)."""
    if isinstance(value, dict):
        return {
            k: (
                str(uuid.uuid5(uuid.NAMESPACE_URL, f"{salt}:{v}"))
                if (k == "id" or k.endswith("_id")) and isinstance(v, str)
                else _renamed_ids(v, salt)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_renamed_ids(v, salt) for v in value]
    return value


@pytest.fixture
def service_doc():
    root = require_oruk_files()
    example = json.loads((root / "examples/service_full.json").read_text())

    def make(salt: str, **changes) -> dict:
        doc = _renamed_ids(example, salt)
        doc["name"] = f"{doc['name']} {salt}"
        doc.update(changes)
        return doc

    return make


def database_state() -> dict:
    return {
        "counts": {model.__name__: model.objects.count() for model in RECORD_MODELS},
        "services": [oruk.service_document(s) for s in m.Service.objects.order_by("pk")],
    }


def write_json(path: Path, value) -> Path:
    path.write_text(json.dumps(value))
    return path


@pytest.mark.django_db
def test_broken_file_reports_every_problem_and_changes_nothing(tmp_path, service_doc, capsys):
    call_command("import_oruk", str(write_json(tmp_path / "one.json", service_doc("kept"))))
    before = database_state()

    bad_status = service_doc("a", status="open")
    bad_nested_id = service_doc("b")
    bad_nested_id["schedules"][0]["id"] = "not-a-uuid"
    bad_ages = service_doc("c", minimum_age=40, maximum_age=18)
    bad_days = service_doc("d")
    bad_days["schedules"][0]["byday"] = "MONDAY"
    good = service_doc("e")
    source = write_json(
        tmp_path / "broken.json", [good, bad_status, bad_nested_id, bad_ages, bad_days]
    )

    with pytest.raises(CommandError, match="Nothing was imported: 4 problems in 4 of 5"):
        call_command("import_oruk", str(source))

    report = capsys.readouterr().err
    assert f"{bad_status['id']}\tstatus\t" in report
    assert f"{bad_nested_id['id']}\tschedules/0/id\t" in report
    assert f"{bad_ages['id']}\tmaximum_age\tMaximum age must be the same as or more" in report
    assert f"{bad_days['id']}\tschedules/0/byday\tEnter days as RFC 5545 day codes" in report
    assert database_state() == before


@pytest.mark.django_db
def test_skip_invalid_imports_the_valid_records_and_reports_the_rest(tmp_path, service_doc, capsys):
    good, bad = service_doc("good"), service_doc("bad", status="open")
    call_command(
        "import_oruk", str(write_json(tmp_path / "mixed.json", [good, bad])), "--skip-invalid"
    )
    output = capsys.readouterr()
    assert list(m.Service.objects.values_list("pk", flat=True)) == [uuid.UUID(good["id"])]
    assert f"{bad['id']}\tstatus" in output.err
    assert "Imported 1 of 2 records" in output.out


@pytest.mark.django_db
def test_importing_the_same_file_twice_gives_the_same_database(tmp_path, service_doc):
    source = write_json(tmp_path / "all.json", [service_doc("x"), service_doc("y")])
    call_command("import_oruk", str(source))
    first = database_state()
    changes = m.Metadata.objects.count()
    call_command("import_oruk", str(source))
    assert database_state() == first
    assert m.Metadata.objects.count() == changes  # nothing changed, so nothing logged


@pytest.mark.django_db
def test_reimport_updates_in_place_and_logs_each_changed_field(tmp_path, service_doc):
    doc = service_doc("v1")
    call_command("import_oruk", str(write_json(tmp_path / "v1.json", doc)))
    doc["name"] = "Renamed counselling"
    doc["schedules"] = []
    call_command("import_oruk", str(write_json(tmp_path / "v2.json", doc)))
    service = m.Service.objects.get()
    assert service.name == "Renamed counselling"
    assert not service.schedules.exists()
    entry = m.Metadata.objects.get(resource_id=service.pk, field_name="name")
    assert entry.replacement_value == "Renamed counselling"
    assert m.Metadata.objects.filter(resource_type="schedule", last_action_type="delete").exists()


@pytest.mark.django_db
def test_ndjson_and_single_document_files_import(tmp_path, service_doc):
    lines = tmp_path / "feed.ndjson"
    lines.write_text("\n".join(json.dumps(service_doc(s)) for s in "pqr") + "\n")
    call_command("import_oruk", str(lines))
    call_command("import_oruk", str(write_json(tmp_path / "one.json", service_doc("s"))))
    assert m.Service.objects.count() == 4


def test_unreadable_sources_are_refused_clearly(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": ')
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("import_oruk", str(broken))
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_oruk", str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_export_then_import_into_an_empty_database_round_trips(tmp_path, service_doc):
    for salt in ("a", "b", "c"):
        oruk.import_document(service_doc(salt))
    before = database_state()
    out = tmp_path / "export.ndjson"
    call_command("export_oruk", "--all", "--output", str(out), "--batch-size", "2")
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(exported) == 3
    for document in exported:
        assert_valid("service.json", document)

    for model in (m.Attribute, m.Service, m.Location, m.Organization, m.TaxonomyTerm):
        model.objects.all().delete()
    call_command("import_oruk", str(out))
    assert database_state()["services"] == before["services"]


@pytest.mark.django_db
def test_json_export_is_one_array_of_valid_services(service_doc, capsys):
    oruk.import_document(service_doc("a"))
    oruk.import_document(service_doc("b"))
    capsys.readouterr()
    call_command("export_oruk", "--all", "--format", "json")
    documents = json.loads(capsys.readouterr().out)
    assert sorted(d["name"] for d in documents) == [
        "Community Counselling a",
        "Community Counselling b",
    ]
    for document in documents:
        assert_valid("service.json", document)


@pytest.mark.django_db
def test_the_default_export_is_what_the_feed_publishes(tmp_path, service_doc):
    """Stored snapshot text, byte for byte what rendering the records gives, published services
    only; --feed applies that feed's policy."""
    from publish.models import Feed
    from publish.services import services_publish

    for salt in ("a", "b", "c"):
        oruk.import_document(service_doc(salt))
    services = list(m.Service.objects.order_by("pk"))
    old = dt.date.today() - dt.timedelta(days=400)
    for service, assured in zip(services, (dt.date.today(), old, None), strict=True):
        service.status, service.assured_date = "active", assured
        service.save()
    services_publish(service_ids=[s.pk for s in services])
    published, everything = tmp_path / "published.ndjson", tmp_path / "all.ndjson"
    call_command("export_oruk", "--output", str(published))
    call_command("export_oruk", "--all", "--output", str(everything))
    rendered = everything.read_text().splitlines()
    assert len(rendered) == 3
    assert published.read_text().splitlines() == rendered[:2]
    Feed.objects.create(slug="recent", name="Recent", max_assurance_age_days=30)
    recent = tmp_path / "recent.ndjson"
    call_command("export_oruk", "--feed", "recent", "--output", str(recent))
    assert recent.read_text().splitlines() == rendered[:1]
    with pytest.raises(CommandError, match="no feed called missing"):
        call_command("export_oruk", "--feed", "missing")


@pytest.mark.django_db
def test_the_published_export_reads_one_query_however_many(
    service_doc, django_assert_max_num_queries, capsys
):
    from publish.services import services_publish

    for salt in range(5):
        oruk.import_document(service_doc(str(salt)))
    m.Service.objects.update(status="active", assured_date=dt.date.today())
    services_publish(service_ids=list(m.Service.objects.values_list("pk", flat=True)))
    capsys.readouterr()
    with django_assert_max_num_queries(1):
        call_command("export_oruk")
    assert len(capsys.readouterr().out.splitlines()) == 5


@pytest.mark.django_db
def test_export_reads_a_constant_number_of_queries_per_batch(
    service_doc, django_assert_max_num_queries
):
    for salt in range(12):
        oruk.import_document(service_doc(str(salt)))
    with django_assert_max_num_queries(30):
        assert len(list(oruk.iter_service_documents(batch_size=100))) == 12


class _FakeOrukApi(http.server.BaseHTTPRequestHandler):
    documents: dict[str, dict] = {}
    per_page_seen: list[str] = []

    def do_GET(self):
        from urllib.parse import parse_qs, urlparse

        url = urlparse(self.path)
        ids = sorted(self.documents)
        if url.path == "/api/services":
            query = parse_qs(url.query)
            page, per_page = int(query["page"][0]), int(query["per_page"][0])
            chunk = ids[(page - 1) * per_page : page * per_page]
            total_pages = max(1, -(-len(ids) // per_page))
            body = {
                "total_items": len(ids),
                "total_pages": total_pages,
                "page_number": page,
                "size": len(chunk),
                "first_page": page == 1,
                "last_page": page >= total_pages,
                "empty": not chunk,
                "contents": [{"id": i, "name": self.documents[i]["name"]} for i in chunk],
            }
        elif url.path.startswith("/api/services/") and url.path.rsplit("/", 1)[1] in self.documents:
            body = self.documents[url.path.rsplit("/", 1)[1]]
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeOrukApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/api/"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_import_walks_every_page_of_an_oruk_api(fake_api, service_doc):
    _, base_url = fake_api
    docs = [service_doc(str(n)) for n in range(5)]
    _FakeOrukApi.documents = {d["id"]: d for d in docs}
    call_command("import_oruk", base_url, "--per-page", "2")
    assert m.Service.objects.count() == 5
    imported = oruk.service_document(m.Service.objects.get(pk=docs[0]["id"]))
    assert imported["schedules"] == docs[0]["schedules"]


@pytest.mark.django_db
def test_unreachable_api_is_a_clear_error(fake_api):
    _, base_url = fake_api
    with pytest.raises(CommandError, match="answered 404"):
        call_command("import_oruk", base_url + "nowhere/")


@pytest.mark.django_db
def test_changing_a_nested_record_moves_last_modified(service_doc):
    oruk.import_document(service_doc("t"))
    service = m.Service.objects.get()
    before = service.last_modified
    schedule = service.schedules.get()
    schedule.notes = "Closed on bank holidays"
    schedule.save()
    service.refresh_from_db()
    assert service.last_modified > before

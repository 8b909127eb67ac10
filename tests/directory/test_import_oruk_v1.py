"""import_oruk on ORUK 1.0 dumps: the mapping, all or nothing with every problem named, stable ids,
and a rerun that changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from directory import models as m
from directory import oruk
from directory.oruk.v1 import ORUK1, ORUK3, detect_dialect
from directory.taxonomies.identity import LGA_SERVICE_TYPES, term_uuid
from tests.directory.oruk1 import (
    FIXTURE,
    database_state,
    derived,
    load_vocabularies,
    services,
    write,
)
from tests.oruk_files import assert_valid, require_oruk_files

SOURCE = "hull-fis"


@pytest.fixture
def vocabularies(db):
    require_oruk_files()
    load_vocabularies()


def ids(entity: str, value: str) -> uuid.UUID:
    return derived(SOURCE, entity, value)


def import_fixture(*args: str) -> None:
    call_command("import_oruk", str(FIXTURE), "--source-name", SOURCE, *args)


@pytest.mark.django_db
def test_the_dump_maps_onto_our_records(vocabularies, capsys):
    import_fixture()
    assert "Imported 3 of 3 records" in capsys.readouterr().out

    debt = m.Service.objects.get(pk=ids("service", "1001"))
    assert debt.name == "Money Worries Drop-in"
    assert debt.status == "active"
    assert debt.assured_date == dt.date(2026, 10, 1)
    assert debt.minimum_age == 18 and debt.maximum_age is None
    # An organisation's UUID is kept; a numeric id becomes a UUID derived from the source.
    assert debt.organization_id == uuid.UUID("4f6c5a8e-2b1d-4c3a-9e7f-1a2b3c4d5e6f")
    carers = m.Service.objects.get(pk=ids("service", "1002"))
    assert carers.organization_id == ids("organization", "17")
    assert carers.url == "https://www.hullcarerscentre.example.org"
    assert carers.assured_date == dt.date(2026, 9, 15)  # from Porism's timestamp

    # The drop-in schedule is listed under the service and under its location: kept once, there.
    pairing = debt.service_at_locations.get()
    assert pairing.pk == ids("service_at_location", "2001")
    assert pairing.location.name == "Hull Central Library"
    schedule = m.Schedule.objects.get(pk=ids("regular_schedule", "5001"))
    assert (schedule.service_at_location_id, schedule.service_id) == (pairing.pk, None)
    assert (schedule.freq, schedule.interval, schedule.byday) == ("WEEKLY", 1, "TU")
    assert schedule.opens_at == dt.time(10) and schedule.closes_at == dt.time(13)
    address = pairing.location.addresses.get()
    assert (address.country, address.address_type) == ("GB", "physical")

    line = carers.schedules.get()
    assert (line.byday, line.valid_from) == ("MO,WE,FR", dt.date(2026, 4, 1))
    assert [
        p.number for p in m.Phone.objects.filter(contact__service=carers).order_by("number")
    ] == [
        "01632 960456",
        "07700 900456",
    ]

    play = m.Service.objects.get(pk=ids("service", "1003"))
    assert (play.minimum_age, play.maximum_age) == (0, 4)
    hub = play.service_at_locations.get().location
    address = hub.addresses.get()
    assert (address.postal_code, address.address_2) == ("HU6 7RX", "Orchard Park")
    assert (round(hub.latitude, 4), round(hub.longitude, 4)) == (53.7718, -0.3664)  # postcode
    assert hub.accessibility.get().description == "Step-free access and an accessible toilet"
    fortnightly, monthly = play.service_at_locations.get().schedules.order_by("opens_at")
    assert (fortnightly.interval, fortnightly.dtstart) == (2, dt.date(2026, 9, 1))
    assert (monthly.freq, monthly.byday) == ("MONTHLY", "2TH")
    assert play.cost_options.get().amount == Decimal("1.00")
    assert sorted(play.languages.values_list("name", flat=True)) == ["Arabic", "English"]
    assert list(debt.languages.filter(code="pl").values_list("name", flat=True)) == [""]
    assert debt.service_areas.get().service_area == "Kingston upon Hull"

    tags = {
        (a.taxonomy_term.taxonomy.vocabulary, a.taxonomy_term.term, a.link_type)
        for a in m.Attribute.objects.for_record("service", debt.pk).select_related(
            "taxonomy_term__taxonomy"
        )
    }
    assert tags == {
        (LGA_SERVICE_TYPES, "651", ""),
        (LGA_SERVICE_TYPES, "189", ""),
        ("esdNeeds", "debt", ""),
        ("esdCircumstances", "low-income", "eligibility"),
        ("orukEligibility", "adult", "eligibility"),
        ("orukAttendingType", "venue", ""),
        ("orukAttendingAccess", "drop-in", ""),
        ("orukDeliverableType", "Advice", ""),
    }
    assert m.Attribute.objects.filter(
        link_id=play.pk, taxonomy_term_id=term_uuid(LGA_SERVICE_TYPES, "53")
    ).exists()

    # What we hold is plain ORUK 3.0: every imported service exports valid.
    for service in m.Service.objects.all():
        assert_valid("service.json", oruk.service_document(service))


@pytest.mark.django_db
def test_a_rerun_of_the_same_dump_changes_nothing(vocabularies, capsys):
    import_fixture()
    capsys.readouterr()
    first = database_state()

    import_fixture()
    report = capsys.readouterr().out
    assert database_state() == first  # same rows, same documents, same last_modified, no changes
    assert "3 service unchanged" in report and "23 attribute unchanged" in report
    for action in ("created", "updated", "deleted"):
        assert action not in report


@pytest.mark.django_db
def test_a_reimport_updates_the_same_records(vocabularies, tmp_path):
    import_fixture()
    before = database_state()
    dump = services()
    dump[0]["name"] = "Money Worries Drop-in (Tuesdays)"
    dump[2]["service_at_locations"][0]["regular_schedule"].pop()  # the dads' session ends
    call_command("import_oruk", str(write(tmp_path / "v2.json", dump)), "--source-name", SOURCE)

    after = database_state()
    assert after["counts"]["Service"] == before["counts"]["Service"]
    assert after["counts"]["Schedule"] == before["counts"]["Schedule"] - 1
    assert m.Service.objects.get(pk=ids("service", "1001")).name.endswith("(Tuesdays)")
    moved = dict(after["last_modified"])
    kept = dict(before["last_modified"])
    assert moved[ids("service", "1001")] > kept[ids("service", "1001")]  # its own field
    assert moved[ids("service", "1003")] > kept[ids("service", "1003")]  # a nested schedule
    assert moved[ids("service", "1002")] == kept[ids("service", "1002")]  # untouched
    assert m.Metadata.objects.filter(
        resource_id=ids("regular_schedule", "5004"), last_action_type="delete"
    ).exists()


def broken_dump() -> list:
    dump = services()
    debt, carers, play = dump
    debt["status"] = "open"
    debt["service_taxonomys"][0]["taxonomy"]["id"] = "9999"
    carers["attending_access"] = "Self referral"
    carers["service_taxonomys"][0]["taxonomy"]["vocabulary"] = "hullLocalTypes"
    carers["eligibilitys"][0].update(minimum_age=65, maximum_age=18)
    carers["regular_schedules"][0]["interval"] = "two"
    del play["service_at_locations"][0]["location"]["physical_addresses"][0]["state_province"]
    play["service_taxonomys"].append(
        {"id": "1199", "taxonomy": {"id": "57", "name": "Youth clubs"}}
    )
    orphan = {"id": "1004", "name": "Orphan service", "status": "active", "fundings": []}
    return [*dump, orphan, "not a service"]


@pytest.mark.django_db
def test_every_problem_is_named_where_it_is_and_nothing_changes(vocabularies, tmp_path, capsys):
    import_fixture()
    before = database_state()
    source = write(tmp_path / "broken.json", broken_dump())

    with pytest.raises(CommandError, match=r"Nothing was imported: \d+ problems in 5 of 5 records"):
        call_command("import_oruk", str(source), "--source-name", SOURCE)

    report = capsys.readouterr().err.splitlines()
    expected = [
        "1001\tservice_taxonomys/0/taxonomy/id\tesdServiceTypes term '9999' (Debt counselling) "
        "is not in our LGA service types.",
        "1001\tstatus\t'open' is not one of",
        "1002\tattending_access\t'Self referral' is not an ORUK 1.0 attending access; use one "
        "of: appointment, drop-in, membership, referral",
        "1002\tservice_taxonomys/0/taxonomy/vocabulary\t'hullLocalTypes' is not a taxonomy we "
        "hold; we hold",
        "1002\tregular_schedules/0/interval\t'two' is not of type 'number'",
        "1003\tservice_taxonomys/3/taxonomy/vocabulary\tis required: say which taxonomy",
        "1003\tservice_at_locations/0/location/physical_addresses/0\t'state_province' is a "
        "required property",
        "1004\torganization\tis required: every ORUK 1.0 service names its organisation",
        "?\t-\tis not an ORUK 1.0 service (a JSON object)",
    ]
    for line in expected:
        assert any(problem.startswith(line) for problem in report), (line, report)
    assert database_state() == before


@pytest.mark.django_db
def test_model_checks_are_reported_in_the_dump_s_own_paths(vocabularies, tmp_path, capsys):
    dump = services()
    dump[1]["eligibilitys"][0].update(minimum_age=65, maximum_age=18)
    dump[1]["contacts"][0]["phones"][0]["type"] = "pigeon"
    dump[2]["service_at_locations"][0]["regular_schedule"][0]["byday"] = "Funday"

    with pytest.raises(CommandError, match="Nothing was imported: 3 problems in 2 of 3 records"):
        call_command("import_oruk", str(write(tmp_path / "d.json", dump)), "--source-name", SOURCE)
    report = capsys.readouterr().err
    assert "1002\teligibilitys/0/maximum_age\tMaximum age must be the same as or more" in report
    assert "1002\tcontacts/0/phones/0/type\tValue 'pigeon' is not a valid choice." in report
    assert "1003\tservice_at_locations/0/regular_schedule/0/byday\tEnter days" in report
    assert not m.Service.objects.exists()


@pytest.mark.django_db
def test_skip_invalid_imports_the_valid_services(vocabularies, tmp_path, capsys):
    dump = services()
    dump[1]["status"] = "open"
    call_command(
        "import_oruk",
        str(write(tmp_path / "mixed.json", dump)),
        "--source-name",
        SOURCE,
        "--skip-invalid",
    )
    output = capsys.readouterr()
    assert "1002\tstatus\t" in output.err
    assert "Imported 2 of 3 records" in output.out
    assert set(m.Service.objects.values_list("pk", flat=True)) == {
        ids("service", "1001"),
        ids("service", "1003"),
    }


@pytest.mark.django_db
def test_ids_that_are_not_uuids_need_a_source_name(vocabularies, tmp_path):
    with pytest.raises(CommandError, match="--source-name"):
        call_command("import_oruk", str(FIXTURE))
    assert not m.Service.objects.exists()


@pytest.mark.django_db
def test_uuid_ids_are_kept_and_need_no_source_name(vocabularies, tmp_path):
    service = services()[0]
    service["id"] = "0c5b7d52-7a57-4a44-bb6c-5d7f0f3f2b41"
    service["service_at_locations"][0].update(id="5a7b2a4e-0a56-4f55-9f7e-0c7e3c1e9d10")
    service["service_at_locations"][0]["location"]["id"] = "e6a1b93e-2f7c-4f1e-b0b5-8f1a7c3d2e44"
    service["service_at_locations"][0]["location"]["physical_addresses"][0]["id"] = (
        "9d2c4a1b-6e8f-4b3a-a5c7-1e2d3f4a5b6c"
    )
    for item in (
        *service["service_at_locations"][0]["regular_schedule"],
        *service["regular_schedules"],
        *service["contacts"],
        *service["contacts"][0]["phones"],
        *service["fundings"],
        *service["cost_options"],
        *service["languages"],
        *service["service_taxonomys"],
    ):
        item["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"test:{item['id']}"))

    call_command("import_oruk", str(write(tmp_path / "uuids.json", [service])))
    assert list(m.Service.objects.values_list("pk", flat=True)) == [uuid.UUID(service["id"])]
    assert m.Location.objects.get().pk == uuid.UUID("e6a1b93e-2f7c-4f1e-b0b5-8f1a7c3d2e44")


@pytest.mark.django_db
def test_the_dialect_is_recognised_or_named(vocabularies, tmp_path, capsys):
    assert detect_dialect(lambda: services()) == ORUK1
    assert detect_dialect(lambda: [{"id": "x", "name": "y", "schedules": []}]) == ORUK3

    # A bare 1.0 service says nothing of its dialect, so it is read as 3.0, with a hint.
    bare = {
        "id": "77",
        "name": "Lunch club",
        "status": "active",
        "organization": {"id": "18", "name": "Hull Family Hubs", "description": "Hubs"},
    }
    source = write(tmp_path / "bare.json", [bare])
    with pytest.raises(CommandError, match="rerun with --format oruk1"):
        call_command("import_oruk", str(source))
    capsys.readouterr()
    call_command("import_oruk", str(source), "--format", "oruk1", "--source-name", SOURCE)
    assert m.Service.objects.get().pk == ids("service", "77")


@pytest.mark.django_db
def test_a_saved_page_of_list_items_keeps_what_its_items_leave_out(vocabularies, tmp_path):
    import_fixture()
    before = database_state()
    items = []
    for service in services():
        item = {k: v for k, v in service.items() if not isinstance(v, list)}
        items.append(item)
    items[0]["name"] = "Money Worries Drop-in (Tuesdays)"
    page = {
        "content": items,
        "totalElements": 3,
        "totalPages": 1,
        "number": 1,
        "size": 3,
        "first": True,
        "last": True,
        "empty": False,
    }
    call_command("import_oruk", str(write(tmp_path / "page.json", page)), "--source-name", SOURCE)

    after = database_state()
    assert after["counts"] == before["counts"]  # schedules, locations, tags... all kept
    debt = m.Service.objects.get(pk=ids("service", "1001"))
    assert debt.name.endswith("(Tuesdays)")
    assert debt.minimum_age == 18  # ages come from eligibilitys, which the items leave out

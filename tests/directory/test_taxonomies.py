from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.admin.needs import restrict_mapping_autocomplete
from directory.demo.service_types import SERVICE_TYPES
from directory.models import Circumstance, Need, Taxonomy, TaxonomyTerm, TermMapping
from directory.taxonomies import identity
from directory.taxonomies.loaders import (
    LGA_SPEC,
    LOADERS,
    TermRow,
    ensure_taxonomy,
    load_lga_service_types,
    rebuild_taxonomy_paths,
    sync_terms,
)
from directory.taxonomies.needs import (
    DEMO_MAPPING,
    NeedsImportError,
    ensure_demo_needs,
    import_needs_mapping,
)

LGA = identity.LGA_SERVICE_TYPES


def _source_dir() -> Path:
    source_dir = Path(settings.PORTAL_TAXONOMY_DIR)
    if not source_dir.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Taxonomy folder {source_dir} is missing on CI")
        pytest.skip(f"Taxonomy folder {source_dir} not found")
    return source_dir


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Every source loaded once for the module (the LGA load alone is ~1,700 rows): each
    loader's result and the number of queries it made. (How long a load takes is measured by
    bench/taxonomies.py, not asserted here.)"""
    source_dir = _source_dir()
    with django_db_blocker.unblock():
        results = {}
        for name, loader in LOADERS.items():
            with CaptureQueriesContext(connection) as queries:
                results[name] = (loader(source_dir=source_dir), len(queries))
        yield results
        Taxonomy.objects.filter(vocabulary__in=_loaded_vocabularies()).delete()


def _loaded_vocabularies() -> list[str]:
    return [
        LGA,
        identity.OPENACTIVE_ACTIVITIES,
        identity.OPENACTIVE_ACCESSIBILITY,
        identity.ORUK_ATTENDING_TYPE,
        identity.ORUK_ATTENDING_ACCESS,
        identity.ORUK_ELIGIBILITY,
        identity.ORUK_DELIVERABLE_TYPE,
        identity.OPEN_ELIGIBILITY,
    ]


def terms(vocabulary: str):
    return TaxonomyTerm.objects.filter(taxonomy__vocabulary=vocabulary)


def lga(code: str | int) -> TaxonomyTerm:
    return terms(LGA).get(term=str(code))


# --- LGA service types -----------------------------------------------------------------------


@pytest.mark.django_db
def test_lga_load_holds_every_service_and_function_with_stable_ids(loaded):
    result, queries = loaded["lga-service-types"]
    services = terms(LGA).exclude(term__startswith="function:")
    functions = terms(LGA).filter(term__startswith="function:")
    # The ids of the 2022 (1,002), 2015 (1,519) and 2013 (1,127) lists together, and 113 functions.
    assert services.count() == 1582
    assert functions.count() == 113
    assert result.created + result.updated + result.unchanged == 1695
    # Written in batches: about 20 queries on PostgreSQL and 50 on SQLite (smaller batches), where
    # a query per term would make thousands.
    assert queries < 100
    care_at_home = lga(242)
    assert care_at_home.id == identity.term_uuid(LGA, "242")
    assert care_at_home.taxonomy_id == identity.taxonomy_uuid(LGA)
    assert care_at_home.term_uri == "http://id.esd.org.uk/service/242"
    assert care_at_home.name == "Care at home"


@pytest.mark.django_db
def test_lga_service_sits_under_its_function(loaded):
    care_at_home = lga(242)
    assert [a.term for a in care_at_home.ancestors()] == ["function:58", "function:59"]
    health_and_care = terms(LGA).get(term="function:58")
    assert health_and_care.name == "Health and social care"
    assert health_and_care.term_uri == "http://id.esd.org.uk/function/58"
    assert health_and_care.depth == 0
    subtree = TaxonomyTerm.objects.descendants_of(health_and_care)
    assert subtree.filter(pk=care_at_home.pk).exists()
    assert not subtree.filter(term="function:66").exists()  # Housing is another function


@pytest.mark.django_db
def test_lga_newest_label_wins(loaded):
    # 2015: "Protection from harassment" (modified 2013-04-03); 2022: "Protection from harm"
    # (modified 16/05/2019).
    assert lga(164).name == "Protection from harm"
    # Renamed without a new Modified date (both 2013-04-03): the newer export wins the tie.
    assert lga(652).name == "Housing advice"
    # Runs of spaces in the exports are collapsed.
    assert lga(1791).name == "Arts and creative classes"


@pytest.mark.django_db
def test_lga_discontinued_services_are_flagged(loaded):
    result, _ = loaded["lga-service-types"]
    assert result.discontinued == 24
    assert lga(273).discontinued  # Older people's bus pass
    assert not lga(242).discontinued
    assert terms(LGA).filter(discontinued=True).count() == 24


@pytest.mark.django_db
def test_lga_plain_english_label_comes_from_govuk(loaded):
    assert lga(4).name == "Free school meals"
    assert lga(4).alt_label == "Find out about free school meals"
    assert terms(LGA).exclude(alt_label="").count() == 117


@pytest.mark.django_db
def test_every_loaded_term_has_a_description(loaded):
    assert not TaxonomyTerm.objects.filter(description="").exists()
    assert not Taxonomy.objects.filter(description="").exists()
    assert terms(LGA).get(term="function:1").description == "Advice and benefits"


# --- OpenActive, ORUK 1.0, Open Eligibility ----------------------------------------------------


@pytest.mark.django_db
def test_openactive_activity_list_keeps_its_tree(loaded):
    activities = terms(identity.OPENACTIVE_ACTIVITIES)
    assert activities.count() == 768
    assert activities.filter(depth=0).count() == 146
    eleven_a_side = activities.get(term="117e7f70-6c42-4b1f-a3bb-620b63ea2632")
    assert eleven_a_side.name == "11-a-side"
    assert eleven_a_side.parent.term == "0a5f732d-e806-4e51-ad40-0a7de0239c8c"
    assert eleven_a_side.term_uri.startswith("https://openactive.io/activity-list#")
    # Beam Fit has two broader concepts; the first one listed is its parent.
    beam_fit = activities.get(name="Beam Fit")
    assert beam_fit.parent.term == "741097ba-21a0-4b7b-8099-86ddb562458a"
    assert terms(identity.OPENACTIVE_ACCESSIBILITY).count() == 6


@pytest.mark.django_db
def test_oruk_enumerations_are_four_taxonomies(loaded):
    counts = {
        identity.ORUK_ATTENDING_TYPE: 4,
        identity.ORUK_ATTENDING_ACCESS: 4,
        identity.ORUK_ELIGIBILITY: 9,
        identity.ORUK_DELIVERABLE_TYPE: 8,
    }
    for vocabulary, count in counts.items():
        assert terms(vocabulary).count() == count, vocabulary
    home_visit = terms(identity.ORUK_ATTENDING_TYPE).get(term="home visit")
    assert home_visit.name == "Home visit"
    assert home_visit.id == identity.term_uuid(identity.ORUK_ATTENDING_TYPE, "home visit")


@pytest.mark.django_db
def test_open_eligibility_keeps_both_parts_and_their_hierarchy(loaded):
    result, _ = loaded["open-eligibility"]
    eligibility = terms(identity.OPEN_ELIGIBILITY)
    # 291 service ids (one used twice) + 94 situations + the two part roots.
    assert eligibility.count() == 386
    help_pay_for_food = eligibility.get(term="1114")
    assert [a.term for a in help_pay_for_food.ancestors()] == ["services", "1101", "1113"]
    adults = eligibility.get(term="20003")
    assert [a.name for a in adults.ancestors()] == ["Human situations", "Age Group"]
    assert eligibility.get(term="1101").description.startswith("Services for psychiatric")
    assert eligibility.get(term="1206").name == "Medical Care"
    assert any("1206" in warning for warning in result.warnings)


# --- Reruns ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(LOADERS))
def test_rerun_changes_nothing(loaded, name):
    first, _ = loaded[name]
    before = TaxonomyTerm.objects.count()
    with CaptureQueriesContext(connection) as queries:
        again = LOADERS[name](source_dir=_source_dir())
    assert len(queries) < 40  # compared in bulk, not term by term
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == first.created + first.updated + first.unchanged
    assert TaxonomyTerm.objects.count() == before


@pytest.mark.django_db
def test_rerun_restores_a_changed_term(loaded):
    TaxonomyTerm.objects.filter(pk=lga(242).pk).update(name="Edited", parent=None, path="")
    result = load_lga_service_types(source_dir=_source_dir())
    assert (result.created, result.updated) == (0, 1)
    care_at_home = lga(242)
    assert care_at_home.name == "Care at home"
    assert care_at_home.parent.term == "function:59"
    assert care_at_home.depth == 2


# --- The command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_without_the_folder_exits_quietly_with_if_empty(tmp_path, capsys):
    call_command("load_taxonomies", "--from", str(tmp_path / "missing"), "--if-empty")
    assert "not found" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not found"):
        call_command("load_taxonomies", "--from", str(tmp_path / "missing"))


@pytest.mark.django_db
def test_command_if_empty_skips_when_loaded(loaded, capsys):
    call_command("load_taxonomies", "--from", str(_source_dir()), "--if-empty")
    assert "already loaded" in capsys.readouterr().out


@pytest.mark.django_db
def test_command_loads_only_the_named_sources(capsys):
    call_command("load_taxonomies", "--from", str(_source_dir()), "--only", "oruk-enumerations")
    out = capsys.readouterr().out
    assert "oruk-enumerations: 25 terms" in out
    assert "lga-service-types" not in out


# --- Needs and circumstances -------------------------------------------------------------------


@pytest.fixture
def demo_service_types(db):
    """The demo's compact LGA list, as the seeder creates it (same stable ids)."""
    taxonomy = ensure_taxonomy(LGA_SPEC)
    sync_terms(
        taxonomy=taxonomy,
        rows=[TermRow(code=str(code), name=name) for code, name in SERVICE_TYPES],
        source="test",
    )
    rebuild_taxonomy_paths(taxonomy)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["kind", "code", "label", "description", "parent_code", "service_type_codes"]
        )
        writer.writerows(rows)
    return path


GOOD_ROWS = [
    ["need", "money", "Money", "Making ends meet", "", "189;190"],
    ["need", "debt", "Debt", "", "money", "651; 352"],
    ["circumstance", "carer", "Carer", "Looks after someone", "", "225;298"],
]


def test_needs_csv_imports(demo_service_types, tmp_path):
    report = import_needs_mapping(path=write_csv(tmp_path / "needs.csv", GOOD_ROWS))
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.mappings_created == 6
    debt = Need.objects.get(term="debt")
    assert debt.id == identity.term_uuid(identity.LGA_NEEDS, "debt")
    assert debt.taxonomy.vocabulary == identity.LGA_NEEDS
    assert debt.parent.term == "money"
    assert debt.depth == 1
    assert debt.description == "Debt"  # the label stands in for a missing description
    assert sorted(debt.mappings_out.values_list("service_type__term", flat=True)) == [
        "352",
        "651",
    ]
    assert list(Circumstance.objects.values_list("term", flat=True)) == ["carer"]
    assert not Need.objects.filter(term="carer").exists()


def test_needs_csv_with_broken_rows_reports_each_and_changes_nothing(demo_service_types, tmp_path):
    path = write_csv(
        tmp_path / "broken.csv",
        [
            ["need", "money", "Money", "", "", "189"],
            ["want", "x", "X", "", "", ""],
            ["need", "housing", "", "", "", "652"],
            ["circumstance", "carer", "Carer", "", "", "225;99999"],
            ["need", "debt", "Debt", "", "nowhere", "651"],
            ["circumstance", "money", "Money", "", "", ""],  # same code, other kind: fine
            ["need", "money", "Money again", "", "", ""],
        ],
    )
    report = import_needs_mapping(path=path)
    assert [str(problem) for problem in report.problems] == [
        "Row 3: unknown kind want: use need or circumstance",
        "Row 4: missing label",
        "Row 5: unknown LGA service type code 99999",
        "Row 6: unknown parent need nowhere",
        "Row 8: need money is already on row 2",
    ]
    assert not TaxonomyTerm.objects.filter(
        taxonomy__vocabulary__in=[identity.LGA_NEEDS, identity.LGA_CIRCUMSTANCES]
    ).exists()
    assert not TermMapping.objects.exists()
    with pytest.raises(CommandError, match="5 problems"):
        call_command("import_needs_mapping", str(path))


def test_needs_csv_rerun_is_idempotent(demo_service_types, tmp_path):
    path = write_csv(tmp_path / "needs.csv", GOOD_ROWS)
    import_needs_mapping(path=path)
    again = import_needs_mapping(path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (again.mappings_created, again.mappings_removed) == (0, 0)
    assert TermMapping.objects.count() == 6

    # The file is the truth for the terms it lists: a dropped code unmaps that service type.
    changed = [row[:] for row in GOOD_ROWS]
    changed[0][5] = "189"
    report = import_needs_mapping(path=write_csv(tmp_path / "changed.csv", changed))
    assert (report.updated, report.mappings_removed) == (0, 1)
    assert TermMapping.objects.count() == 5


def test_needs_import_keeps_admin_edits(demo_service_types, tmp_path):
    path = write_csv(tmp_path / "needs.csv", GOOD_ROWS)
    import_needs_mapping(path=path)
    Need.objects.filter(term="money").update(alt_label="Cash worries", discontinued=True)
    assert import_needs_mapping(path=path).unchanged == 3
    money = Need.objects.get(term="money")
    assert (money.alt_label, money.discontinued) == ("Cash worries", True)


def test_demo_mapping_uses_only_demo_service_types(demo_service_types):
    demo_codes = {str(code) for code, _ in SERVICE_TYPES}
    with DEMO_MAPPING.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    used = {code for row in rows for code in row["service_type_codes"].split(";")}
    assert used <= demo_codes
    report = ensure_demo_needs()
    assert Need.objects.count() == sum(row["kind"] == "need" for row in rows)
    assert Circumstance.objects.count() == sum(row["kind"] == "circumstance" for row in rows)
    assert report.mappings_created == TermMapping.objects.count()
    assert ensure_demo_needs().unchanged == len(rows)


def test_demo_needs_refuse_missing_service_types(db):
    Taxonomy.objects.filter(vocabulary=LGA).delete()  # in case the module fixture loaded them
    with pytest.raises(NeedsImportError, match="unknown LGA service type code"):
        ensure_demo_needs()


def test_need_saved_in_the_admin_gets_its_taxonomy_and_stable_id(demo_service_types):
    need = Need(name="Food", term="food", description="Not having enough to eat")
    need.full_clean()
    need.save()
    assert need.id == identity.term_uuid(identity.LGA_NEEDS, "food")
    assert need.taxonomy.vocabulary == identity.LGA_NEEDS
    assert list(Need.objects.all()) == [need]
    assert not Circumstance.objects.exists()

    duplicate = Need(name="Food again", term="food", description="Twice")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "term" in error.value.message_dict
    circumstance = Circumstance(name="Carer", term="carer", parent=need)
    with pytest.raises(ValidationError) as error:
        circumstance.full_clean()
    assert "parent" in error.value.message_dict
    circumstance.parent = None
    circumstance.save()  # a save outside a form still gets a description
    assert circumstance.description == "Carer"


def test_need_admin_pages_render(demo_service_types, admin_client, tmp_path):
    import_needs_mapping(path=write_csv(tmp_path / "needs.csv", GOOD_ROWS))
    changelist = admin_client.get("/admin/directory/need/")
    assert changelist.status_code == 200
    assert b"Money" in changelist.content
    assert b"Carer" not in changelist.content
    money = Need.objects.get(term="money")
    assert admin_client.get(f"/admin/directory/need/{money.pk}/change/").status_code == 200
    assert admin_client.get("/admin/directory/circumstance/add/").status_code == 200


def _need_form(need: Need, service_type_id: object) -> dict[str, object]:
    return {
        "name": need.name,
        "term": need.term,
        "description": need.description,
        "parent": "",
        "alt_label": "",
        "mappings_out-TOTAL_FORMS": "1",
        "mappings_out-INITIAL_FORMS": "0",
        "mappings_out-MIN_NUM_FORMS": "0",
        "mappings_out-MAX_NUM_FORMS": "1000",
        "mappings_out-0-service_type": str(service_type_id),
    }


def test_need_admin_maps_only_lga_service_types(demo_service_types, admin_client, tmp_path):
    import_needs_mapping(path=write_csv(tmp_path / "needs.csv", GOOD_ROWS))
    money = Need.objects.get(term="money")
    url = f"/admin/directory/need/{money.pk}/change/"

    refused = admin_client.post(url, _need_form(money, Circumstance.objects.get().pk))
    assert refused.status_code == 200  # the form again, with an error on the mapping
    assert money.mappings_out.count() == 2

    food_banks = terms(LGA).get(term="1818")
    accepted = admin_client.post(url, _need_form(money, food_banks.pk))
    assert accepted.status_code == 302
    assert money.mappings_out.filter(service_type=food_banks).exists()


def test_mapping_autocomplete_is_narrowed_to_lga_service_types(demo_service_types, rf):
    food = Need(name="Food", term="food", description="Food")
    food.save()
    request = rf.get(
        "/admin/autocomplete/",
        {"app_label": "directory", "model_name": "termmapping", "field_name": "service_type"},
    )
    narrowed = restrict_mapping_autocomplete(request, TaxonomyTerm.objects.all())
    assert narrowed.count() == terms(LGA).count()
    assert not narrowed.filter(pk=food.pk).exists()
    other = rf.get("/admin/autocomplete/", {"model_name": "service", "field_name": "taxonomy"})
    assert restrict_mapping_autocomplete(other, TaxonomyTerm.objects.all()).filter(pk=food.pk)

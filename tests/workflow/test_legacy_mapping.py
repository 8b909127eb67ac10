"""Legacy classification mapping: a CSV of an old directory's categories is checked whole (every
problem with its line number, nothing saved if any), each category is mapped to LGA service
types once, and imports then give services carrying a mapped legacy term its LGA types."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.exceptions import NotAllowed
from accounts.models import AuditAction, AuditEvent
from accounts.policy import Action, user_can
from directory import models as m
from directory.oruk import import_documents
from directory.taxonomies.identity import LGA_SERVICE_TYPES
from tests.accounts.test_stale_forms import _loaded_version
from tests.auth import sign_in
from tests.factories import TaxonomyFactory, TaxonomyTermFactory
from workflow.tagging.legacy import (
    CategoryRow,
    legacy_category_map,
    legacy_scheme_upload,
    parse_categories,
)
from workflow.tagging.legacy_import import mapped_attribute_id
from workflow.tagging.models import LegacyCategory, LegacyScheme

pytestmark = pytest.mark.django_db

SCHEME = "Old FIS categories"
GOOD_CSV = (
    b"code,label,parent\n"
    b"HC,Holiday clubs,Childcare\n"
    b"PS,Parenting support,\n"
    b"CM,Childminders,Childcare\n"
)
NS = uuid.UUID("5d1f3c84-0b59-4a53-9b0e-0c6a0d4f2a11")


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


@pytest.fixture
def lga(db) -> dict[str, m.TaxonomyTerm]:
    taxonomy = TaxonomyFactory(name="LGA service types", vocabulary=LGA_SERVICE_TYPES)
    return {
        name: TaxonomyTermFactory(taxonomy=taxonomy, name=name, term=str(code))
        for code, name in (
            (1, "Holiday clubs"),
            (2, "Parenting courses"),
            (3, "Childminding"),
            (4, "Family support"),
        )
    }


def upload(client, content: bytes, name: str = SCHEME, filename: str = "categories.csv"):
    return client.post(
        reverse("workflow:classification-upload"),
        {"name": name, "file": SimpleUploadedFile(filename, content, content_type="text/csv")},
    )


# --- reading the CSV --------------------------------------------------------------------------


def test_a_good_file_gives_every_category_with_its_line():
    rows, problems = parse_categories(b"\xef\xbb\xbf" + GOOD_CSV)  # Excel's UTF-8 mark
    assert problems == []
    assert rows == [
        CategoryRow(2, "HC", "Holiday clubs", "Childcare"),
        CategoryRow(3, "PS", "Parenting support", ""),
        CategoryRow(4, "CM", "Childminders", "Childcare"),
    ]


def test_every_problem_is_reported_with_its_line_number_and_no_rows_are_given():
    content = (
        b"Code,Label\n"
        b"A1,Youth clubs\n"
        b",No code here\n"
        b"\n"
        b"B2,\n"
        b"a1,Same code as line 2\n"
        b"C3,Too,many,values\n"
    )
    rows, problems = parse_categories(content)
    assert rows == []
    assert problems == [
        "Line 3: enter the category's code",
        "Line 5: enter the category's label",
        "Line 6: code a1 is also on line 2: each category needs its own code",
        "Line 7: has 4 values, but the header names only 2 columns",
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The file is empty"),
        (b"name,description\nx,y\n", "Line 1: the first row must name the columns code and label"),
        (b"code,label\n", "The file has a header row but no categories"),
        (b"code,label\nA,Caf\xe9\n", "Line 2: the file must be saved as UTF-8"),
        (b"PK\x03\x04\x00\x00", "The file must be a CSV file"),
    ],
    ids=["empty", "no-header", "no-rows", "not-utf8", "spreadsheet"],
)
def test_files_that_are_not_category_lists_are_refused_with_a_reason(content, problem):
    rows, problems = parse_categories(content)
    assert rows == []
    assert problems and problems[0].startswith(problem)


def test_files_over_the_limits_are_refused(settings):
    settings.PORTAL_LEGACY_CSV_MAX_ROWS = 2
    rows, problems = parse_categories(GOOD_CSV)
    assert rows == [] and problems == [
        "Line 4: a file can hold at most 2 categories: split it into several"
    ]
    settings.PORTAL_LEGACY_CSV_MAX_BYTES = 10
    assert parse_categories(GOOD_CSV)[1] == ["The file must be smaller than 0 KB"]


# --- the upload page --------------------------------------------------------------------------


def test_directory_admin_uploads_categories(client, directory_admin):
    sign_in(client, directory_admin)
    response = upload(client, GOOD_CSV)
    scheme = LegacyScheme.objects.get()
    assert response.status_code == 302 and response.url == scheme.get_absolute_url()
    assert scheme.name == SCHEME and scheme.uploaded_by == directory_admin
    assert list(scheme.categories.in_file_order().values_list("code", "label", "parent_label")) == [
        ("HC", "Holiday clubs", "Childcare"),
        ("PS", "Parenting support", ""),
        ("CM", "Childminders", "Childcare"),
    ]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.LEGACY_CATEGORIES_UPLOADED, actor=directory_admin
        ).count()
        == 1
    )
    page = client.get(response.url).content.decode()
    assert "3 new categories" in page and "Holiday clubs" in page


def test_a_bad_file_is_reported_line_by_line_and_nothing_is_saved(client, directory_admin):
    sign_in(client, directory_admin)
    response = upload(client, b"code,label\nA,Fine\n,Missing code\nA,Again\n")
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Line 3: enter the category&#x27;s code" in page
    assert "Line 4: code A is also on line 2" in page
    assert page.count("Line 3: enter the category") == 2  # in the summary and at the field
    assert "<title>Error: " in page
    assert not LegacyScheme.objects.exists() and not LegacyCategory.objects.exists()


def test_upload_without_a_file_or_name_asks_for_them(client, directory_admin):
    sign_in(client, directory_admin)
    response = client.post(reverse("workflow:classification-upload"), {"name": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the name of the old directory&#x27;s classification" in page
    assert "Select a CSV file" in page


def test_uploading_again_adds_new_categories_and_keeps_mappings(client, directory_admin, lga):
    sign_in(client, directory_admin)
    upload(client, GOOD_CSV)
    holiday = LegacyCategory.objects.get(code="HC")
    legacy_category_map(
        actor=directory_admin, category=holiday, service_types=[lga["Holiday clubs"]]
    )
    response = upload(
        client,
        b"code,label,parent\nHC,Holiday clubs and schemes,Childcare\nFS,Family support,\n",
        name="old fis CATEGORIES",
    )
    assert response.status_code == 302
    scheme = LegacyScheme.objects.get()
    assert scheme.name == SCHEME  # matched whatever its case
    assert list(scheme.categories.in_file_order().values_list("code", flat=True)) == [
        "HC",
        "PS",
        "CM",
        "FS",
    ]
    holiday.refresh_from_db()
    assert holiday.label == "Holiday clubs and schemes"
    assert list(holiday.service_types.all()) == [lga["Holiday clubs"]]
    message = client.get(response.url).content.decode()
    assert "1 new category, 1 category relabelled" in message


# --- mapping ----------------------------------------------------------------------------------


@pytest.fixture
def scheme(directory_admin) -> LegacyScheme:
    rows, _ = parse_categories(GOOD_CSV)
    return legacy_scheme_upload(actor=directory_admin, name=SCHEME, rows=rows).scheme


def map_url(category: LegacyCategory) -> str:
    return reverse("workflow:classification-category", args=[category.scheme_id, category.pk])


def test_the_mapping_page_suggests_and_saves_what_is_ticked(client, directory_admin, scheme, lga):
    sign_in(client, directory_admin)
    holiday = scheme.categories.get(code="HC")
    page = client.get(map_url(holiday)).content.decode()
    assert "Suggestions" in page and "Holiday clubs" in page
    # Nothing is ticked until the person asks to accept the top suggestion.
    assert 'checked="checked"' not in page
    accepted = client.get(map_url(holiday) + "?accept=1").content.decode()
    ticked = accepted.split('checked="checked"')[0].rsplit("<input", 1)[1]
    assert f'value="{lga["Holiday clubs"].pk}"' in ticked
    assert not holiday.service_types.exists()  # still nothing saved

    response = client.post(
        map_url(holiday),
        {"service_types": [str(lga["Holiday clubs"].pk), str(lga["Childminding"].pk)], "save": ""},
    )
    assert response.status_code == 302 and response.url == scheme.get_absolute_url()
    holiday.refresh_from_db()
    assert set(holiday.service_types.all()) == {lga["Holiday clubs"], lga["Childminding"]}
    assert holiday.mapped_by == directory_admin and holiday.mapped_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.LEGACY_CATEGORY_MAPPED).count() == 1
    listing = client.get(reverse("workflow:classification-list")).content.decode()
    assert SCHEME in listing
    counts = LegacyScheme.objects.with_counts().get()
    assert (counts.category_count, counts.mapped_count, counts.unmapped_count) == (3, 1, 2)


def test_searching_keeps_what_is_ticked_and_lists_what_it_found(
    client, directory_admin, scheme, lga
):
    sign_in(client, directory_admin)
    category = scheme.categories.get(code="PS")
    response = client.post(
        map_url(category),
        {"service_types": [str(lga["Childminding"].pk)], "search": "family", "find": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Family support" in page and "Found by your search" in page
    assert "checked" in page
    assert not category.service_types.exists()


def test_save_and_next_goes_to_the_next_unmapped_category(client, directory_admin, scheme, lga):
    sign_in(client, directory_admin)
    first, _, third = scheme.categories.in_file_order()
    legacy_category_map(
        actor=directory_admin,
        category=scheme.categories.get(code="PS"),
        service_types=[lga["Parenting courses"]],
    )
    response = client.post(
        map_url(first), {"service_types": [str(lga["Holiday clubs"].pk)], "next": ""}
    )
    assert response.url == map_url(third)


def test_only_lga_service_types_can_be_chosen(client, directory_admin, scheme, lga):
    sign_in(client, directory_admin)
    category = scheme.categories.get(code="HC")
    other = TaxonomyTermFactory(name="Not an LGA type")
    response = client.post(map_url(category), {"service_types": [str(other.pk)], "save": ""})
    assert response.status_code == 200
    assert "Select LGA service types from the list" in response.content.decode()
    assert not category.service_types.exists()
    with pytest.raises(Exception, match="LGA service types only"):
        legacy_category_map(actor=directory_admin, category=category, service_types=[other])


def test_an_lga_function_heading_cannot_be_chosen(directory_admin, scheme, lga):
    """Functions sit above the service types in the same taxonomy; a service is not tagged
    with one (the tagging screen offers none), so a category cannot map to one either."""
    heading = TaxonomyTermFactory(
        taxonomy=lga["Holiday clubs"].taxonomy, name="Children and families", term="function:9"
    )
    with pytest.raises(Exception, match="LGA service types only"):
        legacy_category_map(
            actor=directory_admin,
            category=scheme.categories.get(code="HC"),
            service_types=[heading],
        )


def test_unticking_everything_unmaps_a_category(client, directory_admin, scheme, lga):
    category = scheme.categories.get(code="HC")
    legacy_category_map(
        actor=directory_admin, category=category, service_types=[lga["Holiday clubs"]]
    )
    sign_in(client, directory_admin)
    client.post(map_url(category), {"save": ""})
    category.refresh_from_db()
    assert not category.service_types.exists() and category.mapped_by is None


# --- who may --------------------------------------------------------------------------------


REFUSED = ("signed_in_user", "frontline_worker", "provider_user", "assurer", "partner_admin")


def test_only_directory_admins_manage_taxonomies(request, directory_admin):
    assert user_can(directory_admin, Action.MANAGE_TAXONOMIES)
    for name in REFUSED:
        assert not user_can(request.getfixturevalue(name), Action.MANAGE_TAXONOMIES), name


@pytest.mark.parametrize("role", REFUSED)
def test_people_who_are_not_directory_admins_are_refused_and_change_nothing(
    client, request, role, scheme, lga
):
    person = request.getfixturevalue(role)
    sign_in(client, person)
    category = scheme.categories.get(code="HC")
    for url in (
        reverse("workflow:classification-list"),
        reverse("workflow:classification-upload"),
        scheme.get_absolute_url(),
        map_url(category),
    ):
        assert client.get(url).status_code == 403, url
    assert upload(client, b"code,label\nNEW,New category\n").status_code == 403
    response = client.post(
        map_url(category), {"service_types": [str(lga["Holiday clubs"].pk)], "save": ""}
    )
    assert response.status_code == 403
    assert not scheme.categories.filter(code="NEW").exists()
    assert not category.service_types.exists()
    with pytest.raises(NotAllowed):
        legacy_scheme_upload(actor=person, name=SCHEME, rows=[CategoryRow(2, "X", "X")])
    with pytest.raises(NotAllowed):
        legacy_category_map(actor=person, category=category, service_types=[])


def test_anonymous_people_are_sent_to_sign_in(client, scheme):
    response = client.get(reverse("workflow:classification-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))
    assert upload(client, GOOD_CSV).status_code == 302
    assert LegacyCategory.objects.count() == 3


def test_the_staff_home_links_directory_admins_to_the_classifications(client, directory_admin):
    sign_in(client, directory_admin)
    page = client.get(reverse("workflow:home")).content.decode()
    assert reverse("workflow:classification-list") in page


# --- query counts -------------------------------------------------------------------------


def _categories(scheme: LegacyScheme, count: int, terms: list) -> None:
    start = scheme.categories.count()
    made = LegacyCategory.objects.bulk_create(
        LegacyCategory(scheme=scheme, code=f"X{n}", label=f"Category {n}", position=100 + n)
        for n in range(start, start + count)
    )
    for n, category in enumerate(made):
        category.service_types.set(terms[: n % 3])


def test_the_scheme_page_reads_a_constant_number_of_queries(
    client, directory_admin, scheme, lga, django_assert_max_num_queries
):
    sign_in(client, directory_admin)
    terms = list(lga.values())
    _categories(scheme, 2, terms)
    with django_assert_max_num_queries(12) as few:
        assert client.get(scheme.get_absolute_url()).status_code == 200
    _categories(scheme, 120, terms)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(scheme.get_absolute_url() + "?page=2")
    assert page.status_code == 200 and "Category 60" in page.content.decode()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("workflow:classification-list")).status_code == 200


# --- imports apply the mapping ------------------------------------------------------------


def legacy_term(code: str, name: str) -> dict:
    return {
        "id": uid(f"term:{code}"),
        "name": name,
        "description": name,
        "term": code,
        "taxonomy": SCHEME,
    }


def service(key: str, *legacy: dict, by_id: bool = False) -> dict:
    attributes = []
    for term in legacy:
        attribute = {"id": uid(f"attribute:{key}:{term['id']}")}
        if by_id:
            attribute["taxonomy_term_id"] = term["id"]
        else:
            attribute["taxonomy_term"] = term
        attributes.append(attribute)
    return {
        "id": uid(f"service:{key}"),
        "name": f"Service {key}",
        "status": "active",
        "attributes": attributes,
    }


def types_of(key: str) -> set[str]:
    return set(
        m.Attribute.objects.for_record("service", uid(f"service:{key}")).values_list(
            "taxonomy_term__name", flat=True
        )
    )


def test_upload_map_then_import_gives_services_the_lga_types(
    client, directory_admin, lga, tmp_path
):
    sign_in(client, directory_admin)
    assert upload(client, GOOD_CSV).status_code == 302
    holiday = LegacyCategory.objects.get(code="HC")
    response = client.post(
        map_url(holiday),
        {
            "service_types": [str(lga["Holiday clubs"].pk), str(lga["Family support"].pk)],
            "save": "",
        },
    )
    assert response.status_code == 302

    hc, ps = legacy_term("HC", "Holiday clubs"), legacy_term("PS", "Parenting support")
    unknown = legacy_term("ZZ", "Something the CSV lacked")
    documents = [
        service("a", hc),
        service("b", hc, ps),
        service("c", unknown),
        {
            "id": uid("organisation"),
            "name": "Hull Play",
            "description": "Play schemes",
            "services": [service("d", hc)],
        },
    ]
    source = tmp_path / "old.json"
    source.write_text(json.dumps(documents))
    call_command("import_oruk", str(source))

    assert types_of("a") == {"Holiday clubs", "Family support"}
    assert types_of("b") == {"Holiday clubs", "Family support", "Parenting support"}
    assert types_of("c") == {"Something the CSV lacked"}
    assert types_of("d") == {"Holiday clubs", "Family support"}
    added = m.Attribute.objects.get(link_id=uid("service:a"), taxonomy_term=lga["Family support"])
    assert added.pk == mapped_attribute_id(uid("service:a"), lga["Family support"].pk)

    # Again, with services naming the legacy terms (now in the directory) by id only: the same
    # attributes, nothing new, and the report says what was mapped and what was not.
    again = [service("a", hc, by_id=True), service("b", hc, ps, by_id=True)]
    report = import_documents(lambda: again)
    assert types_of("a") == {"Holiday clubs", "Family support"}
    assert report.counts[("legacy term", "mapped")] == 2
    assert report.counts[("attribute", "created")] == 0
    assert report.notes == [
        "Legacy categories: 2 legacy terms mapped, adding 4 LGA service types to 2 services.",
        "1 legacy category met has no LGA service types yet (map them, then import again): "
        "Old FIS categories: Parenting support (PS).",
    ]


def test_the_import_command_reports_mapped_and_unmapped_legacy_terms(
    directory_admin, scheme, lga, tmp_path, capsys
):
    legacy_category_map(
        actor=directory_admin,
        category=scheme.categories.get(code="HC"),
        service_types=[lga["Holiday clubs"]],
    )
    documents = [
        service("a", legacy_term("HC", "Holiday clubs")),
        service("b", legacy_term("CM", "Childminders"), legacy_term("QQ", "Quiz nights")),
    ]
    source = tmp_path / "old.json"
    source.write_text(json.dumps(documents))
    call_command("import_oruk", str(source))
    out = capsys.readouterr().out
    assert "1 legacy term mapped" in out
    assert "Legacy categories: 1 legacy term mapped, adding 1 LGA service type to 1 service." in out
    assert "Old FIS categories: Childminders (CM)" in out
    assert (
        "1 legacy term met is not among the uploaded categories (upload them and map them, then "
        "import again): Old FIS categories: Quiz nights (QQ)." in out
    )


def test_an_import_from_the_staff_page_applies_the_mapping_and_reports_it(
    client, directory_admin, scheme, lga, django_capture_on_commit_callbacks
):
    legacy_category_map(
        actor=directory_admin,
        category=scheme.categories.get(code="HC"),
        service_types=[lga["Holiday clubs"]],
    )
    documents = [service("a", legacy_term("HC", "Holiday clubs"))]
    sign_in(client, directory_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:import-create"),
            {
                "file": SimpleUploadedFile("old.json", json.dumps(documents).encode()),
                "dialect": "auto",
            },
        )
    assert "Holiday clubs" in types_of("a")
    page = client.get(response["Location"]).content.decode()
    assert (
        "Legacy categories: 1 legacy term mapped, adding 1 LGA service type to 1 service." in page
    )


def test_a_stale_mapping_form_is_refused_and_shows_both_versions(
    client, directory_admin, scheme, lga
):
    category = scheme.categories.get(code="HC")
    sign_in(client, directory_admin)
    url = category.get_absolute_url()
    version = _loaded_version(client.get(url).content.decode())
    legacy_category_map(  # another admin, meanwhile
        actor=directory_admin, category=category, service_types=[lga["Holiday clubs"]]
    )

    response = client.post(
        url,
        {"service_types": [str(lga["Childminding"].pk)], "loaded_version": version, "save": ""},
    )

    assert response.status_code == 409
    assert "Someone else changed this while you were editing it" in response.content.decode()
    assert list(category.service_types.all()) == [lga["Holiday clubs"]]
    fresh = _loaded_version(client.get(url).content.decode())
    response = client.post(
        url,
        {"service_types": [str(lga["Childminding"].pk)], "loaded_version": fresh, "save": ""},
    )
    assert response.status_code == 302
    assert list(category.service_types.all()) == [lga["Childminding"]]


def test_a_term_without_a_code_is_matched_by_its_name_and_taxonomy(directory_admin, scheme, lga):
    legacy_category_map(
        actor=directory_admin,
        category=scheme.categories.get(code="CM"),
        service_types=[lga["Childminding"]],
    )
    taxonomy = TaxonomyFactory(name="Old FIS Categories")
    term = {
        "id": uid("term:nameonly"),
        "name": "childminders",
        "description": "Registered childminders",
        "taxonomy_id": str(taxonomy.pk),
    }
    import_documents(lambda: [service("e", term)])
    assert "Childminding" in types_of("e")


def test_an_editors_tag_with_the_same_type_is_kept_not_doubled(directory_admin, scheme, lga):
    legacy_category_map(
        actor=directory_admin,
        category=scheme.categories.get(code="HC"),
        service_types=[lga["Holiday clubs"]],
    )
    hc = legacy_term("HC", "Holiday clubs")
    import_documents(lambda: [service("f", hc)])
    existing = m.Attribute.objects.get(link_id=uid("service:f"), taxonomy_term=lga["Holiday clubs"])
    m.Attribute.objects.filter(pk=existing.pk).update(id=uuid.uuid5(NS, "editor"))
    import_documents(lambda: [service("f", hc)])
    assert m.Attribute.objects.filter(
        link_id=uid("service:f"), taxonomy_term=lga["Holiday clubs"]
    ).values_list("pk", flat=True)[::1] == [uuid.uuid5(NS, "editor")]


def test_imports_without_legacy_schemes_are_untouched(lga):
    doc = service("g")
    doc["attributes"] = [{"id": uid("attr-g"), "taxonomy_term_id": str(lga["Family support"].pk)}]
    report = import_documents(lambda: [doc])
    assert report.notes == [] and ("legacy term", "mapped") not in report.counts


def test_an_oruk_1_import_applies_the_mapping_too(directory_admin, scheme, lga):
    from directory.oruk.v1 import import_oruk1

    legacy_category_map(
        actor=directory_admin,
        category=scheme.categories.get(code="HC"),
        service_types=[lga["Parenting courses"]],
    )
    # ORUK 1.0 names a term by its vocabulary, which must be a taxonomy we hold.
    taxonomy = TaxonomyFactory(name=SCHEME, vocabulary="oldFisCategories")
    TaxonomyTermFactory(taxonomy=taxonomy, name="Holiday clubs", term="HC")
    document = {
        "id": "svc-1",
        "name": "Summer play scheme",
        "status": "active",
        "organization": {"id": "org-1", "name": "Hull Play", "description": "Play schemes"},
        "service_taxonomys": [
            {
                "id": "st-1",
                "taxonomy": {"id": "HC", "name": "Holiday clubs", "vocabulary": "oldFisCategories"},
            }
        ],
    }
    report = import_oruk1(lambda: [document], source_name="old-fis")
    service = m.Service.objects.get(name="Summer play scheme")
    names = set(
        m.Attribute.objects.for_record("service", service.pk).values_list(
            "taxonomy_term__name", flat=True
        )
    )
    assert names == {"Holiday clubs", "Parenting courses"}
    assert report.counts[("legacy term", "mapped")] == 1

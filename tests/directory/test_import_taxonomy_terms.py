"""An import creates the taxonomy terms (and taxonomies) its attributes carry but the portal lacks,
so a portal's own export restores into an empty portal; it never rewrites a term the portal holds,
and a term it cannot create is a named problem (issue 13)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory import models as m
from directory import oruk
from directory.taxonomies.identity import LGA_SERVICE_TYPES, taxonomy_uuid, term_uuid
from publish.services import services_publish
from tests.directory.test_import_export import database_state, service_doc, write_json
from tests.factories import (
    ServiceFactory,
    ServiceTypeAttributeFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)

__all__ = ["service_doc"]  # the fixture, shared with the import/export tests

pytestmark = pytest.mark.django_db

TERM_FIELDS = (
    "id",
    "taxonomy_id",
    "name",
    "description",
    "parent_id",
    "taxonomy_label",
    "term_uri",
    "term",
    "path",
    "depth",
)
DIRECTORY_MODELS = (
    m.Attribute,
    m.ServiceAtLocation,
    m.Service,
    m.Location,
    m.Organization,
    m.TaxonomyTerm,
    m.Taxonomy,
)


def _lga_term(code: str, name: str, parent: m.TaxonomyTerm | None = None) -> m.TaxonomyTerm:
    """A term as load_taxonomies writes it: a stable id, the vocabulary key as its label."""
    return TaxonomyTermFactory(
        id=term_uuid(LGA_SERVICE_TYPES, code),
        taxonomy=m.Taxonomy.objects.get(vocabulary=LGA_SERVICE_TYPES),
        name=name,
        term=code,
        parent=parent,
        taxonomy_label=LGA_SERVICE_TYPES,
        term_uri=f"http://id.esd.org.uk/service/{code}",
    )


def _terms() -> list[dict]:
    return list(m.TaxonomyTerm.objects.order_by("pk").values(*TERM_FIELDS))


def _export(path: Path, *options: str) -> list[str]:
    # Published first: by default export_oruk writes the published snapshots (`--all` renders
    # every service from the records), and both must restore.
    services_publish(service_ids=list(m.Service.objects.values_list("pk", flat=True)))
    call_command("export_oruk", *options, output=str(path))
    return sorted(path.read_text().splitlines())


@pytest.fixture
def tagged_services():
    """Services tagged with LGA service types (a root no service uses, a child and a grandchild
    of it) and with a term of a taxonomy of a partner's own."""
    TaxonomyFactory(
        id=taxonomy_uuid(LGA_SERVICE_TYPES),
        vocabulary=LGA_SERVICE_TYPES,
        name="LGA service types",
        description="The LGA's list of service types.",
    )
    root = _lga_term("function:1", "Adult social care")
    child = _lga_term("242", "Day centres", parent=root)
    grandchild = _lga_term("243", "Lunch clubs", parent=child)
    own = TaxonomyTermFactory(
        taxonomy=TaxonomyFactory(name="Hull needs"), taxonomy_label="Hull needs", name="Loneliness"
    )
    first, second = ServiceFactory(), ServiceFactory()
    ServiceTypeAttributeFactory(service=first, taxonomy_term=grandchild)
    ServiceTypeAttributeFactory(service=first, taxonomy_term=own)
    ServiceTypeAttributeFactory(service=second, taxonomy_term=child)
    return {"root": root, "child": child, "grandchild": grandchild, "own": own}


@pytest.mark.parametrize("options", [(), ("--all",)], ids=["published", "all"])
def test_own_export_imports_into_an_empty_portal(tmp_path, tagged_services, capsys, options):
    out = tmp_path / "export.ndjson"
    exported = _export(out, *options)
    services = list(m.Service.objects.order_by("pk").values_list("pk", "name"))
    attributes = list(
        m.Attribute.objects.order_by("pk").values_list("pk", "link_id", "taxonomy_term_id")
    )
    terms = {row["id"]: row for row in _terms()}
    root = tagged_services["root"]
    for model in DIRECTORY_MODELS:
        model.objects.all().delete()
    capsys.readouterr()

    call_command("import_oruk", str(out))

    output = capsys.readouterr().out
    assert "Imported 2 of 2 records" in output
    assert "3 taxonomy_term created" in output and "2 taxonomy created" in output
    assert "Hull needs" in output and "manage.py load_taxonomies" in output  # what to run next
    assert list(m.Service.objects.order_by("pk").values_list("pk", "name")) == services
    assert (
        list(m.Attribute.objects.order_by("pk").values_list("pk", "link_id", "taxonomy_term_id"))
        == attributes
    )
    # Every term a service uses is back as it was, in the same place in the tree; the root no
    # service uses is not in the export, so its child keeps the parent's id and waits as a root.
    restored = {row["id"]: row for row in _terms()}
    assert restored.keys() == terms.keys() - {root.pk}
    for pk, row in restored.items():
        expected = terms[pk]
        if expected["parent_id"] == root.pk:
            expected = {**expected, "path": pk.hex, "depth": 0}
        elif expected["parent_id"] is not None:
            expected = {**expected, "path": expected["path"][len(root.pk.hex) :], "depth": 1}
        assert row == expected
    lga = m.Taxonomy.objects.get(pk=taxonomy_uuid(LGA_SERVICE_TYPES))
    assert lga.vocabulary == LGA_SERVICE_TYPES  # loaders and the ORUK 1.0 import find it
    own = m.Taxonomy.objects.get(pk=tagged_services["own"].taxonomy_id)
    assert (own.name, own.vocabulary) == ("Hull needs", "")
    assert _export(tmp_path / "again.ndjson", *options) == exported


def test_a_term_that_arrives_later_takes_its_waiting_children_under_it(
    tmp_path, tagged_services, service_doc
):
    out = tmp_path / "export.ndjson"
    _export(out)
    root, child, grandchild = (tagged_services[k] for k in ("root", "child", "grandchild"))
    root_document = oruk.taxonomy_term_document(root)
    for model in DIRECTORY_MODELS:
        model.objects.all().delete()
    call_command("import_oruk", str(out))
    later = service_doc("later")
    later["attributes"] = [{"id": str(uuid.uuid4()), "taxonomy_term": root_document}]

    oruk.import_document(later)

    paths = dict(m.TaxonomyTerm.objects.values_list("pk", "path"))
    assert paths[root.pk] == root.pk.hex
    assert paths[child.pk] == root.pk.hex + child.pk.hex
    assert paths[grandchild.pk] == root.pk.hex + child.pk.hex + grandchild.pk.hex
    assert m.TaxonomyTerm.objects.get(pk=grandchild.pk).depth == 2


def test_rerunning_the_import_changes_nothing(tmp_path, tagged_services, capsys):
    out = tmp_path / "export.ndjson"
    _export(out)
    for model in DIRECTORY_MODELS:
        model.objects.all().delete()
    call_command("import_oruk", str(out))
    before = database_state()
    taxonomies = list(m.Taxonomy.objects.order_by("pk").values())
    terms = list(m.TaxonomyTerm.objects.order_by("pk").values())
    changes = m.Metadata.objects.count()
    capsys.readouterr()

    call_command("import_oruk", str(out))

    summary = capsys.readouterr().out
    assert "Imported 2 of 2 records" in summary
    assert "created" not in summary and "updated" not in summary and "deleted" not in summary
    assert "2 service unchanged" in summary and "3 attribute unchanged" in summary
    assert "load_taxonomies" not in summary  # no taxonomy was created this time
    assert m.Metadata.objects.count() == changes
    assert database_state() == before
    assert list(m.Taxonomy.objects.order_by("pk").values()) == taxonomies
    assert list(m.TaxonomyTerm.objects.order_by("pk").values()) == terms


def test_a_term_the_portal_holds_is_not_rewritten_by_an_import(tagged_services, service_doc):
    term = tagged_services["child"]
    before = list(m.TaxonomyTerm.objects.filter(pk=term.pk).values())
    doc = service_doc("a")
    doc["attributes"][0]["taxonomy_term"] = {
        **oruk.taxonomy_term_document(term),
        "name": "Renamed elsewhere",
        "description": "Another portal's wording",
        "parent_id": str(uuid.uuid4()),
    }

    report = oruk.import_document(doc)

    assert ("taxonomy_term", "updated") not in report.counts
    assert list(m.TaxonomyTerm.objects.filter(pk=term.pk).values()) == before
    assert not m.Metadata.objects.filter(resource_id=term.pk).exists()
    assert m.Attribute.objects.get(link_id=doc["id"]).taxonomy_term_id == term.pk


def test_a_term_the_document_only_names_is_a_problem_and_nothing_is_written(
    tmp_path, service_doc, capsys
):
    good = service_doc("good")  # would create its term and service
    missing = uuid.uuid4()
    named_only = service_doc("named")
    named_only["attributes"] = [{"id": str(uuid.uuid4()), "taxonomy_term_id": str(missing)}]
    source = write_json(tmp_path / "terms.json", [good, named_only])

    with pytest.raises(CommandError, match="Nothing was imported: 1 problems in 1 of 2"):
        call_command("import_oruk", str(source))

    assert (
        f"{named_only['id']}\tattributes/0/taxonomy_term_id\ttaxonomy term {missing} is not in the "
        "portal and the document does not describe it: load its taxonomy first "
        "(manage.py load_taxonomies)"
    ) in capsys.readouterr().err
    for model in (*DIRECTORY_MODELS, m.Metadata):
        assert not model.objects.exists(), model


def test_a_new_term_of_a_taxonomy_the_document_does_not_describe_is_a_problem(service_doc):
    doc = service_doc("a")
    term = doc["attributes"][0]["taxonomy_term"]
    taxonomy_id = uuid.uuid4()
    term["taxonomy_id"] = str(taxonomy_id)
    del term["taxonomy"]  # the taxonomy's name: without it, there is nothing to create it from

    with pytest.raises(oruk.ImportFailed) as failed:
        oruk.import_document(doc)

    [problem] = failed.value.report.problems
    assert (problem.record_id, problem.path) == (
        doc["id"],
        "attributes/0/taxonomy_term/taxonomy_id",
    )
    assert problem.message == (
        f"taxonomy {taxonomy_id} of taxonomy term {term['id']} is not in the portal and the "
        "document does not describe it (it gives no `taxonomy` name): load the taxonomy first "
        "(manage.py load_taxonomies)"
    )
    assert not m.Service.objects.exists() and not m.TaxonomyTerm.objects.exists()
    assert not m.Taxonomy.objects.exists()


def test_a_new_term_of_a_known_taxonomy_joins_it_and_its_parent(tagged_services, service_doc):
    parent = tagged_services["child"]
    doc = service_doc("a")
    new_id = uuid.uuid4()
    doc["attributes"][0]["taxonomy_term"] = {
        "id": str(new_id),
        "name": "Men's sheds",
        "description": "Men's sheds",
        "parent_id": str(parent.pk),
        "taxonomy_id": str(parent.taxonomy_id),
        "taxonomy": "not the taxonomy's name",
        "term": "999",
    }
    taxonomy = list(m.Taxonomy.objects.filter(pk=parent.taxonomy_id).values())

    report = oruk.import_document(doc)

    term = m.TaxonomyTerm.objects.get(pk=new_id)
    assert (term.taxonomy_id, term.parent_id) == (parent.taxonomy_id, parent.pk)
    assert (term.path, term.depth) == (parent.path + new_id.hex, parent.depth + 1)
    assert report.counts[("taxonomy_term", "created")] == 1
    assert ("taxonomy", "created") not in report.counts
    assert list(m.Taxonomy.objects.filter(pk=parent.taxonomy_id).values()) == taxonomy
    entry = m.Metadata.objects.get(resource_id=new_id)
    assert (entry.resource_type, entry.last_action_type) == ("taxonomy_term", "create")


def test_two_new_terms_with_one_code_in_one_taxonomy_are_a_problem(service_doc):
    doc = service_doc("a")
    taxonomy_id = str(uuid.uuid4())
    term = {
        "name": "Food banks",
        "description": "Food banks",
        "taxonomy_id": taxonomy_id,
        "taxonomy": "Needs",
        "term": "F1",
    }
    doc["attributes"] = [
        {"id": str(uuid.uuid4()), "taxonomy_term": {**term, "id": str(uuid.uuid4())}}
        for _ in range(2)
    ]

    with pytest.raises(oruk.ImportFailed) as failed:
        oruk.import_document(doc)

    [problem] = failed.value.report.problems
    assert problem.path == "attributes/1/taxonomy_term/term"
    assert "F1 is also the code of taxonomy term" in problem.message
    assert not m.TaxonomyTerm.objects.exists()


def test_an_hsds_taxonomy_detail_describes_the_taxonomy_to_create(service_doc):
    doc = service_doc("a")
    term = doc["attributes"][0]["taxonomy_term"]
    taxonomy_id = str(uuid.uuid4())
    term["taxonomy_id"] = taxonomy_id
    term["taxonomy_detail"] = {
        "id": taxonomy_id,
        "name": "Open Eligibility",
        "description": "The Open Eligibility project's taxonomy.",
        "uri": "https://openeligibility.org/",
        "version": "2",
    }

    oruk.import_document(doc)

    taxonomy = m.Taxonomy.objects.get(pk=taxonomy_id)
    assert (taxonomy.name, taxonomy.uri, taxonomy.version) == (
        "Open Eligibility",
        "https://openeligibility.org/",
        "2",
    )
    assert m.TaxonomyTerm.objects.get(pk=term["id"]).taxonomy_id == taxonomy.pk


def test_a_new_term_described_twice_is_created_once(service_doc):
    first, second = service_doc("a"), service_doc("b")
    second["attributes"][0]["taxonomy_term"] = first["attributes"][0]["taxonomy_term"]

    report = oruk.import_documents(lambda: [first, second])

    assert report.counts[("taxonomy_term", "created")] == 1
    assert (
        m.Attribute.objects.filter(
            taxonomy_term_id=first["attributes"][0]["taxonomy_term"]["id"]
        ).count()
        == 2
    )


def test_a_new_term_met_before_its_new_parent_ends_up_under_it(service_doc):
    doc = service_doc("a")
    parent_id, child_id = uuid.uuid4(), uuid.uuid4()
    parent = {"id": str(parent_id), "name": "Health", "description": "Health"}
    child = {**parent, "id": str(child_id), "name": "Dentists", "parent_id": str(parent_id)}
    doc["attributes"] = [
        {"id": str(uuid.uuid4()), "taxonomy_term": term} for term in (child, parent)
    ]

    oruk.import_document(doc)

    term = m.TaxonomyTerm.objects.get(pk=child_id)
    assert (term.path, term.depth) == (parent_id.hex + child_id.hex, 1)

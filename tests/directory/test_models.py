"""Record invariants: enumerations and ranges as constraints, trees, last_modified."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from directory import models as m
from tests.factories import ScheduleFactory, ServiceFactory, TaxonomyTermFactory


@pytest.mark.django_db
def test_status_outside_the_standard_is_refused_by_the_database():
    service = ServiceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Service.objects.filter(pk=service.pk).update(status="open")


@pytest.mark.django_db
def test_age_range_must_be_ordered():
    service = ServiceFactory.build(minimum_age=40, maximum_age=18)
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert "maximum_age" in error.value.message_dict


@pytest.mark.django_db
def test_byday_accepts_rfc5545_codes_only():
    ScheduleFactory.build(byday="MO,2WE,-1FR", service=ServiceFactory()).full_clean()
    with pytest.raises(ValidationError) as error:
        ScheduleFactory.build(byday="Monday", service=ServiceFactory()).full_clean()
    assert "RFC 5545" in str(error.value)


@pytest.mark.django_db
def test_saving_a_service_moves_last_modified_unless_told_not_to():
    service = ServiceFactory()
    first = service.last_modified
    service.save()
    assert service.last_modified > first
    kept = service.last_modified
    service.name = "Imported name"
    service.save(touch=False)
    service.refresh_from_db()
    assert service.last_modified == kept


@pytest.mark.django_db
def test_terms_form_a_tree_with_cheap_subtree_queries():
    root = TaxonomyTermFactory(name="Health and social care")
    child = TaxonomyTermFactory(name="Adult social care", parent=root, taxonomy=root.taxonomy)
    grandchild = TaxonomyTermFactory(name="Care at home", parent=child, taxonomy=root.taxonomy)
    other = TaxonomyTermFactory(name="Housing", taxonomy=root.taxonomy)

    assert grandchild.depth == 2
    assert set(m.TaxonomyTerm.objects.descendants_of(root)) == {root, child, grandchild}
    assert list(grandchild.ancestors()) == [root, child]
    assert other not in m.TaxonomyTerm.objects.descendants_of(root)

    child.parent = other
    child.save()
    grandchild.refresh_from_db()
    assert set(m.TaxonomyTerm.objects.descendants_of(other)) == {other, child, grandchild}
    assert grandchild.path.startswith(other.path)


@pytest.mark.django_db
def test_a_term_cannot_sit_under_its_own_descendant():
    root = TaxonomyTermFactory()
    child = TaxonomyTermFactory(parent=root, taxonomy=root.taxonomy)
    root.parent = child
    with pytest.raises(ValidationError):
        root.save()


@pytest.mark.django_db
def test_rebuild_paths_fixes_bulk_created_trees():
    taxonomy = TaxonomyTermFactory().taxonomy
    parent = m.TaxonomyTerm(taxonomy=taxonomy, name="Parent", description="p")
    child = m.TaxonomyTerm(taxonomy=taxonomy, name="Child", description="c", parent=parent)
    m.TaxonomyTerm.objects.bulk_create([child, parent])  # bulk_create skips save()
    assert m.TaxonomyTerm.rebuild_paths() >= 2
    child.refresh_from_db()
    assert child.depth == 1 and child.path == parent.id.hex + child.id.hex

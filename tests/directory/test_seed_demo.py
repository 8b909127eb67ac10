from __future__ import annotations

import hashlib
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q

from directory.demo import content, seed
from directory.demo.places import HULL, NATIONAL
from directory.demo.seed import MODELS, seed_demo
from directory.demo.service_types import SERVICE_TYPES
from directory.models import (
    Attribute,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    TermMapping,
)
from directory.taxonomies.identity import (
    LGA_SERVICE_TYPES,
    lga_service_type_uri,
    taxonomy_uuid,
    term_uuid,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)
# Kingston upon Hull's extent, with a margin.
HULL_LATITUDES = (53.68, 53.83)
HULL_LONGITUDES = (-0.47, -0.20)


def _seed(**kwargs):
    return seed_demo(**{"services": 40, "seed": 3, "today": TODAY, **kwargs})


def _digest() -> str:
    """A hash of every demo row's id and fields, leaving out the timestamps of the run."""
    digest = hashlib.sha256()
    for model in (Taxonomy, TaxonomyTerm, *MODELS):
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in ("created_at", "updated_at")
        ]
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _clear() -> None:
    # Plain DELETEs, children first: the ORM's cascade would also visit other apps' tables.
    with connection.cursor() as cursor:
        for model in reversed(MODELS):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def test_small_seed_creates_expected_counts():
    report = _seed()

    assert Service.objects.count() == 40
    assert Organization.objects.count() == 8  # one for every five services
    assert Organization.objects.annotate(n=Count("services")).filter(n=0).count() == 0
    for model in MODELS:
        label = "funding" if model.__name__ == "Funding" else model._meta.verbose_name_plural
        assert report.counts[label] == model.objects.count(), model.__name__
    assert report.counts["taxonomy terms"] == len(SERVICE_TYPES)
    assert "Kingston upon Hull" in report.summary()


def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    _seed()
    first = _digest()
    _clear()
    _seed()
    assert _digest() == first

    _clear()
    _seed(seed=4)
    assert _digest() != first


def test_rerunning_the_same_seed_updates_rows_in_place():
    _seed()
    before = {model: model.objects.count() for model in MODELS}
    digest = _digest()

    _seed()

    assert {model: model.objects.count() for model in MODELS} == before
    assert _digest() == digest


def test_batches_share_out_organisations(monkeypatch):
    monkeypatch.setattr(seed, "BATCH_SIZE", 7)

    _seed(services=33)

    assert Service.objects.count() == 33
    assert Organization.objects.count() == 7
    assert not Organization.objects.annotate(n=Count("services")).filter(n=0).exists()


def test_every_service_is_complete_and_in_hull():
    _seed()
    lga_terms = set(
        TaxonomyTerm.objects.filter(taxonomy_id=taxonomy_uuid(LGA_SERVICE_TYPES)).values_list(
            "id", flat=True
        )
    )
    types_by_service: dict = {}
    for link_id, term_id in Attribute.objects.filter(link_entity="service").values_list(
        "link_id", "taxonomy_term_id"
    ):
        types_by_service.setdefault(link_id, set()).add(term_id)

    services = Service.objects.prefetch_related(
        "service_at_locations__location__addresses",
        "service_at_locations__schedules",
        "schedules",
        "service_areas",
        "contacts__phones",
        "languages",
        "cost_options",
    )
    for service in services:
        assert service.organization_id is not None
        assert 1 <= len(types_by_service[service.id]) <= 2
        assert types_by_service[service.id] <= lga_terms
        assert service.service_at_locations.all()
        for sal in service.service_at_locations.all():
            location = sal.location
            assert location.local_authority_code == HULL.code
            assert HULL_LATITUDES[0] < location.latitude < HULL_LATITUDES[1]
            assert HULL_LONGITUDES[0] < location.longitude < HULL_LONGITUDES[1]
            assert location.addresses.all()[0].postal_code.startswith("HU")
        schedules = [*service.schedules.all()] + [
            s for sal in service.service_at_locations.all() for s in sal.schedules.all()
        ]
        assert schedules
        assert [a.local_authority_code for a in service.service_areas.all()] == [HULL.code]
        assert all(contact.phones.all() for contact in service.contacts.all())
        assert "en" in {language.code for language in service.languages.all()}
        assert service.cost_options.all()


def test_statuses_dates_and_schedules_are_spread():
    _seed(services=150)  # enough that every kind of value turns up whatever the seed
    services = Service.objects.all()

    statuses = set(services.values_list("status", flat=True))
    assert ServiceStatus.ACTIVE in statuses
    assert len(statuses) >= 3
    three_months_ago = TODAY - timedelta(days=90)
    recent = services.filter(assured_date__gte=three_months_ago).count()
    overdue = services.filter(assured_date__lt=three_months_ago).count()
    assert recent > overdue > 0
    assert services.filter(assured_date__isnull=True).exists()
    assert not services.filter(assured_date__gt=TODAY).exists()
    modified = sorted(services.values_list("last_modified", flat=True))
    assert (modified[-1] - modified[0]).days > 180
    assert modified[-1].date() <= TODAY
    schedules = Schedule.objects.all()
    assert schedules.filter(freq="MONTHLY").exists()
    assert schedules.filter(freq="WEEKLY", interval=2, dtstart__isnull=False).exists()
    assert schedules.filter(Q(freq="WEEKLY") & Q(interval__isnull=True)).exists()


def test_service_types_use_the_stable_ids_of_the_full_loader():
    _seed(services=5)

    taxonomy = Taxonomy.objects.get(vocabulary=LGA_SERVICE_TYPES)
    assert taxonomy.id == taxonomy_uuid(LGA_SERVICE_TYPES)
    foodbanks = TaxonomyTerm.objects.get(term="1818")
    assert foodbanks.id == term_uuid(LGA_SERVICE_TYPES, "1818")
    assert foodbanks.term_uri == lga_service_type_uri(1818)
    assert foodbanks.path == foodbanks.id.hex
    assert TermMapping.objects.exists()  # the demo needs were loaded against them


def test_seeded_records_pass_full_clean():
    _seed()
    for model in (Taxonomy, TaxonomyTerm, *MODELS):
        rows = list(model.objects.order_by("pk")[:10])
        assert rows, model.__name__
        for row in rows:
            row.full_clean()


def test_command_seeds_and_if_empty_does_nothing_on_a_seeded_directory():
    out = StringIO()
    call_command("seed_demo", "--services", "10", "--if-empty", stdout=out)
    assert Service.objects.count() == 10
    assert "services" in out.getvalue()
    digest = _digest()

    out = StringIO()
    call_command("seed_demo", "--services", "10", "--seed", "9", "--if-empty", stdout=out)

    assert Service.objects.count() == 10
    assert _digest() == digest
    assert "nothing was seeded" in out.getvalue()


def test_national_seed_spreads_locations_across_places(monkeypatch):
    monkeypatch.setattr(seed, "NATIONAL", NATIONAL[:4])
    monkeypatch.setattr(seed, "POSTCODES_PER_PLACE", 20)

    seed_demo(services=60, seed=2, national=True, today=TODAY)

    codes = set(Location.objects.values_list("local_authority_code", flat=True))
    assert len(codes) >= 3
    assert codes <= {place.code for place in NATIONAL[:4]}
    for service in Service.objects.prefetch_related(
        "service_areas", "service_at_locations__location"
    ):
        area_codes = {area.local_authority_code for area in service.service_areas.all()}
        location_codes = {
            sal.location.local_authority_code for sal in service.service_at_locations.all()
        }
        assert location_codes == area_codes


def test_demo_content_is_consistent():
    codes = [code for code, _ in SERVICE_TYPES]
    assert 30 <= len(codes) <= 50
    assert len(set(codes)) == len(codes)
    used = {code for kind in content.SERVICE_KINDS for code in kind.types}
    assert used <= set(codes)
    reachable = {key for theme in content.THEMES for key in theme.kinds}
    reachable |= {key for *_, extra in content.COUNCIL_DEPARTMENTS for key in extra}
    assert reachable == set(content.KINDS_BY_KEY)
    for kind in content.SERVICE_KINDS:
        for minimum, maximum in kind.ages:
            assert minimum is None or maximum is None or minimum <= maximum
        assert kind.cost != "charged" or kind.key in content.CHARGES

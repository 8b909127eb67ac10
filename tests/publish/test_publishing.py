"""Publishing is a step: snapshots follow assurance, status and hiding, not every edit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from directory import models as m
from directory import oruk
from publish.models import PublishedOrganization, PublishedService, PublishedServiceTerm
from publish.services import service_hide, service_show, snapshots_rebuild
from tests.factories import ServiceFactory


def published_document(service) -> dict:
    return json.loads(PublishedService.objects.get(pk=service.pk).document)


def test_only_publishable_services_have_snapshots(world):
    expected = {"lunch", "youth", "debt", "closed", "stale"}  # stale: the feed policy hides it
    assert set(PublishedService.objects.values_list("pk", flat=True)) == {
        world.services[n].pk for n in expected
    }


def test_snapshot_is_the_mapping_document(world):
    lunch = world.services["lunch"]
    assert published_document(lunch) == oruk.service_document(lunch)


def test_term_rows_include_every_ancestor(world):
    rows = set(
        PublishedServiceTerm.objects.filter(snapshot=world.services["lunch"].pk).values_list(
            "term_id", flat=True
        )
    )
    assert rows == {world.terms["befriending"].pk, world.terms["social"].pk}


def test_edits_in_progress_do_not_reach_the_feed(world, django_capture_on_commit_callbacks):
    lunch = world.services["lunch"]
    with django_capture_on_commit_callbacks(execute=True):
        lunch.description = "Draft wording nobody has checked"
        lunch.save()
    assert published_document(lunch)["description"].startswith("A friendly weekly lunch")


def test_reassurance_republishes_in_a_task(world, django_capture_on_commit_callbacks):
    lunch = world.services["lunch"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lunch.description = "Checked new wording"
        lunch.assured_date = timezone.localdate()
        lunch.save()
    assert callbacks, "publishing is queued on commit"
    assert published_document(lunch)["description"] == "Checked new wording"


def test_a_service_that_stops_being_publishable_leaves_the_feed_at_once(world):
    lunch = world.services["lunch"]
    lunch.status = m.ServiceStatus.DEFUNCT
    lunch.save()  # no on-commit callbacks run here: the removal is not queued
    assert not PublishedService.objects.filter(pk=lunch.pk).exists()


def test_hiding_removes_the_snapshot_at_once_and_showing_restores_it(world, admin_user):
    lunch = world.services["lunch"]
    service_hide(service=lunch, actor=admin_user, reason="Reported as closed")
    assert not PublishedService.objects.filter(pk=lunch.pk).exists()
    assert service_show(service=lunch, actor=admin_user)
    assert PublishedService.objects.filter(pk=lunch.pk).exists()


def test_organisation_snapshot_goes_with_its_last_service(world):
    youth_org = world.organizations["youth"]
    assert PublishedOrganization.objects.filter(pk=youth_org.pk).exists()
    for name in ("youth", "closed"):
        service = world.services[name]
        service.status = m.ServiceStatus.INACTIVE
        service.save()
    assert not PublishedOrganization.objects.filter(pk=youth_org.pk).exists()


def test_rebuild_republishes_everything_and_drops_what_is_no_longer_publishable(world):
    m.Service.objects.filter(pk=world.services["debt"].pk).update(assured_date=None)
    m.Service.objects.filter(pk=world.services["never"].pk).update(assured_date=dt.date.today())
    result = snapshots_rebuild(batch_size=3)
    published = set(PublishedService.objects.values_list("pk", flat=True))
    assert world.services["never"].pk in published
    assert world.services["debt"].pk not in published
    assert result.published == len(published)


def test_rebuild_command_reports_its_counts(world, capsys):
    call_command("rebuild_snapshots")
    assert "Published 5 services, removed 0 snapshots" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_import_publishes_what_it_brings(django_capture_on_commit_callbacks):
    service = ServiceFactory.build(assured_date=dt.date.today())
    document = {
        "id": str(service.pk),
        "name": "Imported lunch club",
        "status": "active",
        "assured_date": dt.date.today().isoformat(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        oruk.import_document(document)
    assert PublishedService.objects.filter(pk=service.pk).exists()


def _rich_services(count: int) -> list:
    """Services with a location, sessions and a term each, across two organisations."""
    from tests.factories import (
        OrganizationFactory,
        ScheduleFactory,
        ServiceAtLocationFactory,
        TaxonomyTermFactory,
    )

    organizations = OrganizationFactory.create_batch(2)
    term = TaxonomyTermFactory()
    services = []
    for n in range(count):
        service = ServiceFactory(organization=organizations[n % 2])
        ServiceAtLocationFactory(service=service)
        ScheduleFactory(service=service)
        m.Attribute.objects.create(
            link_entity=m.LinkEntity.SERVICE, link_id=service.pk, taxonomy_term=term
        )
        services.append(service)
    return services


@pytest.mark.django_db
def test_a_publish_batch_costs_the_same_queries_whatever_its_size():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from publish.services import services_publish

    few, many = _rich_services(2), _rich_services(12)
    # The first publish also looks up what is then cached for the process.
    services_publish(service_ids=[s.pk for s in _rich_services(1)])
    counts = []
    for services in (few, many):
        with CaptureQueriesContext(connection) as queries:
            result = services_publish(service_ids=[s.pk for s in services])
        assert result.published == len(services)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts

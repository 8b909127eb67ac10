"""A small published world: services that differ in every way the API filters on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.utils import timezone

from directory import models as m
from directory.geo import lookup_postcode
from publish.models import HiddenService
from publish.services import services_publish
from tests.factories import (
    AddressFactory,
    LocationFactory,
    OrganizationFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Feed settings are cached by feed version, which restarts with every test's database."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    services: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)
    organizations: dict = field(default_factory=dict)
    taxonomy: m.Taxonomy | None = None
    other_taxonomy: m.Taxonomy | None = None

    def ids(self, *names: str) -> set[str]:
        return {str(self.services[n].pk) for n in names}


PUBLISHED = {"lunch", "youth", "debt", "closed"}


def _located(service: m.Service, postcode: str) -> m.ServiceAtLocation:
    point = lookup_postcode(postcode)
    location = LocationFactory(
        latitude=point.latitude,
        longitude=point.longitude,
        local_authority_code=point.local_authority_code,
    )
    AddressFactory(location=location, postal_code=postcode)
    return ServiceAtLocationFactory(service=service, location=location)


def _tag(service: m.Service, term: m.TaxonomyTerm) -> None:
    m.Attribute.objects.create(
        link_entity=m.LinkEntity.SERVICE, link_id=service.pk, taxonomy_term=term
    )


@pytest.fixture
def world(db) -> World:
    w = World()
    today = timezone.localdate()
    w.taxonomy = TaxonomyFactory(name="Service types")
    w.other_taxonomy = TaxonomyFactory(name="Activities")
    social = TaxonomyTermFactory(taxonomy=w.taxonomy, name="Social care")
    befriending = TaxonomyTermFactory(taxonomy=w.taxonomy, name="Befriending", parent=social)
    leisure = TaxonomyTermFactory(taxonomy=w.taxonomy, name="Leisure")
    advice = TaxonomyTermFactory(taxonomy=w.taxonomy, name="Debt advice")
    football = TaxonomyTermFactory(taxonomy=w.other_taxonomy, name="Football")
    w.terms = dict(
        social=social, befriending=befriending, leisure=leisure, advice=advice, football=football
    )
    age_uk = OrganizationFactory(name="Older Friends Hull", description="Charity for older people")
    youth_org = OrganizationFactory(name="Hull Youth Trust")
    w.organizations = {"older": age_uk, "youth": youth_org}

    lunch = ServiceFactory(
        organization=age_uk,
        name="Lunch club",
        description="A friendly weekly lunch for older people who feel lonely",
        minimum_age=60,
        maximum_age=None,
        assured_date=today - dt.timedelta(days=10),
    )
    _tag(lunch, befriending)
    _located(lunch, "HU1 1AA")
    ScheduleFactory(service=lunch, byday="TU", opens_at=dt.time(10), closes_at=dt.time(12))
    m.ServiceArea.objects.create(service=lunch, name="Hull", local_authority_code="E06000010")

    youth = ServiceFactory(
        organization=youth_org,
        name="Youth football club",
        description="Football coaching and a safe space for teenagers",
        minimum_age=11,
        maximum_age=19,
        assured_date=today - dt.timedelta(days=40),
    )
    _tag(youth, leisure)
    _tag(youth, football)
    _located(youth, "HU5 3QA")
    ScheduleFactory(service=youth, byday="WE,FR", opens_at=dt.time(18), closes_at=dt.time(20))

    debt = ServiceFactory(
        organization=age_uk,
        name="Money and debt advice",
        description="Free confidential help with debts and benefits",
        minimum_age=18,
        maximum_age=None,
        assured_date=today - dt.timedelta(days=100),
    )
    _tag(debt, advice)
    _located(debt, "LS1 1UR")
    m.ServiceArea.objects.create(service=debt, name="Leeds", local_authority_code="E08000035")

    closed = ServiceFactory(
        organization=youth_org,
        name="Holiday play scheme",
        description="Summer activities",
        status=m.ServiceStatus.TEMPORARILY_CLOSED,
        minimum_age=5,
        maximum_age=11,
        assured_date=today - dt.timedelta(days=200),
    )
    never = ServiceFactory(organization=age_uk, name="Unchecked lunch", assured_date=None)
    defunct = ServiceFactory(
        organization=age_uk, name="Old lunch club", status=m.ServiceStatus.DEFUNCT
    )
    stale = ServiceFactory(
        organization=age_uk, name="Stale lunch club", assured_date=today - dt.timedelta(days=800)
    )
    hidden = ServiceFactory(organization=youth_org, name="Hidden youth club")
    HiddenService.objects.create(service=hidden, reason="Safeguarding concern")
    for s in (never, defunct, stale, hidden):
        _tag(s, befriending)
        _located(s, "HU1 1AA")

    w.services = dict(
        lunch=lunch, youth=youth, debt=debt, closed=closed, never=never, defunct=defunct,
        stale=stale, hidden=hidden,
    )  # fmt: skip
    services_publish(service_ids=[s.pk for s in w.services.values()])
    return w

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from directory import models as m


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = m.Organization

    name = factory.Sequence(lambda n: f"Community Trust {n}")
    description = "A local charity running community services."
    email = factory.Sequence(lambda n: f"hello{n}@example.org")
    website = "https://example.org/"


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = m.Service

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Lunch club {n}")
    description = "A weekly lunch club for older people."
    status = m.ServiceStatus.ACTIVE
    minimum_age = 60
    assured_date = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = m.Location

    location_type = m.LocationType.PHYSICAL
    name = factory.Sequence(lambda n: f"Community Centre {n}")
    latitude = 53.7443
    longitude = -0.3326


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = m.Address

    location = factory.SubFactory(LocationFactory)
    address_1 = "1 High Street"
    city = "Hull"
    state_province = "England"
    postal_code = "HU1 1AA"
    country = "GB"
    address_type = m.LocationType.PHYSICAL


class ServiceAtLocationFactory(DjangoModelFactory):
    class Meta:
        model = m.ServiceAtLocation

    service = factory.SubFactory(ServiceFactory)
    location = factory.SubFactory(LocationFactory)


class ScheduleFactory(DjangoModelFactory):
    class Meta:
        model = m.Schedule

    service = factory.SubFactory(ServiceFactory)
    freq = m.Frequency.WEEKLY
    byday = "TU,TH"
    opens_at = dt.time(10, 0)
    closes_at = dt.time(12, 0)
    description = "Tuesdays and Thursdays, 10am to 12pm"


class TaxonomyFactory(DjangoModelFactory):
    class Meta:
        model = m.Taxonomy

    name = factory.Sequence(lambda n: f"Taxonomy {n}")
    description = "A test vocabulary"


class TaxonomyTermFactory(DjangoModelFactory):
    class Meta:
        model = m.TaxonomyTerm

    taxonomy = factory.SubFactory(TaxonomyFactory)
    name = factory.Sequence(lambda n: f"Term {n}")
    description = factory.LazyAttribute(lambda o: o.name)
    term = factory.Sequence(lambda n: str(1000 + n))

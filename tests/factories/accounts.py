from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts import models as m
from accounts.services import partner_role_group
from directory.models import Attribute, LinkEntity

from .directory import TaxonomyTermFactory

TEST_PASSWORD = "a-long-test-password-1"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = m.User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.django.Password(TEST_PASSWORD)


class PartnerFactory(DjangoModelFactory):
    """A partner with its four role groups, as partner_create makes it."""

    class Meta:
        model = m.Partner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    kind = m.PartnerKind.CVS

    @factory.post_generation
    def role_groups(self, create: bool, extracted, **kwargs) -> None:
        if create:
            for role in m.Role.values:
                partner_role_group(partner=self, role=role)

    @factory.post_generation
    def organizations(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.organizations.set(extracted)


class MembershipFactory(DjangoModelFactory):
    """A membership with the person in the role's group, as membership_add makes it."""

    class Meta:
        model = m.Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = m.Role.ASSURER

    @factory.post_generation
    def join_group(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.user.groups.add(partner_role_group(partner=self.partner, role=self.role))


class AllocationRuleFactory(DjangoModelFactory):
    class Meta:
        model = m.AllocationRule

    partner = factory.SubFactory(PartnerFactory)
    kind = m.RuleKind.SERVICE_TYPE
    taxonomy_term = factory.SubFactory(TaxonomyTermFactory)
    position = factory.Sequence(lambda n: (n + 1) * 10)


class ServiceTypeAttributeFactory(DjangoModelFactory):
    """Tags a service with a taxonomy term (its service type)."""

    class Meta:
        model = Attribute

    link_entity = LinkEntity.SERVICE
    link_id = factory.LazyAttribute(lambda o: o.service.pk)
    taxonomy_term = factory.SubFactory(TaxonomyTermFactory)

    class Params:
        service = None

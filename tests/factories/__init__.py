from .accounts import (
    TEST_PASSWORD,
    AllocationRuleFactory,
    MembershipFactory,
    PartnerFactory,
    ServiceTypeAttributeFactory,
    UserFactory,
)
from .directory import (
    AddressFactory,
    LocationFactory,
    OrganizationFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)

__all__ = [
    "TEST_PASSWORD",
    "AddressFactory",
    "AllocationRuleFactory",
    "LocationFactory",
    "MembershipFactory",
    "OrganizationFactory",
    "PartnerFactory",
    "ScheduleFactory",
    "ServiceAtLocationFactory",
    "ServiceFactory",
    "ServiceTypeAttributeFactory",
    "TaxonomyFactory",
    "TaxonomyTermFactory",
    "UserFactory",
]

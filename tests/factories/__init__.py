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
    "AddressFactory",
    "LocationFactory",
    "OrganizationFactory",
    "ScheduleFactory",
    "ServiceAtLocationFactory",
    "ServiceFactory",
    "TaxonomyFactory",
    "TaxonomyTermFactory",
]

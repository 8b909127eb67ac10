"""Who may say whether a location's address is confidential (see `directory.oruk.redact`).

A location can be shared by services that different partners assure, so the setting changes what
the open data shows for all of them. The two directions differ in what a mistake costs:

- withholding the address (publishing only the postcode district) protects people and hides
  nothing from staff: any assurer of one service at the location may do it at once, without
  waiting for the other partners;
- publishing the full address again can put someone in danger: only a directory admin, or
  someone who assures every service at the location, may do it.

Answers for many locations cost two queries (`confidential_rights`), whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from accounts.policy import Action, is_directory_admin, objects_user_can
from directory.models import Location, Service, ServiceAtLocation


@dataclass(frozen=True)
class ConfidentialRights:
    may_withhold: bool  # set `is_confidential`
    may_publish: bool  # clear it

    def allows(self, confidential: bool) -> bool:
        return self.may_withhold if confidential else self.may_publish


def services_at(location_ids: Iterable[Any]) -> dict[Any, set[Any]]:
    """The ids of the services delivered at each of these locations (one query)."""
    found: dict[Any, set[Any]] = defaultdict(set)
    pairs = ServiceAtLocation.objects.filter(location_id__in=list(location_ids)).values_list(
        "location_id", "service_id"
    )
    for location_id, service_id in pairs:
        found[location_id].add(service_id)
    return found


def confidential_rights(user: Any, location_ids: Iterable[Any]) -> dict[Any, ConfidentialRights]:
    """What `user` may do to the confidential setting of each location."""
    location_ids = list(location_ids)
    if is_directory_admin(user):
        return {pk: ConfidentialRights(True, True) for pk in location_ids}
    services = services_at(location_ids)
    every_service = {pk for ids in services.values() for pk in ids}
    assurable = (
        set(
            objects_user_can(
                user, Action.ASSURE, Service.objects.filter(pk__in=every_service)
            ).values_list("pk", flat=True)
        )
        if every_service
        else set()
    )
    rights = {}
    for pk in location_ids:
        here = services.get(pk, set())
        rights[pk] = ConfidentialRights(
            may_withhold=bool(here & assurable), may_publish=bool(here) and here <= assurable
        )
    return rights


def may_set_confidential(user: Any, location: Location, confidential: bool) -> bool:
    return confidential_rights(user, [location.pk])[location.pk].allows(confidential)

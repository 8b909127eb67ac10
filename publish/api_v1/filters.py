"""The 1.0 `/services/` parameters, mapped onto the same snapshot columns the v3 filters read.

Each parameter means what its `/api/v3/` counterpart means (README, "For consumers"); where the
ORUK 1.0 reference API (OpenReferralUK/human-services `WebApp/.../controllers/
ServiceController.java` and its repositories) or the 1.0 API page (`pages/API/
APIImplementation.md`) means something else, the v3 meaning wins so that one directory answers one
question one way, and the difference is written here:

- `text`: v3 `search` (every word; full text on PostgreSQL). The reference ranks a MySQL full-text
  match on name and description.
- `taxonomy_id` (+ `vocabulary`): v3 `taxonomy_term_id` for each id, so a term finds services
  tagged with it or with a term below it (an LGA function finds its service types); several ids
  combine with AND, as the reference intersects them. `taxonomy_type` is accepted and checked, but
  our taxonomy terms are all the service's own, so every type searches them.
- `service_type`: the reference extension: any of these LGA service types (OR).
- `need`, `circumstance`: services of any service type our needs-and-circumstances mapping gives
  for any of these terms or the terms below them (OR within each parameter, AND between the
  two, as the reference's `esd_link` lookups do).
- `postcode` + `proximity` (metres): v3, a location within that distance, nearest first.
  `postcode` alone: v3's coverage check (the reference ignores a postcode without a distance).
  `proximity` alone is ignored, as by the reference: the LGA Service Finder sends a distance
  before the person has typed a postcode.
- `coverage` (a postcode): v3 `postcode` alone: a service area covering the postcode's local
  authority, or no service area at all (as the 1.0 API page asks).
- `minimum_age`, `maximum_age`: v3's overlapping ranges (`minimum_age=16` finds services open to
  someone 16 or older; ServiceFinder sends a person's age as both). The reference returns only
  services whose own range lies inside the one asked for (`minimum_age >= ?`,
  `maximum_age <= ?`), so it never finds a service for a person of one given age.
- `day`, `startTime`, `endTime` (or `start_time`, `end_time`): v3 `day`/`start_time`/`end_time`,
  any of several sets (OR, as the reference); a set's hours overlap the service's opening hours
  (the reference wants the opening hours inside the asked-for ones); times alone are allowed (the
  1.0 page's "services after 6pm"). Services with no schedule do not match (the reference
  counts them as always open).
"""

from __future__ import annotations

from django.db import models

from directory.models import TaxonomyTerm, TermMapping
from directory.taxonomies.identity import LGA_CIRCUMSTANCES, LGA_NEEDS, LGA_SERVICE_TYPES
from publish.api.filters import nearest_first
from publish.finder.search import search_snapshots
from publish.models import (
    PublishedSchedule,
    PublishedService,
    PublishedServiceArea,
    PublishedServiceTerm,
)

from .params import ServiceQuery, TimeWindow
from .terms import Vocabularies, resolve


def _tagged(term_ids) -> models.Exists:
    return models.Exists(
        PublishedServiceTerm.objects.filter(snapshot=models.OuterRef("pk"), term_id__in=term_ids)
    )


def filter_services(
    queryset: models.QuerySet[PublishedService], query: ServiceQuery, vocabularies: Vocabularies
) -> models.QuerySet[PublishedService]:
    """Every parameter applied (AND); ordered nearest first, best match first, or by id."""
    if query.text:
        queryset = search_snapshots(queryset, query.text)
    queryset = _by_terms(queryset, query, vocabularies)
    low, high = query.minimum_age, query.maximum_age
    if low is not None:
        queryset = queryset.filter(
            models.Q(maximum_age__isnull=True) | models.Q(maximum_age__gte=low)
        )
    if high is not None:
        queryset = queryset.filter(
            models.Q(minimum_age__isnull=True) | models.Q(minimum_age__lte=high)
        )
    if query.windows:
        queryset = queryset.filter(_open(query.windows))
    for point in (query.coverage, query.postcode if query.proximity is None else None):
        if point is not None:
            areas = PublishedServiceArea.objects.filter(snapshot=models.OuterRef("pk"))
            queryset = queryset.filter(
                models.Exists(areas.filter(local_authority_code=point.local_authority_code))
                | ~models.Exists(areas)
            )
    if query.postcode is not None and query.proximity is not None:
        return nearest_first(queryset, query.postcode, float(query.proximity))
    return queryset if queryset.query.order_by else queryset.order_by("pk")


def _by_terms(queryset, query: ServiceQuery, vocabularies: Vocabularies):
    for value, vocabulary in query.taxonomy:
        queryset = queryset.filter(_tagged(resolve([value], vocabularies, vocabulary)[value]))
    if query.service_types:
        found = resolve(query.service_types, vocabularies, LGA_SERVICE_TYPES)
        queryset = queryset.filter(_tagged(set().union(*found.values())))
    for values, vocabulary in ((query.needs, LGA_NEEDS), (query.circumstances, LGA_CIRCUMSTANCES)):
        if not values:
            continue
        found = set().union(*resolve(values, vocabularies, vocabulary).values())
        paths = TaxonomyTerm.objects.filter(pk__in=found).values_list("path", flat=True)
        below = models.Q(pk__in=[])
        for path in paths:
            below |= models.Q(from_term__path__startswith=path)
        service_types = TermMapping.objects.filter(below).values("service_type_id")
        queryset = queryset.filter(_tagged(service_types))
    return queryset


def _open(windows: list[TimeWindow]) -> models.Exists:
    """Open in any of the windows: on one of its days, with hours overlapping its times."""
    condition = models.Q(pk__in=[])
    for window in windows:
        one = models.Q()
        if window.days:
            one &= models.Q(day__in=window.days)
        if window.start:
            one &= models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=window.start)
        if window.end:
            one &= models.Q(opens_at__isnull=True) | models.Q(opens_at__lt=window.end)
        condition |= one
    return models.Exists(
        PublishedSchedule.objects.filter(condition, snapshot=models.OuterRef("pk"))
    )

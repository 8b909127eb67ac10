"""django-filter sets for the ORUK endpoints: every parameter validated, combined with AND."""

from __future__ import annotations

import math

import django_filters as df
from django.db import models

from directory.geo import PostcodePoint
from directory.models import Taxonomy, TaxonomyTerm
from directory.validators import DAY_CODES
from publish.finder.search import search_snapshots
from publish.models import (
    PublishedOrganization,
    PublishedSchedule,
    PublishedService,
    PublishedServiceArea,
    PublishedServiceAtLocation,
    PublishedServiceTerm,
)

from .params import Iso8601Field, PostcodeField, StrictBooleanField

METRES_PER_DEGREE = 111_320.0


def distance_squared(point: PostcodePoint) -> models.ExpressionWrapper:
    """Squared metres from `point` on a local flat projection: plain arithmetic, so the same SQL
    runs on PostgreSQL and SQLite; within 0.5% of the great-circle distance at 100 km."""
    x_scale = METRES_PER_DEGREE * math.cos(math.radians(point.latitude))
    dy = (models.F("latitude") - point.latitude) * METRES_PER_DEGREE
    dx = (models.F("longitude") - point.longitude) * x_scale
    return models.ExpressionWrapper(dy * dy + dx * dx, output_field=models.FloatField())


def points_within(
    queryset: models.QuerySet, point: PostcodePoint, metres: float
) -> models.QuerySet:
    """Rows of a latitude/longitude model within `metres`, annotated `distance2` (indexed box)."""
    dlat = metres / METRES_PER_DEGREE
    dlon = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(point.latitude)), 0.01))
    return (
        queryset.filter(
            latitude__range=(point.latitude - dlat, point.latitude + dlat),
            longitude__range=(point.longitude - dlon, point.longitude + dlon),
        )
        .annotate(distance2=distance_squared(point))
        .filter(distance2__lte=metres * metres)
    )


class CachedFormFilterSet(df.FilterSet):
    """These filter sets never change per request, so their form class is built once."""

    def get_form_class(self):
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class


class DateTimeParamFilter(df.Filter):
    field_class = Iso8601Field


class PostcodeParamFilter(df.Filter):
    field_class = PostcodeField


class BooleanParamFilter(df.Filter):
    field_class = StrictBooleanField


class ServiceFilter(CachedFormFilterSet):
    """Filters on published services; `postcode`/`proximity` are applied by `located`."""

    search = df.CharFilter(method="filter_search", max_length=200)
    taxonomy_term_id = df.UUIDFilter(method="filter_term")
    taxonomy_id = df.UUIDFilter(method="filter_taxonomy")
    organization_id = df.UUIDFilter(field_name="organization_id")
    modified_after = DateTimeParamFilter(field_name="last_modified", lookup_expr="gte")
    minimum_age = df.NumberFilter(method="filter_minimum_age", min_value=0, max_value=150)
    maximum_age = df.NumberFilter(method="filter_maximum_age", min_value=0, max_value=150)
    day = df.ChoiceFilter(choices=[(d, d) for d in DAY_CODES], method="filter_day")
    start_time = df.TimeFilter(method="filter_hours")
    end_time = df.TimeFilter(method="filter_hours")
    postcode = PostcodeParamFilter(method="filter_located")
    proximity = df.NumberFilter(method="filter_located", min_value=0, max_value=1_000_000)

    class Meta:
        model = PublishedService
        fields: list[str] = []

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        data = self.form.cleaned_data
        if data.get("proximity") is not None and data.get("postcode") is None:
            self.form.add_error("proximity", "needs a postcode to measure from")
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and start >= end:
            self.form.add_error("end_time", "must be later than start_time")
        if (start or end) and not data.get("day"):
            self.form.add_error("day" if not start else "start_time", "needs a day, like MO")
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.form.add_error("maximum_age", "must be at least minimum_age")
        return not self.form.errors

    def filter_search(self, queryset, name, value):
        return search_snapshots(queryset, value)

    def filter_term(self, queryset, name, value):
        # Term rows hold every ancestor, so a term matches services tagged below it too.
        return queryset.filter(
            models.Exists(
                PublishedServiceTerm.objects.filter(snapshot=models.OuterRef("pk"), term_id=value)
            )
        )

    def filter_taxonomy(self, queryset, name, value):
        return queryset.filter(
            models.Exists(
                PublishedServiceTerm.objects.filter(
                    snapshot=models.OuterRef("pk"), taxonomy_id=value
                )
            )
        )

    def filter_minimum_age(self, queryset, name, value):
        # Age bands overlap: the service takes someone at least this old.
        return queryset.filter(
            models.Q(maximum_age__isnull=True) | models.Q(maximum_age__gte=value)
        )

    def filter_maximum_age(self, queryset, name, value):
        return queryset.filter(
            models.Q(minimum_age__isnull=True) | models.Q(minimum_age__lte=value)
        )

    def filter_day(self, queryset, name, value):
        data = self.form.cleaned_data
        days = PublishedSchedule.objects.filter(snapshot=models.OuterRef("pk"), day=value)
        if data.get("start_time"):
            days = days.filter(
                models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=data["start_time"])
            )
        if data.get("end_time"):
            days = days.filter(
                models.Q(opens_at__isnull=True) | models.Q(opens_at__lt=data["end_time"])
            )
        return queryset.filter(models.Exists(days))

    def filter_hours(self, queryset, name, value):
        return queryset  # applied with `day`

    def filter_located(self, queryset, name, value):
        return queryset  # applied by `located`, which also orders

    def located(self, queryset: models.QuerySet) -> models.QuerySet:
        """Services near the postcode (ordered by distance) or covering it (see README)."""
        data = self.form.cleaned_data
        point, metres = data.get("postcode"), data.get("proximity")
        if point is None:
            return queryset
        if metres is not None:
            return nearest_first(queryset, point, float(metres))
        areas = PublishedServiceArea.objects.filter(snapshot=models.OuterRef("pk"))
        return queryset.filter(
            models.Exists(areas.filter(local_authority_code=point.local_authority_code))
            | ~models.Exists(areas)
        )


class OrganizationFilter(CachedFormFilterSet):
    search = df.CharFilter(method="filter_search", max_length=200)

    class Meta:
        model = PublishedOrganization
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        condition = models.Q()
        for word in value.split():
            condition &= models.Q(name__icontains=word) | models.Q(description__icontains=word)
        return queryset.filter(condition)


class TaxonomyFilter(CachedFormFilterSet):
    search = df.CharFilter(method="filter_search", max_length=200)

    class Meta:
        model = Taxonomy
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            models.Q(name__icontains=value) | models.Q(description__icontains=value)
        )


class TaxonomyTermFilter(CachedFormFilterSet):
    search = df.CharFilter(method="filter_search", max_length=200)
    taxonomy_id = df.UUIDFilter(field_name="taxonomy_id")
    parent_id = df.UUIDFilter(field_name="parent_id")
    top_only = BooleanParamFilter(method="filter_top_only")

    class Meta:
        model = TaxonomyTerm
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            models.Q(name__icontains=value)
            | models.Q(term__iexact=value)
            | models.Q(alt_label__icontains=value)
        )

    def filter_top_only(self, queryset, name, value):
        # Decision (README): top-level terms, those without a parent.
        return queryset.filter(depth=0) if value else queryset


def nearest_first(
    queryset: models.QuerySet, point: PostcodePoint, metres: float
) -> models.QuerySet:
    """Published services with a location within `metres` of `point`, nearest first.

    Locations in range are found first (an indexed box), then each matching service's nearest
    (`distance2`, the squared distance, annotated for ordering). Shared by the v3 and v1 APIs.
    """
    near = points_within(PublishedServiceAtLocation.objects.all(), point, metres)
    nearest = near.filter(snapshot=models.OuterRef("pk")).order_by("distance2").values("distance2")
    return (
        queryset.filter(pk__in=near.values("snapshot"))
        .annotate(distance2=models.Subquery(nearest[:1]))
        .order_by("distance2", "pk")
    )

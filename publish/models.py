"""Published snapshots: what the ORUK feed serves, rendered once at publish time.

A service's ORUK documents are rendered by `directory.oruk` when it is published and stored here
with the columns the API filters on, so a feed page is a handful of queries whatever its size, and
edits in progress on the live records never reach the feed until the service is published again.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.models import TimestampedModel
from directory.models import Service, TaxonomyTerm

# Where the portal's own pages live: a feed's root path may not take them over.
RESERVED_ROOT_PATHS = ("/api/", "/admin/", "/accounts/", "/staff/", "/static/", "/healthz")
_ROOT_PATH = re.compile(r"^/(?:[a-z0-9][a-z0-9_-]*/)*$")
# The cache key of {root path: feed slug}; any feed change deletes it (publish.signals).
FEED_ROOTS_CACHE_KEY = "publish:feed-roots"


def validate_root_path(value: str) -> None:
    if not _ROOT_PATH.match(value):
        raise ValidationError(
            "Enter a path that starts and ends with /, in lower case letters, digits, - and _, "
            "like / or /oruk/family-hubs/"
        )
    if value != "/" and value.startswith(RESERVED_ROOT_PATHS):
        raise ValidationError("Choose a path outside the portal's own pages")


class Feed(TimestampedModel):
    """A set of published services offered at its own base URL, under its own assurance policy.

    A feed may also be served at a `root_path` of the portal's own host (for clients that ignore
    the registered path, like the DfE Family Hubs harvester, which asks for `/services` at the
    host root), and may page by default in larger pages, or not at all (`default_per_page`).
    """

    ALL = 0  # `default_per_page`: every match on one page

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(
        default=False, help_text="The feed served at the API's base URL /api/v3/"
    )
    max_assurance_age_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Leave out services last assured longer ago than this; empty for no limit",
    )
    taxonomy_terms = models.ManyToManyField(
        TaxonomyTerm,
        blank=True,
        related_name="+",
        help_text="Only services with one of these terms (or a term below them); none for all",
    )
    is_active = models.BooleanField(default=True)
    root_path = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_root_path],
        help_text=(
            "Also serve this feed's endpoints under this path of the portal's own host: / serves "
            "/services (what the DfE Family Hubs harvester asks for, whatever URL it was given), "
            "/oruk/family-hubs/ serves /oruk/family-hubs/services. Empty: only at its base URL"
        ),
    )
    default_per_page = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=(
            "Items a page when a client names no per_page. Empty: the API's default (50; 1,000 "
            "with minimal=true). 0: every match on one page, streamed (for clients that read one "
            "page only, like the DfE Family Hubs harvester)"
        ),
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_feed"
            ),
            models.UniqueConstraint(
                fields=["root_path"], condition=~models.Q(root_path=""), name="one_feed_per_root"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (
            self.default_per_page is not None
            and self.default_per_page > settings.PORTAL_API_MAX_PER_PAGE
        ):
            raise ValidationError(
                {
                    "default_per_page": (
                        f"Enter a number up to {settings.PORTAL_API_MAX_PER_PAGE}, or 0 for every "
                        "match on one page"
                    )
                }
            )

    @property
    def pages_everything(self) -> bool:
        """True when a client that names no per_page gets every match on one page."""
        return self.default_per_page == self.ALL

    def cached_term_ids(self) -> list:
        if not hasattr(self, "_term_ids"):
            self._term_ids = list(self.taxonomy_terms.values_list("pk", flat=True))
        return self._term_ids

    def assured_since(self, today: dt.date | None = None) -> dt.date | None:
        if self.max_assurance_age_days is None:
            return None
        return (today or timezone.localdate()) - dt.timedelta(days=self.max_assurance_age_days)


class PublishedServiceQuerySet(models.QuerySet["PublishedService"]):
    def for_feed(self, feed: Feed) -> PublishedServiceQuerySet:
        qs = self
        since = feed.assured_since()
        if since is not None:
            qs = qs.filter(assured_date__gte=since)
        # Term rows already include every ancestor, so the feed's own terms suffice here.
        term_ids = feed.cached_term_ids()
        if term_ids:
            qs = qs.filter(
                models.Exists(
                    PublishedServiceTerm.objects.filter(
                        snapshot=models.OuterRef("pk"), term_id__in=term_ids
                    )
                )
            )
        return qs


class PublishedService(models.Model):
    """One published service: its ORUK documents as JSON text, plus the columns filters read."""

    service = models.OneToOneField(
        Service, primary_key=True, on_delete=models.CASCADE, related_name="published"
    )
    name = models.CharField(max_length=255)
    organization_id = models.UUIDField(null=True, db_index=True)
    status = models.CharField(max_length=20)
    assured_date = models.DateField(db_index=True)
    last_modified = models.DateTimeField(db_index=True)
    minimum_age = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    maximum_age = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    # The `/services/{id}` document and the `/services` list item, serialised once.
    document = models.TextField()
    list_item = models.TextField()
    # What search reads: the name, the organisation and term labels, the description.
    search_labels = models.TextField()
    description = models.TextField()
    search_vector = SearchVectorField(null=True)
    published_at = models.DateTimeField(default=timezone.now)

    objects = PublishedServiceQuerySet.as_manager()

    class Meta:
        ordering = ["service_id"]
        # PostgreSQL-only GIN indexes (full text, trigrams) are created in migration 0002.

    def __str__(self) -> str:
        return self.name


class PublishedServiceTerm(models.Model):
    """A taxonomy term of a published service, and each of its ancestors (for subtree filters)."""

    snapshot = models.ForeignKey(PublishedService, on_delete=models.CASCADE, related_name="terms")
    term_id = models.UUIDField()
    taxonomy_id = models.UUIDField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["term_id", "snapshot"], name="published_term_idx"),
            models.Index(fields=["taxonomy_id", "snapshot"], name="published_taxonomy_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}: term {self.term_id}"


class PublishedServiceAtLocation(models.Model):
    """A published service at one of its locations: the `/service_at_locations` documents."""

    id = models.UUIDField(primary_key=True)
    snapshot = models.ForeignKey(
        PublishedService, on_delete=models.CASCADE, related_name="locations"
    )
    location_id = models.UUIDField()
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    document = models.TextField()
    list_item = models.TextField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="published_point_idx")]

    def __str__(self) -> str:
        return f"{self.snapshot_id} at {self.location_id}"


class PublishedServiceArea(models.Model):
    """A local authority a published service's service area covers (postcode coverage checks)."""

    snapshot = models.ForeignKey(PublishedService, on_delete=models.CASCADE, related_name="areas")
    local_authority_code = models.CharField(max_length=9)

    class Meta:
        indexes = [
            models.Index(fields=["local_authority_code", "snapshot"], name="published_area_idx")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id} covers {self.local_authority_code}"


class PublishedSchedule(models.Model):
    """A weekday a published service runs on, with its hours and its rule, so "open on Saturday
    morning", "open now" and "next session" are answered from these rows alone.

    One row per day of the rule. `ordinal` is the week of the month of a monthly rule ("2TU":
    2, "-1FR": -1; null for weekly rules). A rule every `interval` weeks runs in the weeks whose
    number since WEEK_EPOCH, modulo `interval`, is `week_phase`. A row whose `closes_at` is not
    after `opens_at` runs past midnight into the next day.
    """

    snapshot = models.ForeignKey(
        PublishedService, on_delete=models.CASCADE, related_name="schedule_days"
    )
    day = models.CharField(max_length=2)  # RFC 5545 day code
    opens_at = models.TimeField(null=True)
    closes_at = models.TimeField(null=True)
    # The location it belongs to (a service_at_location's schedule), null for the service's own.
    location_id = models.UUIDField(null=True)
    ordinal = models.SmallIntegerField(null=True)
    interval = models.PositiveSmallIntegerField(default=1)
    week_phase = models.PositiveSmallIntegerField(default=0)
    valid_from = models.DateField(null=True)
    valid_to = models.DateField(null=True)
    attending = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [models.Index(fields=["day", "snapshot"], name="published_day_idx")]

    def __str__(self) -> str:
        return f"{self.snapshot_id} on {self.day}"


class PublishedClosure(models.Model):
    """A holiday closure of a published service (or of one of its locations), first to last day
    inclusive (see directory.oruk.closures.is_closure for how one is written)."""

    snapshot = models.ForeignKey(
        PublishedService, on_delete=models.CASCADE, related_name="closures"
    )
    location_id = models.UUIDField(null=True)
    starts = models.DateField()
    ends = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "starts"], name="published_closure_idx")]

    def __str__(self) -> str:
        return f"{self.snapshot_id} closed {self.starts} to {self.ends}"


class FacetKind(models.TextChoices):
    ATTENDING = "attending", "How to attend"
    COST = "cost", "Cost"
    LANGUAGE = "language", "Language"
    ACCESSIBILITY = "accessibility", "Accessibility"


class PublishedServiceFacet(models.Model):
    """One value of one finder facet of a published service ("attending" = "drop_in", "language"
    = "Polish"): one narrow table for every list-valued facet, so a filter is an indexed
    `EXISTS` and a facet count is one `GROUP BY kind, value`, and a new facet needs no
    migration. Days and times live in `PublishedSchedule` (they need hours), service types in
    `PublishedServiceTerm` (they need the tree)."""

    snapshot = models.ForeignKey(PublishedService, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=20, choices=FacetKind.choices)
    value = models.CharField(max_length=100)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "value", "snapshot"], name="published_facet_idx"),
            models.Index(fields=["snapshot", "kind"], name="published_facet_snapshot_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}: {self.kind} {self.value}"


class PublishedWord(models.Model):
    """A word that occurs in some published service's name, labels or description: the finder
    corrects a misspelt search word to the nearest of these (PostgreSQL trigram similarity,
    through a trigram index made in migration 0005). Words are added as services are published
    and never removed: a word left over from a withdrawn service only ever offers a spelling
    that finds nothing more."""

    word = models.CharField(max_length=60, primary_key=True)

    def __str__(self) -> str:
        return self.word


class PublishedOrganization(models.Model):
    """An organisation with at least one published service: the `/organizations` documents."""

    organization_id = models.UUIDField(primary_key=True)
    name = models.CharField(max_length=255)
    document = models.TextField()
    list_item = models.TextField()
    description = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization_id"]

    def __str__(self) -> str:
        return self.name


class HiddenService(TimestampedModel):
    """A service withheld from every feed at once, whatever its assurance, until shown again."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="hidden")
    reason = models.TextField()
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    def __str__(self) -> str:
        return f"{self.service} (hidden)"


class FeedState(models.Model):
    """One row: bumped on every publish or unpublish, so list ETags cost one indexed read."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"feed version {self.version}"


class ListIndex(models.Model):
    """The count and page marks of a feed's unfiltered list at one feed version
    (`publish.api.pagination.list_index`), kept where every process finds them even when the
    shared cache has lost them: a page of the feed then costs an indexed read, never a pass
    over the feed. Keys name the feed version, so a row never goes stale; old ones are pruned
    when a publish makes new ones."""

    key = models.CharField(max_length=120, primary_key=True)
    total = models.PositiveIntegerField()
    every = models.PositiveIntegerField()
    marks = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.total}"

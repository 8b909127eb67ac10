"""Search insight: what people look for in the finder, and what they do not find.

`record_search` keeps one `SearchRecord` per search with nothing personal in it: the words (lower
case, with anything that looks like a postcode, an email address or a phone number taken out), the
filters (term ids and facet values; never the postcode), the postcode district alone, the month
and how many services were found. The staff page (`views/insight.py`) reads the queries below:
the searches that found nothing and the most frequent ones, by area and month, the signal the
pilots wanted for gaps in provision and in the taxonomy. Records older than
`PORTAL_SEARCH_RECORD_MONTHS` are pruned each night (`search_records_prune`, scheduled in
`workflow/schedules.py`).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from directory.oruk.redact import postcode_district

from .models import SearchKind, SearchRecord

logger = logging.getLogger(__name__)

TEXT_LIMIT = SearchRecord._meta.get_field("text").max_length

# The query's fields that are never kept as filters: the words have their own column, and the
# postcode is kept only as its district.
_NOT_FILTERS = frozenset({"text", "postcode"})

# What may identify someone if typed into the search box: a full postcode (kept as its district),
# an email address, a phone number or any long run of digits.
_POSTCODE_IN_TEXT = re.compile(r"\b([a-z]{1,2}\d[a-z\d]?)\s*\d[a-z]{2}\b", re.IGNORECASE)
_EMAIL_IN_TEXT = re.compile(r"\S+@\S+")
_DIGITS_IN_TEXT = re.compile(r"\+?\d[\d\s().-]{5,}\d")


def month_of(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def clean_words(text: str) -> str:
    """The words of a search as kept: lower case, single spaces, nothing that could identify
    someone (a full postcode becomes its district; email addresses and phone numbers go)."""
    text = _EMAIL_IN_TEXT.sub(" ", text or "")
    text = _POSTCODE_IN_TEXT.sub(lambda match: match.group(1), text)
    text = _DIGITS_IN_TEXT.sub(" ", text)
    return " ".join(text.lower().split())[:TEXT_LIMIT].strip()


def query_filters(query: Any) -> dict[str, Any]:
    """The filters of a `FinderQuery` as kept: every field that is set, except the words and the
    postcode; tuples become sorted lists so that the same filters compare equal."""
    filters: dict[str, Any] = {}
    for field in dataclasses.fields(query):
        if field.name in _NOT_FILTERS:
            continue
        value = getattr(query, field.name)
        if value in (None, "", (), [], False):
            continue
        if isinstance(value, (tuple, list, set, frozenset)):
            value = sorted(str(item) for item in value)
        filters[field.name] = value
    return filters


def record_search(*, query: Any, result_count: int, kind: str = SearchKind.KEYWORD) -> None:
    """Keep an anonymous record of one search (see the module docstring).

    Never breaks the search it records: a failure to save is logged and forgotten.
    """
    try:
        district = postcode_district(query.postcode) if query.postcode else ""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Not worth a wait for the disk on every search: the commit returns before its
                # WAL is flushed (within wal_writer_delay; a crash of PostgreSQL in between
                # loses that moment's records, never consistency). The flush took 1 ms of a
                # results page on an idle disk, and 7 to 25 ms on a busy one.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            SearchRecord.objects.create(
                month=month_of(timezone.localdate()),
                kind=kind if kind in SearchKind.values else SearchKind.KEYWORD,
                text=clean_words(query.text),
                filters=query_filters(query),
                postcode_district=district[:4],
                result_count=max(int(result_count), 0),
            )
    except Exception:
        logger.exception("Could not record a search for search insight")


def search_records_prune(*, months: int | None = None, today: date | None = None) -> int:
    """Delete search records older than `months` (PORTAL_SEARCH_RECORD_MONTHS) whole months
    before this month; returns how many went. Run nightly by django-q2."""
    months = settings.PORTAL_SEARCH_RECORD_MONTHS if months is None else months
    this_month = month_of(today or timezone.localdate())
    total = this_month.year * 12 + this_month.month - 1 - months
    keep_from = date(total // 12, total % 12 + 1, 1)
    deleted, _ = SearchRecord.objects.filter(month__lt=keep_from).delete()
    if deleted:
        logger.info("Pruned %s search records from before %s", deleted, keep_from.isoformat())
    return deleted


# --- reading ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InsightFilter:
    """Which searches the insight page looks at: one month (or all), one area (or all)."""

    month: date | None = None
    area: str = ""  # a postcode district, or "" for everywhere

    def records(self) -> models.QuerySet[SearchRecord]:
        records = SearchRecord.objects.all()
        if self.month is not None:
            records = records.filter(month=self.month)
        if self.area:
            records = records.filter(postcode_district=self.area)
        return records


def months_recorded() -> list[date]:
    """The months that have records, newest first."""
    return list(SearchRecord.objects.order_by("-month").values_list("month", flat=True).distinct())


def areas_recorded() -> list[str]:
    """The postcode districts that have records, in order."""
    return list(
        SearchRecord.objects.exclude(postcode_district="")
        .order_by("postcode_district")
        .values_list("postcode_district", flat=True)
        .distinct()
    )


def totals(selection: InsightFilter) -> dict[str, int]:
    """How many searches, and how many found nothing, in one query."""
    return selection.records().aggregate(
        searches=Coalesce(models.Count("pk"), 0),
        found_nothing=Coalesce(models.Count("pk", filter=models.Q(result_count=0)), 0),
    )


def zero_result_searches(selection: InsightFilter) -> models.QuerySet:
    """Searches that found nothing, grouped by their words and filters, most often first: rows
    of text, kind, filters, searches, areas (distinct districts), latest (month)."""
    return (
        selection.records()
        .filter(result_count=0)
        .values("text", "kind", "filters")
        .annotate(
            searches=models.Count("pk"),
            areas=models.Count("postcode_district", distinct=True),
            latest=models.Max("month"),
        )
        .order_by("-searches", "-latest", "text", "kind")
    )


def frequent_searches(selection: InsightFilter) -> models.QuerySet:
    """Searches grouped by their words (whatever the filters), most often first: rows of text,
    searches, found_nothing (how many of them), average results."""
    return (
        selection.records()
        .values("text")
        .annotate(
            searches=models.Count("pk"),
            found_nothing=models.Count("pk", filter=models.Q(result_count=0)),
            average=models.Avg("result_count"),
        )
        .order_by("-searches", "text")
    )


def searches_by_area(selection: InsightFilter) -> models.QuerySet:
    """Searches per postcode district ("" for searches without a postcode), the most searches
    that found nothing first."""
    return (
        selection.records()
        .values("postcode_district")
        .annotate(
            searches=models.Count("pk"),
            found_nothing=models.Count("pk", filter=models.Q(result_count=0)),
        )
        .order_by("-found_nothing", "-searches", "postcode_district")
    )

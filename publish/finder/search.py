"""The finder's search engine: one call, `find(query)`, over the default feed's snapshots.

Contract (shared with the finder pages; see also `service_page` and `organization_page`):

- `find(FinderQuery, page=, per_page=, now=) -> FinderResults`; `FinderInputError(field,
  message)` for a postcode it cannot find, an impossible age or distance.
- Keywords: every word must match (PostgreSQL English stemming; the portable path strips common
  suffixes). On PostgreSQL a word that no published service uses is corrected to the nearest
  words that are used (trigram similarity over `PublishedWord`): "cousnelling" finds
  counselling. A query naming a taxonomy term or one of its `synonyms` ("emergency food") also
  finds that term's services (and those of the terms below it).
- Filters: values within one filter are alternatives (any), except `accessibility`, where every
  chosen feature must be there; filters combine with "and". `needs` and `circumstances` are one
  filter together: services of any service type mapped to any of them (or below it).
  Unknown filter values are ignored. `within_miles` without a postcode is ignored.
- Cost: "paid" when a cost option has an amount above 0; "free" when none has, or a cost option
  or the fees say "free". A service that gives no cost information at all is neither (the
  finder does not promise "Free" on a guess).
- Facet counts are over the whole result set with that facet's own filter left out; a chosen
  value is listed even with no services.
- Sort: with a postcode, nearest location first (services without a location last); otherwise
  best keyword match; then by name.
- The number of queries is the same whatever the page size and the page.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

from directory.models import TaxonomyTerm, TermMapping
from directory.search import stem
from directory.taxonomies.identity import LGA_SERVICE_TYPES, taxonomy_uuid
from publish.models import (
    FacetKind,
    Feed,
    PublishedOrganization,
    PublishedSchedule,
    PublishedService,
    PublishedServiceAtLocation,
    PublishedServiceFacet,
    PublishedServiceTerm,
)

from . import opening
from .opening import ATTENDING_LABELS, DAY_NAMES, TIMES_OF_DAY

__all__ = [
    "ACCESSIBILITY",
    "FACET_KEYS",
    "FacetCount",
    "FinderInputError",
    "FinderQuery",
    "FinderResult",
    "FinderResults",
    "OrganizationPage",
    "ServicePage",
    "document_facets",
    "find",
    "organization_page",
    "service_page",
]

METRES_PER_MILE = 1609.344
MAX_PER_PAGE = 100
MAX_MILES = 200
FACET_KEYS = ("service_type", "attending", "cost", "day", "accessibility", "language")
COSTS = {"free": "Free", "paid": "Paid"}
# Accessibility facet values: label, and words any of which in a location's accessibility
# entry (its description or its `accessibility` text) means the location has it.
ACCESSIBILITY: dict[str, tuple[str, tuple[str, ...]]] = {
    "step_free": ("Step-free access", ("step-free", "step free", "level access", "wheelchair")),
    "accessible_toilet": ("Accessible toilet", ("accessible toilet", "disabled toilet")),
    "changing_places": ("Changing Places toilet", ("changing places",)),
    "hearing_loop": ("Hearing loop", ("hearing loop", "induction loop")),
    "parking": ("Blue badge parking", ("blue badge", "disabled parking", "accessible parking")),
    "quiet_room": ("Quiet room", ("quiet room", "quiet space")),
}
LGA_SERVICE_TYPES_ID = taxonomy_uuid(LGA_SERVICE_TYPES)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_FREE = re.compile(r"\bfree\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
SUMMARY_LIMIT = 220
# Typo tolerance: how alike (pg_trgm similarity) a used word must be to stand for a search word.
SIMILARITY = 0.4
MIN_WORD = 3


class FinderInputError(ValueError):
    """A search the finder cannot run as asked: `field` names the form field to show it on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class FinderQuery:
    text: str = ""
    postcode: str = ""
    within_miles: float | None = None
    service_types: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    circumstances: tuple[str, ...] = ()
    age: int | None = None
    attending: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    time_of_day: str = ""
    open_now: bool = False
    cost: str = ""
    accessibility: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FinderResult:
    service_id: str
    name: str
    organization_id: str | None
    organization_name: str
    summary: str
    service_types: list[str]
    distance_metres: float | None
    where: str
    when_next: str
    attending: list[str]
    cost: str
    assured_date: dt.date
    checked: str


@dataclass
class FinderResults:
    total: int
    results: list[FinderResult]
    facets: dict[str, list[FacetCount]]
    origin: Any  # directory.geo.PostcodePoint | None
    page: int
    per_page: int
    pages: int


# Facets of a published document (stored as PublishedServiceFacet rows when publishing)


def _cost_values(document: Mapping[str, Any]) -> set[str]:
    options = document.get("cost_options") or []
    values = set()
    for option in options:
        try:
            amount = float(option.get("amount") or 0)
        except (TypeError, ValueError):
            amount = 0
        if amount > 0:
            values.add("paid")
        words = f"{option.get('option') or ''} {option.get('amount_description') or ''}"
        if _FREE.search(words):
            values.add("free")
    if options and "paid" not in values:
        values.add("free")
    if _FREE.search(str(document.get("fees") or "")):
        values.add("free")
    return values


def _locations(document: Mapping[str, Any]) -> list[dict]:
    return [sal.get("location") or {} for sal in document.get("service_at_locations") or [] if sal]


def _accessibility_values(document: Mapping[str, Any]) -> set[str]:
    values = set()
    for location in _locations(document):
        for entry in location.get("accessibility") or []:
            text = f"{entry.get('description') or ''} {entry.get('accessibility') or ''}".lower()
            values |= {
                key for key, (_, words) in ACCESSIBILITY.items() if any(w in text for w in words)
            }
    return values


def _languages(document: Mapping[str, Any]) -> set[str]:
    names = set()
    for language in document.get("languages") or []:
        name = str(language.get("name") or language.get("code") or "").strip()
        if name:
            names.add(name[:100])
    return names


def document_facets(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) pairs of a published service document for `PublishedServiceFacet`."""
    sessions, _ = opening.document_sessions(document)
    pairs = {(FacetKind.ATTENDING.value, s.attending) for s in sessions if s.attending}
    pairs |= {(FacetKind.COST.value, value) for value in _cost_values(document)}
    pairs |= {(FacetKind.ACCESSIBILITY.value, value) for value in _accessibility_values(document)}
    pairs |= {(FacetKind.LANGUAGE.value, value) for value in _languages(document)}
    return sorted(pairs)


def document_words(*texts: str) -> set[str]:
    """The words of these texts worth correcting a misspelling to (for `PublishedWord`)."""
    return {w for text in texts for w in _WORD.findall(text.lower()) if MIN_WORD < len(w) <= 60}


# Building the query


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return out


def _default_feed() -> Feed | None:
    return Feed.objects.filter(is_default=True, is_active=True).first()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())[:12]


def _corrections(words: list[str]) -> dict[str, list[str]]:
    """For each search word no published service uses, the used words nearest to it
    (PostgreSQL only; one query for all the words)."""
    if connection.vendor != "postgresql" or not words:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT q.word, w.word,
                to_tsvector('english', w.word) = to_tsvector('english', q.word)
            FROM unnest(%s::text[]) AS q(word)
            CROSS JOIN LATERAL (
                SELECT word FROM publish_publishedword
                WHERE word %% q.word AND similarity(word, q.word) >= %s
                ORDER BY word <-> q.word LIMIT 3
            ) AS w
            """,
            [words, SIMILARITY],
        )
        found: dict[str, list[str]] = {}
        for word, near, same_stem in cursor.fetchall():
            found.setdefault(word, [])
            # "counselling" for "counseling" stems alike: it finds nothing more, and each
            # alternative makes PostgreSQL expect more matches (and plan a scan of the feed).
            if not same_stem or word == near:
                found[word].append(near)
    # A word used as it is needs no correction.
    return {word: near for word, near in found.items() if near and word not in near}


_STOP_WORDS = frozenset({"a", "an", "and", "the", "to", "for", "of", "in", "on", "with", "my"})


def _phrase(text: str) -> tuple[str, ...]:
    """Stemmed words without the little ones, so "a listening ear" is named by "listening ear"."""
    return tuple(stem(w) for w in _words(text) if w not in _STOP_WORDS)


def _synonym_terms(text: str) -> tuple[list[uuid.UUID], set[str]]:
    """Terms whose name or a synonym the query names, and the (stemmed) query words that
    naming used (those words need not match the text as well)."""
    words = _phrase(text)
    if not words:
        return [], set()
    candidates = TaxonomyTerm.objects.filter(
        models.Q(name__iexact=text.strip()) | ~models.Q(synonyms=[])
    ).values_list("pk", "name", "synonyms")
    matched, used = [], set()
    for pk, name, synonyms in candidates:
        for phrase in [name, *(s for s in synonyms or [] if isinstance(s, str))]:
            target = _phrase(phrase)
            if not target:
                continue
            for start in range(len(words) - len(target) + 1):
                if words[start : start + len(target)] == target:
                    matched.append(pk)
                    used |= set(target)
                    break
            else:
                continue
            break
    return matched, used


def _word_q(word: str, alternatives: list[str]) -> models.Q:
    if connection.vendor == "postgresql":
        query = SearchQuery(word, config="english", search_type="plain")
        for alternative in alternatives:
            query |= SearchQuery(alternative, config="english", search_type="plain")
        return models.Q(search_vector=query)
    root = stem(word)
    return (
        models.Q(name__icontains=root)
        | models.Q(search_labels__icontains=root)
        | models.Q(description__icontains=root)
    )


class _AmongIds(models.Func):
    """`column = ANY(ARRAY(subquery))`, a condition."""

    output_field = models.BooleanField()

    def __init__(self, column: models.F, subquery: models.QuerySet) -> None:
        super().__init__(column, models.Subquery(subquery))

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        column, subquery = self.get_source_expressions()
        lhs, lhs_params = compiler.compile(column)
        rhs, rhs_params = compiler.compile(subquery)  # "(SELECT ...)"
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _snapshot_among(snapshot_ids: models.QuerySet) -> models.Q:
    """Services whose snapshot id `snapshot_ids` lists. On PostgreSQL as `pk = ANY(ARRAY(...))`,
    which it runs once and can OR with the full-text index (a bitmap OR); as EXISTS or IN, an OR
    with the text search makes it check the text of every service in the feed (215 ms against
    17 ms for "lunch club" on 80k services)."""
    if connection.vendor != "postgresql":
        return models.Q(pk__in=snapshot_ids)
    return models.Q(_AmongIds(models.F("pk"), snapshot_ids))


@dataclass
class _Text:
    condition: models.Q = field(default_factory=models.Q)
    rank: Any = None
    # When the words name a taxonomy term: the ids `condition` admits, the union of those the
    # words find and the term's services (a one-column queryset). None otherwise: the words
    # are then a test of the row itself, which PostgreSQL estimates well.
    ids: models.QuerySet | None = None


def _text_search(text: str) -> _Text:
    words = _words(text)
    if not words:
        return _Text()
    corrections = _corrections(words)
    term_ids, used = _synonym_terms(text)
    every = models.Q()
    rest = models.Q()
    for word in words:
        q = _word_q(word, corrections.get(word, []))
        every &= q
        if stem(word) not in used and word not in _STOP_WORDS:
            rest &= q
    condition = every
    ids = None
    if term_ids:
        # Two id sets, each found through its own index, then united: as one OR in a WHERE,
        # PostgreSQL may scan the whole feed testing each row against the term's thousands of
        # ids ("counseling": 1.5 s on 80k services, against 60 ms this way).
        tagged = PublishedServiceTerm.objects.filter(term_id__in=term_ids).order_by()
        if rest:
            by_term = (
                PublishedService.objects.filter(rest, _snapshot_among(tagged.values("snapshot_id")))
                .order_by()
                .values("pk")
            )
        else:
            # The query names the term and nothing else: its term rows are the ids. Looking
            # each one up in the services as well only cost time (a term's thousands of ids,
            # which PostgreSQL expected to be ten).
            by_term = tagged.values("snapshot_id")
        by_text = PublishedService.objects.filter(every).order_by().values("pk")
        ids = by_text.union(by_term, all=True)
        condition = models.Q(pk__in=ids)
    if connection.vendor == "postgresql":
        query = None
        for word in words:
            part = SearchQuery(word, config="english", search_type="plain")
            for alternative in corrections.get(word, []):
                part |= SearchQuery(alternative, config="english", search_type="plain")
            query = part if query is None else query | part
        rank = SearchRank(models.F("search_vector"), query)
    else:
        rank = models.Case(
            *[models.When(name__icontains=stem(w), then=models.Value(1.0)) for w in words],
            default=models.Value(0.0),
            output_field=models.FloatField(),
        )
    return _Text(condition, rank, ids)


def search_snapshots(queryset: models.QuerySet, text: str) -> models.QuerySet:
    """Snapshots matching `text` as the finder matches it (stemming, synonyms, a misspelt word
    corrected to the used words nearest it), best first, annotated `search_rank`: the API's
    `search`. Typo tolerance reads the word list, not each matching row's name, so a common
    word costs what its full-text match costs."""
    found = _text_search(text)
    if found.rank is None:
        return queryset
    return (
        queryset.filter(found.condition)
        .annotate(search_rank=found.rank)
        .order_by("-search_rank", "pk")
    )


def _has_facet(kind: str, values: Iterable[str]) -> models.Exists:
    return models.Exists(
        PublishedServiceFacet.objects.filter(
            snapshot=models.OuterRef("pk"), kind=kind, value__in=list(values)
        )
    )


def _session_filter(days: tuple[str, ...], part: str) -> models.Q:
    if not days and not part:
        return models.Q()
    rows = PublishedSchedule.objects.filter(snapshot=models.OuterRef("pk"))
    if days:
        rows = rows.filter(day__in=days)
    if part:
        rows = rows.filter(opening.time_of_day_q(part))
    return models.Q(models.Exists(rows))


@dataclass
class _Plan:
    """The parts of a search: each filter by facet key, so a facet's count can leave its own out."""

    base: models.QuerySet
    text: _Text
    filters: dict[str, models.Q]
    origin: Any = None
    box: tuple[float, float, float, float] | None = None
    selected: dict[str, set[str]] = field(default_factory=dict)

    def queryset(self, *, without: Iterable[str] = ()) -> models.QuerySet:
        qs = self.base
        if self.text.condition:
            qs = qs.filter(self.text.condition)
        return self.narrowed(qs, without=without)

    def narrowed(
        self, qs: models.QuerySet, *, only: Iterable[str] | None = None, without: Iterable[str] = ()
    ) -> models.QuerySet:
        """`qs` with the filters in use (of those `only` names, if given) but those `without`."""
        kept = set(self.filters if only is None else only) - set(without)
        for key, condition in self.filters.items():
            if key in kept and condition:
                qs = qs.filter(condition)
        return qs


def _clean(query: FinderQuery) -> FinderQuery:
    """Unknown filter values dropped, words trimmed."""
    return FinderQuery(
        text=(query.text or "").strip()[:200],
        postcode=(query.postcode or "").strip(),
        within_miles=query.within_miles,
        service_types=tuple(str(u) for u in _uuids(query.service_types)),
        needs=tuple(str(u) for u in _uuids(query.needs)),
        circumstances=tuple(str(u) for u in _uuids(query.circumstances)),
        age=query.age,
        attending=tuple(v for v in dict.fromkeys(query.attending) if v in ATTENDING_LABELS),
        days=tuple(v for v in dict.fromkeys(d.upper() for d in query.days) if v in DAY_NAMES),
        time_of_day=query.time_of_day if query.time_of_day in TIMES_OF_DAY else "",
        open_now=bool(query.open_now),
        cost=query.cost if query.cost in COSTS else "",
        accessibility=tuple(v for v in dict.fromkeys(query.accessibility) if v in ACCESSIBILITY),
        languages=tuple(dict.fromkeys(v.strip() for v in query.languages if v.strip())),
    )


def _geocode(postcode: str):
    from directory.geo import InvalidPostcode, lookup_postcode

    try:
        return lookup_postcode(postcode)
    except InvalidPostcode as exc:
        raise FinderInputError("postcode", str(exc)) from exc


def _plan(query: FinderQuery, now: dt.datetime | None) -> _Plan:
    if query.age is not None and not 0 <= query.age <= 130:
        raise FinderInputError("age", "Enter an age between 0 and 130")
    if query.within_miles is not None and not 0 < query.within_miles <= MAX_MILES:
        raise FinderInputError("within_miles", f"Enter a distance between 0 and {MAX_MILES} miles")
    feed = _default_feed()
    base = PublishedService.objects.for_feed(feed) if feed else PublishedService.objects.none()
    filters: dict[str, models.Q] = {}
    origin = _geocode(query.postcode) if query.postcode else None
    text = _text_search(query.text)
    box = None
    if origin is not None and query.within_miles:
        radius_lat = query.within_miles * METRES_PER_MILE / 111_195
        radius_lon = radius_lat / max(0.01, math.cos(math.radians(origin.latitude)))
        box = (
            origin.latitude - radius_lat,
            origin.latitude + radius_lat,
            origin.longitude - radius_lon,
            origin.longitude + radius_lon,
        )
        in_box = PublishedServiceAtLocation.objects.filter(
            latitude__range=box[:2], longitude__range=box[2:]
        )
        if text.ids is None:
            filters["distance"] = models.Q(
                models.Exists(in_box.filter(snapshot=models.OuterRef("pk")))
            )
        else:
            # Words naming a term, and a distance: the ids the words find that a location in
            # the box has, as an intersection of two id sets each read once through its own
            # index, then looked up as an array (which PostgreSQL expects to be short, so it
            # never scans the feed for it). As a test of each found service's locations,
            # PostgreSQL (which cannot tell how many ids a union holds) looked thousands up
            # one by one: "lunch club" within 5 miles of Leeds took 70 ms, and 20 ms this way.
            near = in_box.order_by().values("snapshot_id")
            text = replace(text, condition=_snapshot_among(text.ids.intersection(near)))
    if query.service_types:
        filters["service_type"] = models.Q(
            models.Exists(
                PublishedServiceTerm.objects.filter(
                    snapshot=models.OuterRef("pk"), term_id__in=_uuids(query.service_types)
                )
            )
        )
    if query.needs or query.circumstances:
        mapped = TermMapping.objects.filter(
            from_term_id__in=_uuids(query.needs + query.circumstances)
        ).values("service_type_id")
        filters["needs"] = models.Q(
            models.Exists(
                PublishedServiceTerm.objects.filter(
                    snapshot=models.OuterRef("pk"), term_id__in=mapped
                )
            )
        )
    if query.age is not None:
        filters["age"] = (
            models.Q(minimum_age__isnull=True) | models.Q(minimum_age__lte=query.age)
        ) & (models.Q(maximum_age__isnull=True) | models.Q(maximum_age__gte=query.age))
    if query.attending:
        filters["attending"] = models.Q(_has_facet(FacetKind.ATTENDING, query.attending))
    if query.cost:
        filters["cost"] = models.Q(_has_facet(FacetKind.COST, [query.cost]))
    if query.languages:
        filters["language"] = models.Q(_has_facet(FacetKind.LANGUAGE, query.languages))
    if query.accessibility:
        condition = models.Q()
        for value in query.accessibility:
            condition &= models.Q(_has_facet(FacetKind.ACCESSIBILITY, [value]))
        filters["accessibility"] = condition
    if query.days:
        filters["day"] = _session_filter(query.days, query.time_of_day)
    if query.time_of_day:
        # Kept apart from "day" so the day counts still honour the time of day.
        filters["time_of_day"] = _session_filter((), query.time_of_day)
    if query.open_now:
        filters["open_now"] = opening.open_now_q(now)
    return _Plan(
        base=base,
        text=text,
        filters=filters,
        origin=origin,
        box=box,
        selected={
            "service_type": set(query.service_types),
            "attending": set(query.attending),
            "cost": {query.cost} - {""},
            "day": set(query.days),
            "accessibility": set(query.accessibility),
            "language": set(query.languages),
        },
    )


@dataclass(frozen=True)
class _SortKey:
    """One key of the results' order: a column of the ordered queryset."""

    name: str
    descending: bool = False
    nulls_last: bool = False

    def expression(self) -> models.OrderBy:
        column = models.F(self.name)
        if self.descending:
            return column.desc()
        return column.asc(nulls_last=True) if self.nulls_last else column.asc()

    def sql(self, table: str) -> str:
        """The same key over `table`'s column of that name (as OrderBy writes it)."""
        direction = "DESC" if self.descending else "ASC"
        nulls = " NULLS LAST" if self.nulls_last else ""
        return f"{table}.{connection.ops.quote_name(self.name)} {direction}{nulls}"


def _ordered(plan: _Plan, qs: models.QuerySet) -> tuple[models.QuerySet, list[_SortKey]]:
    """`qs` in the results' order (see the module docstring), annotated with what it sorts by,
    and the sort keys, so the same order can be written over a page of its rows."""
    if plan.origin is not None:
        scale = math.cos(math.radians(plan.origin.latitude)) ** 2
        locations = PublishedServiceAtLocation.objects.filter(
            snapshot=models.OuterRef("pk"), latitude__isnull=False, longitude__isnull=False
        )
        if plan.box:
            locations = locations.filter(
                latitude__range=plan.box[:2], longitude__range=plan.box[2:]
            )
        # Squared equirectangular distance in degrees: orders like the true distance at the
        # scale of a search, with arithmetic every database has.
        lat = models.F("latitude") - models.Value(plan.origin.latitude)
        lon = models.F("longitude") - models.Value(plan.origin.longitude)
        nearness = (
            locations.annotate(
                d=models.ExpressionWrapper(
                    lat * lat + lon * lon * models.Value(scale), output_field=models.FloatField()
                )
            )
            .order_by("d")
            .values("d")[:1]
        )
        qs = qs.annotate(nearness=models.Subquery(nearness, output_field=models.FloatField()))
        keys = [_SortKey("nearness", nulls_last=True)]
    elif plan.text.rank is not None:
        qs = qs.annotate(rank=plan.text.rank)
        keys = [_SortKey("rank", descending=True)]
    else:
        keys = []
    keys += [_SortKey("name"), _SortKey("pk")]
    return qs.order_by(*(key.expression() for key in keys)), keys


# Facet counts

_CANDIDATES = "finder_candidates"
_MATCHES = "finder_matches"
_TOTAL = "_total"
_PAGE = "_page"


def _where_sql(model: type[models.Model], condition: models.Q) -> tuple[str, list[Any]]:
    """`condition` as SQL over `model`'s table, unaliased (to write into a statement)."""
    query = model.objects.filter(condition).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, list(params)


def _facet_counts_sql(
    ids: Mapping[str, tuple[str, Iterable[Any]]], time_of_day: str
) -> tuple[str, list[Any]]:
    """One `SELECT key, value, services` per facet, united: each counts the services of
    `ids[key]` (SQL for a set of snapshot ids) by that facet's values.

    Written out rather than built as querysets: the shape never changes, and compiling six
    grouped querysets and their union took about as long (3 ms) as PostgreSQL took to run them."""
    quote = connection.ops.quote_name
    terms = quote(PublishedServiceTerm._meta.db_table)
    schedules = quote(PublishedSchedule._meta.db_table)
    facets = quote(PublishedServiceFacet._meta.db_table)
    taxonomy = PublishedServiceTerm._meta.get_field("taxonomy_id")
    parts = [
        (
            f"SELECT 'service_type', CAST({terms}.term_id AS varchar), COUNT(*) FROM {terms}"
            f" WHERE {terms}.taxonomy_id = %s AND {terms}.snapshot_id IN ({ids['service_type'][0]})"
            f" GROUP BY {terms}.term_id",
            [taxonomy.get_db_prep_value(LGA_SERVICE_TYPES_ID, connection), *ids["service_type"][1]],
        )
    ]
    day, day_params = f"{schedules}.snapshot_id IN ({ids['day'][0]})", [*ids["day"][1]]
    if time_of_day:
        # A day counts the services open on it at that time of day.
        part_sql, part_params = _where_sql(PublishedSchedule, opening.time_of_day_q(time_of_day))
        day, day_params = f"{day} AND {part_sql}", [*day_params, *part_params]
    parts.append(
        (
            f"SELECT 'day', {schedules}.day, COUNT(DISTINCT {schedules}.snapshot_id)"
            f" FROM {schedules} WHERE {day} GROUP BY {schedules}.day",
            day_params,
        )
    )
    for key, kind in (
        ("attending", FacetKind.ATTENDING),
        ("cost", FacetKind.COST),
        ("accessibility", FacetKind.ACCESSIBILITY),
        ("language", FacetKind.LANGUAGE),
    ):
        parts.append(
            (
                f"SELECT '{key}', {facets}.value, COUNT(*) FROM {facets}"
                f" WHERE {facets}.kind = %s AND {facets}.snapshot_id IN ({ids[key][0]})"
                f" GROUP BY {facets}.value",
                [kind.value, *ids[key][1]],
            )
        )
    return " UNION ALL ".join(sql for sql, _ in parts), [p for _, ps in parts for p in ps]


def _search_once(
    plan: _Plan, page_slice: slice
) -> tuple[int, dict[str, dict[str, int]], list[uuid.UUID]]:
    """The number of results, {facet key: {value: services}} and the ids of the results in
    `page_slice`, in order, in one query: a UNION ALL of one GROUP BY per facet (each over the
    results with that facet's own filter left out), the count and the page.

    The text search, the distance and the other filters that are not facets run once, into a
    common table expression (`_CANDIDATES`); the results (`_MATCHES`) and each facet's rows
    narrow those by the facets' filters alone. Before, the whole search ran eight times a page.
    A bare keyword that matches a quarter of the feed is still slow (several hundred ms): the
    parts join its rows one by one.
    """
    candidates = f"SELECT pk FROM {_CANDIDATES}"
    among_candidates = PublishedService.objects.filter(pk__in=RawSQL(candidates, []))
    in_use = {key for key in FACET_KEYS if plan.filters.get(key)}

    def narrowed(*, without: tuple[str, ...] = ()) -> tuple[str, Iterable[Any]]:
        """The candidates that the facets' filters in use (but those `without`) keep."""
        if not in_use - set(without):
            return candidates, ()
        qs = plan.narrowed(among_candidates, only=FACET_KEYS, without=without)
        return qs.values("pk").query.sql_with_params()

    ids = {
        key: narrowed(without=(key,)) if key in in_use else (f"SELECT pk FROM {_MATCHES}", ())
        for key in FACET_KEYS
    }
    facets, facet_params = _facet_counts_sql(ids, next(iter(plan.selected.get("_time", ())), ""))
    matched = PublishedService.objects.filter(pk__in=RawSQL(f"SELECT pk FROM {_MATCHES}", []))
    ordered, keys = _ordered(plan, matched)
    columns = ["pk", *(key.name for key in keys if key.name != "pk")]
    page, page_params = ordered.values(*columns)[page_slice].query.sql_with_params()
    # Each id of the page comes with its place on it: the page's few rows ordered again
    # by the same keys (a UNION ALL promises no order of its own).
    place = f"ROW_NUMBER() OVER (ORDER BY {', '.join(key.sql('page') for key in keys)})"
    found, found_params = plan.queryset(without=FACET_KEYS).values("pk").query.sql_with_params()
    matches, matches_params = narrowed()
    kept = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    tables = f"{_CANDIDATES} AS {kept}({found}), {_MATCHES} AS {kept}({matches})"
    sql = (
        f"WITH {tables} {facets} "
        f"UNION ALL SELECT '{_TOTAL}', '', COUNT(*) FROM {_MATCHES} "
        f"UNION ALL SELECT '{_PAGE}', CAST(page.pk AS varchar), {place} FROM ({page}) page"
    )
    params = (*found_params, *matches_params, *facet_params, *page_params)
    total, page_ids = 0, []
    counts: dict[str, dict[str, int]] = {key: {} for key in FACET_KEYS}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key, value, n in cursor.fetchall():
            if key == _TOTAL:
                total = n
            elif key == _PAGE:
                page_ids.append((n, uuid.UUID(str(value))))
            elif key == "service_type":
                counts[key][str(uuid.UUID(str(value)))] = n
            else:
                counts[key][value] = n
    return total, counts, [pk for _, pk in sorted(page_ids)]


def _facets(plan: _Plan, counts: dict[str, dict[str, int]]) -> dict[str, list[FacetCount]]:
    selected = plan.selected

    def listed(key: str, labels: Mapping[str, str], order: str = "given") -> list[FacetCount]:
        values = [v for v in labels if counts[key].get(v) or v in selected[key]]
        out = [FacetCount(v, labels[v], counts[key].get(v, 0), v in selected[key]) for v in values]
        if order == "count":
            out.sort(key=lambda f: (-f.count, f.label.lower()))
        return out

    type_ids = set(counts["service_type"]) | selected["service_type"]
    type_labels = dict(
        TaxonomyTerm.objects.filter(pk__in=_uuids(type_ids)).values_list("pk", "name")
    )
    languages = sorted(set(counts["language"]) | selected["language"])
    return {
        "service_type": listed(
            "service_type",
            {str(pk): name for pk, name in type_labels.items()},
            order="count",
        ),
        "attending": listed("attending", ATTENDING_LABELS),
        "cost": listed("cost", COSTS),
        "day": listed("day", DAY_NAMES),
        "accessibility": listed(
            "accessibility", {key: label for key, (label, _) in ACCESSIBILITY.items()}
        ),
        "language": listed("language", {name: name for name in languages}, order="count"),
    }


# Results


def checked_label(assured: dt.date | None, today: dt.date) -> str:
    """ "Checked today", "Checked 3 days ago", "Checked 3 weeks ago", "Checked 4 months ago"."""
    if assured is None:
        return ""
    days = max(0, (today - assured).days)
    if days == 0:
        return "Checked today"
    if days == 1:
        return "Checked yesterday"
    if days < 14:
        return f"Checked {days} days ago"
    if days < 60:
        return f"Checked {days // 7} weeks ago"
    months = days * 12 // 365
    if months < 24:
        return f"Checked {months} months ago"
    return f"Checked {days // 365} years ago"


def summary_of(description: str) -> str:
    """The first sentence or two of a description, kept short."""
    sentences = _SENTENCE.split((description or "").strip())
    summary = sentences[0] if sentences else ""
    if len(sentences) > 1 and len(summary) + len(sentences[1]) < SUMMARY_LIMIT * 0.7:
        summary = f"{summary} {sentences[1]}"
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return summary


def _service_types(document: Mapping[str, Any]) -> list[str]:
    names = []
    for attribute in document.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        if str(term.get("taxonomy_id") or "") == str(LGA_SERVICE_TYPES_ID) and term.get("name"):
            names.append(term["name"])
    return list(dict.fromkeys(names))


def _postcode(location: Mapping[str, Any]) -> str:
    for address in location.get("addresses") or []:
        if address.get("postal_code"):
            return str(address["postal_code"])
    return ""


def _place_name(location: Mapping[str, Any]) -> str:
    parts = [str(location.get("name") or "").strip(), _postcode(location)]
    return ", ".join(p for p in parts if p)


def _nearest(document: Mapping[str, Any], origin) -> tuple[dict | None, float | None]:
    from directory.geo import distance_metres

    locations = [loc for loc in _locations(document) if loc]
    if not locations:
        return None, None
    if origin is None:
        return locations[0], None
    best, best_distance = None, None
    for location in locations:
        lat, lon = location.get("latitude"), location.get("longitude")
        if lat is None or lon is None:
            continue
        distance = distance_metres(origin.latitude, origin.longitude, float(lat), float(lon))
        if best_distance is None or distance < best_distance:
            best, best_distance = location, distance
    return (best or locations[0]), best_distance


def _where(document: Mapping[str, Any], location: dict | None) -> str:
    if location:
        return _place_name(location)
    areas = [a.get("name") for a in document.get("service_areas") or [] if a.get("name")]
    if areas:
        return f"Across {', '.join(areas[:2])}"
    return "Online" if document.get("url") or document.get("email") else ""


def _cost_label(values: set[str]) -> str:
    if values == {"free"}:
        return "Free"
    if "paid" in values:
        return "Paid"
    return ""


def _result(
    row: Mapping[str, Any], organizations: Mapping, origin, now: dt.datetime
) -> FinderResult:
    document = json.loads(row["document"])
    location, distance = _nearest(document, origin)
    sessions, closures = opening.document_sessions(document)
    attending = list(dict.fromkeys(s.attending for s in sessions if s.attending))
    organization_id = str(row["organization_id"]) if row["organization_id"] else None
    return FinderResult(
        service_id=str(row["pk"]),
        name=row["name"],
        organization_id=organization_id,
        organization_name=organizations.get(row["organization_id"], ""),
        summary=summary_of(row["description"]),
        service_types=_service_types(document),
        distance_metres=None if distance is None else round(distance, 1),
        where=_where(document, location),
        when_next=opening.when_next(sessions, closures, now),
        attending=[ATTENDING_LABELS[a] for a in ATTENDING_LABELS if a in attending],
        cost=_cost_label(_cost_values(document)),
        assured_date=row["assured_date"],
        checked=checked_label(row["assured_date"], opening.local(now).date()),
    )


def _page_slice(page: int, per_page: int) -> slice:
    return slice((page - 1) * per_page, page * per_page)


def find(
    query: FinderQuery, *, page: int = 1, per_page: int = 20, now: dt.datetime | None = None
) -> FinderResults:
    """Search the default feed's published services (see the module docstring)."""
    now = now or timezone.now()
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    query = _clean(query)
    plan = _plan(query, now)
    plan.selected["_time"] = {query.time_of_day} if query.time_of_day else set()
    asked = max(1, int(page))
    total, counts, page_ids = _search_once(plan, _page_slice(asked, per_page))
    pages = max(1, math.ceil(total / per_page))
    page = min(asked, pages)
    if page != asked:  # past the last page: show the last
        page_ids = _search_once(plan, _page_slice(page, per_page))[2]
    # The page's ids come in order: its rows are fetched by id and put in that order.
    by_id = {
        row["pk"]: row
        for row in PublishedService.objects.filter(pk__in=page_ids)
        .order_by()
        .values("pk", "name", "organization_id", "description", "assured_date", "document")
    }
    rows = [by_id[pk] for pk in page_ids if pk in by_id]
    organizations = dict(
        PublishedOrganization.objects.filter(
            pk__in={r["organization_id"] for r in rows if r["organization_id"]}
        ).values_list("pk", "name")
    )
    facets = _facets(plan, counts)
    return FinderResults(
        total=total,
        results=[_result(row, organizations, plan.origin, now) for row in rows],
        facets=facets,
        origin=plan.origin,
        page=page,
        per_page=per_page,
        pages=pages,
    )


# Pages of one service and one organisation


@dataclass
class PageLocation:
    id: str
    name: str
    address_lines: list[str]
    postcode: str
    latitude: float | None
    longitude: float | None
    accessibility: list[str]
    sessions: list[str]
    description: str = ""


@dataclass
class Phone:
    number: str
    label: str


@dataclass
class ContactEntry:
    name: str
    title: str
    email: str
    phones: list[Phone]


@dataclass
class ServicePage:
    service_id: str
    name: str
    description: str
    status: str
    alert: str
    url: str
    email: str
    organization_id: str | None
    organization_name: str
    organization_url: str
    locations: list[PageLocation]
    contacts: list[ContactEntry]
    phones: list[Phone]
    sessions: list[str]  # the service's own sessions (each location's are on the location)
    closures: list[str]
    when_next: str
    attending: list[str]
    costs: list[str]
    cost: str
    fees: str
    eligibility: str
    minimum_age: float | None
    maximum_age: float | None
    ages: str
    languages: list[str]
    accessibility: list[str]
    service_areas: list[str]
    service_types: list[tuple[str, str]]  # (term id, label)
    assured_date: dt.date | None
    checked: str
    additional_urls: list[tuple[str, str]]  # (label, url)
    document: dict = field(repr=False, default_factory=dict)


@dataclass
class OrganizationPage:
    organization_id: str
    name: str
    description: str
    email: str
    website: str
    phones: list[Phone]
    services: list[FinderResult]


def _phones(items: Iterable[Mapping[str, Any]]) -> list[Phone]:
    return [
        Phone(str(p.get("number") or ""), str(p.get("description") or p.get("type") or ""))
        for p in items or []
        if p.get("number")
    ]


def _ages(minimum: float | None, maximum: float | None) -> str:
    def n(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    if minimum is not None and maximum is not None:
        return f"{n(minimum)} to {n(maximum)} years"
    if minimum is not None:
        return f"{n(minimum)} years and over"
    if maximum is not None:
        return f"Up to {n(maximum)} years"
    return ""


def _number(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _closure_line(closure: opening.Closure) -> str:
    if closure.starts == closure.ends:
        span = f"{closure.starts:%-d %B %Y}"
    else:
        span = f"{closure.starts:%-d %B %Y} to {closure.ends:%-d %B %Y}"
    words = closure.description.strip()
    return f"{words} ({span})" if words and words != "Closed" else f"Closed {span}"


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def service_page(service_id: Any, *, now: dt.datetime | None = None) -> ServicePage | None:
    """Everything the service page shows, from the published document of the default feed's
    snapshot (None if the service is not in the feed). Two queries."""
    pk = _uuid_or_none(service_id)
    feed = _default_feed()
    if pk is None or feed is None:
        return None
    row = (
        PublishedService.objects.for_feed(feed)
        .filter(pk=pk)
        .values("pk", "organization_id", "document", "assured_date")
        .first()
    )
    if row is None:
        return None
    document = json.loads(row["document"])
    organization = document.get("organization") or {}
    sessions, closures = opening.document_sessions(document)
    today = opening.local(now).date()
    locations = []
    for sal in document.get("service_at_locations") or []:
        location = sal.get("location") or {}
        address = next(iter(location.get("addresses") or []), {})
        lines = [
            str(address.get(k) or "").strip() for k in ("address_1", "address_2", "city", "region")
        ]
        location_sessions = [
            s for s in sessions if s.location_id and s.location_id == location.get("id")
        ]
        locations.append(
            PageLocation(
                id=str(location.get("id") or ""),
                name=str(location.get("name") or ""),
                address_lines=[line for line in lines if line],
                postcode=str(address.get("postal_code") or ""),
                latitude=_number(location.get("latitude")),
                longitude=_number(location.get("longitude")),
                accessibility=[
                    " - ".join(x for x in (a.get("description"), a.get("details")) if x)
                    for a in location.get("accessibility") or []
                    if a.get("description") or a.get("details")
                ],
                sessions=[opening.describe(s) for s in location_sessions],
                description=str(sal.get("description") or location.get("description") or ""),
            )
        )
    own = [s for s in sessions if not s.location_id]
    attending = {s.attending for s in sessions if s.attending}
    minimum, maximum = _number(document.get("minimum_age")), _number(document.get("maximum_age"))
    accessibility = sorted({ACCESSIBILITY[key][0] for key in _accessibility_values(document)})
    eligibility = [
        a.get("taxonomy_term", {}).get("name")
        for a in document.get("attributes") or []
        if "eligib" in str((a.get("taxonomy_term") or {}).get("taxonomy") or "").lower()
    ]
    assured = _date(document.get("assured_date")) or row["assured_date"]
    return ServicePage(
        service_id=str(row["pk"]),
        name=str(document.get("name") or ""),
        description=str(document.get("description") or ""),
        status=str(document.get("status") or ""),
        alert=str(document.get("alert") or ""),
        url=str(document.get("url") or ""),
        email=str(document.get("email") or ""),
        organization_id=str(row["organization_id"]) if row["organization_id"] else None,
        organization_name=str(organization.get("name") or ""),
        organization_url=str(organization.get("website") or ""),
        locations=locations,
        contacts=[
            ContactEntry(
                name=str(c.get("name") or ""),
                title=str(c.get("title") or c.get("department") or ""),
                email=str(c.get("email") or ""),
                phones=_phones(c.get("phones")),
            )
            for c in document.get("contacts") or []
        ],
        phones=_phones(document.get("phones")),
        sessions=[opening.describe(s) for s in own],
        closures=[
            _closure_line(c) for c in sorted(closures, key=lambda c: c.starts) if c.ends >= today
        ],
        when_next=opening.when_next(sessions, closures, now),
        attending=[label for code, label in ATTENDING_LABELS.items() if code in attending],
        costs=[
            str(c.get("amount_description") or c.get("option") or "")
            for c in document.get("cost_options") or []
            if c.get("amount_description") or c.get("option")
        ],
        cost=_cost_label(_cost_values(document)),
        fees=str(document.get("fees") or ""),
        eligibility=", ".join(e for e in eligibility if e),
        minimum_age=minimum,
        maximum_age=maximum,
        ages=_ages(minimum, maximum),
        languages=sorted(_languages(document)),
        accessibility=accessibility,
        service_areas=[
            str(a.get("name") or a.get("service_area") or "")
            for a in document.get("service_areas") or []
            if a.get("name") or a.get("service_area")
        ],
        service_types=[
            (str(a["taxonomy_term"].get("id")), a["taxonomy_term"]["name"])
            for a in document.get("attributes") or []
            if (a.get("taxonomy_term") or {}).get("name")
            and str(a["taxonomy_term"].get("taxonomy_id") or "") == str(LGA_SERVICE_TYPES_ID)
        ],
        assured_date=assured,
        checked=checked_label(assured, today),
        additional_urls=[
            (str(u.get("label") or u.get("url")), str(u.get("url")))
            for u in document.get("additional_urls") or []
            if u.get("url")
        ],
        document=document,
    )


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def organization_page(
    organization_id: Any, *, now: dt.datetime | None = None, limit: int = 200
) -> OrganizationPage | None:
    """The organisation's published document and its services in the default feed (as search
    results, by name; at most `limit`). None if it has no published service in the feed."""
    pk = _uuid_or_none(organization_id)
    feed = _default_feed()
    if pk is None or feed is None:
        return None
    row = PublishedOrganization.objects.filter(pk=pk).values("pk", "name", "document").first()
    if row is None:
        return None
    now = now or timezone.now()
    document = json.loads(row["document"])
    services = list(
        PublishedService.objects.for_feed(feed)
        .filter(organization_id=pk)
        .order_by("name", "pk")
        .values("pk", "name", "organization_id", "description", "assured_date", "document")[:limit]
    )
    if not services:
        return None
    organizations = {pk: row["name"]}
    return OrganizationPage(
        organization_id=str(pk),
        name=row["name"],
        description=str(document.get("description") or ""),
        email=str(document.get("email") or ""),
        website=str(document.get("website") or ""),
        phones=_phones(document.get("phones")),
        services=[_result(s, organizations, None, now) for s in services],
    )

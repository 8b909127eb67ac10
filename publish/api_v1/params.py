"""Reading the 1.0 query parameters: the repeated and comma-joined forms the clients really send.

ServiceFinder repeats `need`, `circumstance`, `day`, `startTime` and `endTime` once per value and
ends its query with `&` (`Query_direction` in OpenReferralUK/ServiceFinder
`src/settings/settings.js`); the LGA Service Finder leaves empty values out and joins `include`
with a comma (OpenReferralUK/LGA-Service-Finder `src/shared/api/search.ts`); the reference API
takes `taxonomy_id`, `vocabulary`, `taxonomy_type`, `start_time`, `end_time` and `day` as lists
(`WebApp/.../controllers/ServiceController.java`). So: a parameter that is a list in 1.0 may be
repeated (and `day` and `include` comma-joined), any other may appear once; an empty value counts
as absent (the finders build URLs by concatenation); surrounding spaces are dropped (ServiceFinder
asks for `parent_id=circumstance:191 ` with one). A name we do not know, a repeated single
parameter or a malformed value answers 400 naming the parameter, as `/api/v3/` does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings

from directory.geo import InvalidPostcode, PostcodePoint, lookup_postcode
from directory.validators import DAY_CODES
from publish.api.errors import BadParameter

from . import render

_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$")
TAXONOMY_TYPES = {"", "any", "service", "organization", "eligibility", "cost_option", "area"}
INCLUDABLE = frozenset(render.COLLECTIONS) | frozenset(render.BASIC)
MAX_AGE = 150
MAX_PROXIMITY = 1_000_000  # metres
TAXONOMY_MAX_PER_PAGE = 10_000  # finders fetch whole vocabularies (`per_page=500`, `5000`)


class Params:
    """The query string, checked for unknown and wrongly repeated names."""

    def __init__(self, query, *, single: set[str], multiple: set[str] = frozenset()) -> None:
        known = single | multiple
        unknown = sorted(set(query) - known)
        if unknown:
            raise BadParameter(
                f"{unknown[0]} is not a parameter of this endpoint; it accepts "
                + ", ".join(sorted(known)),
                parameter=unknown[0],
            )
        self.values: dict[str, list[str]] = {}
        for name in query:
            values = [v.strip() for v in query.getlist(name)]
            values = [v for v in values if v]
            if name in single and len(values) > 1:
                raise BadParameter(f"{name} is given more than once", parameter=name)
            if values:
                self.values[name] = values

    def one(self, name: str) -> str | None:
        return self.values.get(name, [None])[0]

    def many(self, name: str, *, commas: bool = False) -> list[str]:
        values = self.values.get(name, [])
        if commas:
            values = [part.strip() for v in values for part in v.split(",") if part.strip()]
        return values

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        text = self.one(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise BadParameter(
                f"{name}: must be a whole number from {low} to {high}, not {text!r}",
                parameter=name,
            )
        return value

    def number(self, name: str, high: float) -> float | None:
        text = self.one(name)
        if text is None:
            return None
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not 0 <= value <= high:  # NaN fails too
            raise BadParameter(
                f"{name}: must be a number from 0 to {high:g}, not {text!r}", parameter=name
            )
        return value

    def postcode(self, name: str) -> PostcodePoint | None:
        text = self.one(name)
        if text is None:
            return None
        try:
            return lookup_postcode(text)
        except InvalidPostcode as exc:
            raise BadParameter(f"{name}: {exc}", parameter=name) from exc

    def page(self, *, max_per_page: int) -> tuple[int, int]:
        page = self.integer("page", 1, 1, 10_000_000)
        per_page = self.integer("per_page", settings.PORTAL_API_PER_PAGE, 1, max_per_page)
        return page, per_page


def parse_time(name: str, text: str) -> dt.time:
    match = _TIME.match(text)
    if not match:
        raise BadParameter(f"{name}: must be a time like 09:30, not {text!r}", parameter=name)
    hours, minutes, seconds = match.groups()
    return dt.time(int(hours), int(minutes), int(seconds or 0))


def parse_days(name: str, text: str) -> tuple[str, ...]:
    days = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    bad = [day for day in days if day not in DAY_CODES]
    if bad:
        raise BadParameter(
            f"{name}: must be RFC 5545 day codes ({', '.join(DAY_CODES)}), not {bad[0]!r}",
            parameter=name,
        )
    return days


@dataclass(frozen=True)
class TimeWindow:
    """One `day`/`startTime`/`endTime` set: any of `days` (all when empty) with hours overlapping
    `start`-`end` (either may be open)."""

    days: tuple[str, ...] = ()
    start: dt.time | None = None
    end: dt.time | None = None


@dataclass
class ServiceQuery:
    text: str = ""
    taxonomy: list[tuple[str, str | None]] = field(default_factory=list)
    service_types: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    circumstances: list[str] = field(default_factory=list)
    postcode: PostcodePoint | None = None
    proximity: float | None = None
    coverage: PostcodePoint | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    windows: list[TimeWindow] = field(default_factory=list)
    include: frozenset[str] = frozenset()
    page: int = 1
    per_page: int = 50


SERVICE_SINGLE = {
    "text",
    "postcode",
    "proximity",
    "coverage",
    "minimum_age",
    "maximum_age",
    "page",
    "per_page",
}
SERVICE_MULTIPLE = {
    "taxonomy_id",
    "vocabulary",
    "taxonomy_type",
    "service_type",
    "need",
    "circumstance",
    "day",
    "startTime",
    "endTime",
    "start_time",
    "end_time",
    "include",
}


def service_query(query) -> ServiceQuery:
    params = Params(query, single=SERVICE_SINGLE, multiple=SERVICE_MULTIPLE)
    result = ServiceQuery(text=params.one("text") or "")
    if len(result.text) > 200:
        raise BadParameter("text: must be at most 200 characters", parameter="text")
    result.taxonomy = _taxonomy_pairs(params)
    result.service_types = params.many("service_type", commas=True)
    result.needs = params.many("need")
    result.circumstances = params.many("circumstance")
    result.postcode = params.postcode("postcode")
    result.proximity = params.number("proximity", MAX_PROXIMITY)
    result.coverage = params.postcode("coverage")
    result.minimum_age = params.number("minimum_age", MAX_AGE)
    result.maximum_age = params.number("maximum_age", MAX_AGE)
    if (
        result.minimum_age is not None
        and result.maximum_age is not None
        and result.minimum_age > result.maximum_age
    ):
        raise BadParameter("maximum_age: must be at least minimum_age", parameter="maximum_age")
    result.windows = _windows(params)
    include = frozenset(params.many("include", commas=True))
    unknown = sorted(include - INCLUDABLE)
    if unknown:
        raise BadParameter(
            f"include: {unknown[0]!r} is not a member of a service; include one of "
            + ", ".join(render.COLLECTIONS),
            parameter="include",
        )
    result.include = include
    result.page, result.per_page = params.page(max_per_page=settings.PORTAL_API_MAX_PER_PAGE)
    return result


def _taxonomy_pairs(params: Params) -> list[tuple[str, str | None]]:
    """`taxonomy_id`s with their `vocabulary`: one vocabulary for all, or one each in order."""
    ids = params.many("taxonomy_id")
    vocabularies = params.many("vocabulary")
    for kind in params.many("taxonomy_type"):
        if kind.lower() not in TAXONOMY_TYPES:
            raise BadParameter(
                "taxonomy_type: must be one of "
                + ", ".join(sorted(t for t in TAXONOMY_TYPES if t)),
                parameter="taxonomy_type",
            )
    if len(vocabularies) > 1 and len(vocabularies) != len(ids):
        name = "vocabulary" if len(vocabularies) < len(ids) else "taxonomy_id"
        raise BadParameter(
            f"{name}: give one vocabulary for all taxonomy_id values, or one for each "
            f"({len(ids)} taxonomy_id, {len(vocabularies)} vocabulary)",
            parameter=name,
        )
    if len(vocabularies) == 1:
        return [(value, vocabularies[0]) for value in ids]
    if vocabularies:
        return list(zip(ids, vocabularies, strict=True))
    return [(value, None) for value in ids]


def _windows(params: Params) -> list[TimeWindow]:
    """Sets of `day`, `startTime` and `endTime` (or `start_time`, `end_time`), paired by order as
    the reference API pairs them; a set's missing members are open."""
    days = [parse_days("day", v) for v in params.many("day")]
    starts = [parse_time(n, v) for n in ("startTime", "start_time") for v in params.many(n)]
    ends = [parse_time(n, v) for n in ("endTime", "end_time") for v in params.many(n)]
    size = max(len(days), len(starts), len(ends))
    windows = []
    for i in range(size):
        window = TimeWindow(
            days=days[i] if i < len(days) else (),
            start=starts[i] if i < len(starts) else None,
            end=ends[i] if i < len(ends) else None,
        )
        if window.start and window.end and window.start >= window.end:
            name = "endTime" if "endTime" in params.values else "end_time"
            raise BadParameter(f"{name}: must be later than its start time", parameter=name)
        windows.append(window)
    return windows


TAXONOMY_SINGLE = {"vocabulary", "parent_id", "text", "root_only", "page", "per_page"}


@dataclass
class TaxonomyQuery:
    vocabulary: str | None = None
    parent_id: str | None = None
    text: str = ""
    root_only: bool = False
    page: int = 1
    per_page: int = 50


def taxonomy_query(query) -> TaxonomyQuery:
    params = Params(query, single=TAXONOMY_SINGLE)
    root_only = (params.one("root_only") or "false").lower()
    if root_only not in ("true", "false", "1", "0"):
        raise BadParameter("root_only: must be true or false", parameter="root_only")
    page, per_page = params.page(max_per_page=TAXONOMY_MAX_PER_PAGE)
    return TaxonomyQuery(
        vocabulary=params.one("vocabulary"),
        parent_id=params.one("parent_id"),
        text=params.one("text") or "",
        root_only=root_only in ("true", "1"),
        page=page,
        per_page=per_page,
    )

"""What the quality dashboard counts, and whose services it counts: the reads behind
`workflow.quality.views`. Each problem is a named filter over services, so a count and the list
it links to can never disagree; all counts, per partner, come from one query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, StrIndex, Substr

from accounts.models import Partner
from accounts.policy import Action, is_directory_admin, objects_user_can, user_can
from directory.models import Service
from workflow.reviews import overdue_filter

from .models import LinkCheck

NOT_ALLOCATED = "none"


def low_score() -> int:
    return int(getattr(settings, "PORTAL_QUALITY_LOW_SCORE", 50))


def _domain(field: str) -> models.Func:
    """The part of an email address after its "@" (empty for an empty address), lower-cased."""
    return Lower(Substr(field, StrIndex(field, models.Value("@")) + 1))


def _broken_urls() -> models.QuerySet:
    return LinkCheck.objects.urls().broken().values("target")


def _broken_domains() -> models.QuerySet:
    return LinkCheck.objects.email_domains().broken().values("target")


@dataclass(frozen=True)
class Problem:
    slug: str
    title: str  # "Overdue reviews": the list page's heading
    text: str  # after a count: "3 services overdue for review"; {low} is the low score
    condition: Callable[[], models.Q]  # over services annotated by `with_domains`
    admins_only: bool = False  # only directory admins see unallocated services at all

    def describe(self) -> str:
        return self.text.format(low=low_score())


PROBLEMS: tuple[Problem, ...] = (
    Problem("overdue", "Overdue reviews", "overdue for review", lambda: overdue_filter()),
    Problem(
        "unallocated",
        "Unallocated services",
        "not allocated to a partner",
        lambda: models.Q(allocation__isnull=True),
        admins_only=True,
    ),
    Problem(
        "personal-data",
        "Personal data flagged",
        "with what looks like personal data",
        lambda: models.Q(quality__personal_data_flags__gt=0),
    ),
    Problem(
        "missing-required",
        "Missing required details",
        "missing a description, a way to get in touch or a service type",
        lambda: models.Q(quality__missing_required=True),
    ),
    Problem(
        "low-score",
        "Low richness scores",
        "scoring below {low} out of 100",
        lambda: models.Q(quality__score__lt=low_score()),
    ),
    Problem(
        "broken-links",
        "Broken website links",
        "with a website link that does not work",
        lambda: (
            models.Q(url__in=_broken_urls()) | models.Q(organization__website__in=_broken_urls())
        ),
    ),
    Problem(
        "broken-email",
        "Email domains that take no email",
        "with an email address whose domain takes no email",
        lambda: (
            models.Q(service_email_domain__in=_broken_domains())
            | models.Q(organization_email_domain__in=_broken_domains())
        ),
    ),
)
PROBLEMS_BY_SLUG = {problem.slug: problem for problem in PROBLEMS}


def may_see_dashboard(user: Any) -> bool:
    """Assurers (of some service) and directory admins."""
    return user_can(user, Action.ASSURE)


def problems_for(user: Any) -> tuple[Problem, ...]:
    admin = is_directory_admin(user)
    return tuple(p for p in PROBLEMS if admin or not p.admins_only)


def services_for(user: Any) -> models.QuerySet[Service]:
    """The services the dashboard counts for `user`: those they may assure (every service, for
    directory admins; their allocated partner's, for assurers)."""
    return objects_user_can(user, Action.ASSURE, Service.objects.all())


def with_domains(services: models.QuerySet[Service]) -> models.QuerySet[Service]:
    return services.annotate(
        service_email_domain=_domain("email"),
        organization_email_domain=_domain("organization__email"),
    )


_PARTNER = re.compile(r"^(?:none|[0-9]{1,18})$")


def is_partner_choice(value: str) -> bool:
    """Is `value` a partner id or "none" (the unallocated), as the count links give it?"""
    return bool(_PARTNER.match(value))


def for_partner(services: models.QuerySet[Service], partner: str) -> models.QuerySet[Service]:
    """Narrowed to one allocated partner (its id), or to the unallocated ("none")."""
    if partner == NOT_ALLOCATED:
        return services.filter(allocation__isnull=True)
    return services.filter(allocation__partner_id=partner)


@dataclass(frozen=True)
class Counts:
    totals: dict[str, int]
    # (partner id or NOT_ALLOCATED, partner name, {slug: count}), by name, unallocated last.
    partners: list[tuple[str, str, dict[str, int]]]


def counts(user: Any) -> Counts:
    """Every problem's count, in total and per allocated partner (two queries)."""
    problems = problems_for(user)
    rows = (
        with_domains(services_for(user))
        .order_by()
        .values("allocation__partner")
        .annotate(
            **{problem.slug: models.Count("pk", filter=problem.condition()) for problem in problems}
        )
    )
    by_partner = {row["allocation__partner"]: row for row in rows}
    names = dict(
        Partner.objects.filter(pk__in=[pk for pk in by_partner if pk is not None]).values_list(
            "pk", "name"
        )
    )
    partners = sorted(
        (
            (str(pk), names.get(pk, ""), {p.slug: row[p.slug] for p in problems})
            for pk, row in by_partner.items()
            if pk is not None
        ),
        key=lambda item: (item[1].lower(), item[0]),
    )
    if None in by_partner:
        row = by_partner[None]
        partners.append((NOT_ALLOCATED, "Not allocated", {p.slug: row[p.slug] for p in problems}))
    totals = {p.slug: sum(item[2][p.slug] for item in partners) for p in problems}
    return Counts(totals=totals, partners=partners)


def problem_services(user: Any, problem: Problem, partner: str = "") -> models.QuerySet[Service]:
    """The services `user` may assure that have `problem` (of one partner, if given)."""
    services = with_domains(services_for(user)).filter(problem.condition())
    if partner:
        services = for_partner(services, partner)
    return services

"""What the quality pages and panels show, prepared for the templates: the score panel editors
see, the dashboard's counts and the rows of a problem's list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from core.components import cell, column, link
from directory.models import Service
from workflow.models import ChangeRequest
from workflow.records import day, service_link
from workflow.sections import section_for

from .dashboard import Counts, Problem, problems_for
from .models import LinkCheck, LinkKind
from .scoring import Score, score_document
from .services import email_domain


def score_panel(score: Score, *, change_request: ChangeRequest | None = None) -> dict[str, Any]:
    """The score and what would raise it, each hint linking to the section of a proposal that
    edits it (when shown on the proposal's task list)."""
    hints = []
    for part in score.missing:
        href = ""
        if change_request is not None and section_for(change_request.subject, part.section):
            href = reverse("workflow:edit-section", args=[change_request.pk, part.section])
        hints.append({"text": part.hint, "href": href})
    return {"score": score.value, "hints": hints}


def proposal_score_panel(change_request: ChangeRequest) -> dict[str, Any] | None:
    """The live score of a service proposal as it stands (None for an organisation's
    details, which are not scored)."""
    if change_request.is_organization_change:
        return None
    return score_panel(score_document(change_request.proposed), change_request=change_request)


def service_score_panel(document: dict[str, Any]) -> dict[str, Any]:
    """The live score of a service's record (`workflow.documents.current_document`)."""
    return score_panel(score_document(document))


def _problem_href(problem: Problem, partner: str = "") -> str:
    href = reverse("quality:problem-list", args=[problem.slug])
    return f"{href}?{urlencode({'partner': partner})}" if partner else href


def dashboard_items(user: Any, found: Counts) -> list[dict[str, Any]]:
    """One line per problem: its total and the link to its list."""
    return [
        {
            "slug": problem.slug,
            "count": found.totals[problem.slug],
            "text": problem.describe(),
            "href": _problem_href(problem),
        }
        for problem in problems_for(user)
    ]


def partner_table(user: Any, found: Counts) -> dict[str, Any]:
    """Partners down, problems across; each non-zero count links to its list."""
    problems = problems_for(user)
    rows = []
    for partner, name, numbers in found.partners:
        row = [cell(name, header=True)]
        for problem in problems:
            number = numbers[problem.slug]
            hidden = f"{problem.title.lower()}, {name}"
            value = link(_problem_href(problem, partner), str(number), hidden) if number else "0"
            row.append(cell(value, numeric=True))
        rows.append(row)
    head = [column("Partner")] + [column(p.title, numeric=True) for p in problems]
    return {"head": head, "rows": rows}


def _broken_checks(services: list[Service]) -> dict[tuple[str, str], LinkCheck]:
    """The link checks of the page's addresses and domains (one query)."""
    urls, domains = set(), set()
    for service in services:
        urls |= {service.url, service.organization.website if service.organization_id else ""}
        domains |= {
            email_domain(service.email),
            email_domain(service.organization.email if service.organization_id else ""),
        }
    checks = LinkCheck.objects.broken().filter(
        Q(kind=LinkKind.URL, target__in=urls - {""})
        | Q(kind=LinkKind.EMAIL_DOMAIN, target__in=domains - {""})
    )
    return {(check.kind, check.target): check for check in checks}


def _detail(problem: Problem, service: Service, broken: dict) -> Any:
    quality = getattr(service, "quality", None)
    if problem.slug == "overdue":
        return f"Last assured {day(service.assured_date)}"
    if problem.slug == "personal-data" and quality is not None:
        n = quality.personal_data_flags
        return f"{n} thing{'s' if n != 1 else ''} to check"
    if problem.slug == "missing-required" and quality is not None:
        return "; ".join(m["hint"] for m in quality.missing if m.get("required"))
    if problem.slug == "low-score" and quality is not None:
        return quality.missing[0]["hint"] if quality.missing else ""
    if problem.slug in ("broken-links", "broken-email"):
        organization = service.organization if service.organization_id else None
        if problem.slug == "broken-links":
            keys = [(LinkKind.URL, service.url)]
            if organization is not None:
                keys.append((LinkKind.URL, organization.website))
        else:
            keys = [(LinkKind.EMAIL_DOMAIN, email_domain(service.email))]
            if organization is not None:
                keys.append((LinkKind.EMAIL_DOMAIN, email_domain(organization.email)))
        found = [broken[key] for key in keys if key in broken]
        return "; ".join(f"{c.target}: {c.error or c.get_status_display()}" for c in found)
    return ""


def problem_table(problem: Problem, services: Iterable[Service]) -> dict[str, Any]:
    """Rows of services read with `organization`, `allocation__partner` and `quality`."""
    services = list(services)
    broken = _broken_checks(services) if problem.slug in ("broken-links", "broken-email") else {}
    rows = []
    for service in services:
        quality = getattr(service, "quality", None)
        allocation = getattr(service, "allocation", None)
        rows.append(
            [
                cell(service_link(service), header=True),
                cell(service.organization.name if service.organization_id else ""),
                cell(allocation.partner.name if allocation else "Not allocated"),
                cell(quality.score if quality is not None else "Not scored yet", numeric=True),
                cell(_detail(problem, service, broken)),
            ]
        )
    head = [
        column("Service"),
        column("Organisation"),
        column("Allocated to"),
        column("Score", numeric=True),
        column("What to look at"),
    ]
    return {"head": head, "rows": rows}

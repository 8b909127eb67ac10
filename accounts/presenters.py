"""What the staff pages show, prepared in Python: labels, tags and their colours, table rows.

Templates only lay these out through the component partials (templates/components/).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from accounts import two_factor
from accounts.models import AuditEvent, Invitation, Membership, Partner, Role
from accounts.policy import Action, is_directory_admin, user_can
from core.components import (
    action,
    button_form,
    cell,
    column,
    details,
    lines,
    link,
    summary_rows,
    tag,
)
from core.models import BackgroundTask, BackgroundTaskStatus

STATUS_COLOURS = {
    "pending": "blue",
    "accepted": "green",
    "expired": "grey",
    "revoked": "red",
}


def when(moment: Any) -> str:
    """'27 March 2026, 14:05' in the portal's time zone."""
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


def yes_no(value: bool, yes: str = "Yes", no: str = "No") -> Any:
    return tag(yes, "green") if value else tag(no, "grey")


def two_factor_tag(on: bool) -> Any:
    return tag("On", "green") if on else tag("Off", "grey")


# --- navigation and your account ------------------------------------------------------------


def navigation(request: Any) -> list[dict[str, Any]]:
    """The header's links for whoever is signed in (only "Sign out" while 2FA is pending)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return [{"text": "Sign in", "href": reverse("accounts:sign-in"), "active": False}]
    items = []
    if two_factor.pending_step(user) is None:
        items.append(("Home", reverse("workflow:home"), True))
        if _may_work_on_records(user):
            items.append(("Services", reverse("workflow:service-list"), False))
        if user_can(user, Action.ASSURE):
            items.append(("Assurance", reverse("workflow:queue"), False))
        if any(user_can(user, action) for action in (Action.EDIT, Action.SUGGEST)):
            items.append(("Your changes", reverse("workflow:change-list"), False))
        items.append(("Your account", reverse("accounts:account"), True))
        if user_can(user, Action.MANAGE_MEMBERS):
            items.append(("Partners", reverse("accounts:partner-list"), False))
        if user_can(user, Action.MANAGE_RULES):
            items.append(("Allocation rules", reverse("accounts:rule-list"), False))
        if user_can(user, Action.VIEW_AUDIT_LOG):
            items.append(("Audit log", reverse("accounts:audit-log"), False))
        if user_can(user, Action.VIEW_SEARCH_INSIGHT):
            items.append(("Search insight", reverse("finder:search-insight"), False))
        if user_can(user, Action.MANAGE_TASKS):
            items.append(("Background tasks", reverse("accounts:task-list"), False))
    items.append(("Sign out", reverse("accounts:sign-out"), True))
    path = request.path
    return [
        {"text": text, "href": href, "active": path == href if exact else path.startswith(href)}
        for text, href, exact in items
    ]


def _may_work_on_records(user: Any) -> bool:
    return any(user_can(user, action) for action in (Action.VIEW_DRAFT, Action.SUGGEST))


def staff_links(user: Any) -> list[dict[str, str]]:
    """The staff pages this person may use, for their account page."""
    links = []
    if is_directory_admin(user):
        links.append(
            {
                "href": reverse("accounts:partner-list"),
                "text": "Partners",
                "hint": "Partner agencies, their members and the services they assure",
            }
        )
        links.append(
            {
                "href": reverse("accounts:rule-list"),
                "text": "Allocation rules",
                "hint": "Which partner assures which services",
            }
        )
        links.append(
            {
                "href": reverse("accounts:unallocated-services"),
                "text": "Unallocated services",
                "hint": "Services no rule covers",
            }
        )
    elif user_can(user, Action.MANAGE_MEMBERS):
        links.append(
            {
                "href": reverse("accounts:partner-list"),
                "text": "Your partners' members",
                "hint": "Invite people, change their roles, remove them",
            }
        )
    if user_can(user, Action.IMPORT_RECORDS):
        links.append(
            {
                "href": reverse("accounts:import-list"),
                "text": "Imports",
                "hint": "Import ORUK files of services, organisations and taxonomies",
            }
        )
    if user_can(user, Action.VIEW_AUDIT_LOG):
        links.append(
            {
                "href": reverse("accounts:audit-log"),
                "text": "Audit log",
                "hint": "Sign-ins, invitations, role changes and permission grants",
            }
        )
    if user_can(user, Action.VIEW_SEARCH_INSIGHT):
        links.append(
            {
                "href": reverse("finder:search-insight"),
                "text": "Search insight",
                "hint": "What people search the finder for, and the searches that found nothing",
            }
        )
    if user_can(user, Action.MANAGE_TASKS):
        links.append(
            {
                "href": reverse("accounts:task-list"),
                "text": "Background tasks",
                "hint": "Work queued by changes to rules and partners, and publishing; "
                "retry what failed",
            }
        )
    return links


def account(user: Any) -> dict[str, Any]:
    has_device = two_factor.has_device(user)
    required = two_factor.two_factor_required(user)
    if not has_device:
        tf_actions = [action(reverse("accounts:two-factor-setup"), "Set up", "two-factor")]
    elif required:
        tf_actions = [
            action(reverse("accounts:two-factor-setup"), "Use a new app", "for two-factor")
        ]
    else:
        tf_actions = [action(reverse("accounts:two-factor-remove"), "Turn off", "two-factor")]
    recovery_rows = []
    if has_device:
        left = two_factor.recovery_codes_left(user)
        recovery_rows.append(
            {
                "key": "Recovery codes",
                "value": f"{left} left",
                "actions": [
                    action(
                        reverse("accounts:two-factor-recovery-codes"), "Make new", "recovery codes"
                    )
                ],
            }
        )
    rows = [
        {"key": "Name", "value": user.get_full_name() or "Not given"},
        {"key": "Email address", "value": user.email},
        {
            "key": "Password",
            "value": "Set",
            "actions": [action(reverse("accounts:password-change"), "Change", "password")],
        },
        {
            "key": "Two-factor authentication",
            "value": two_factor_tag(has_device),
            "actions": tf_actions,
        },
        *recovery_rows,
    ]
    if is_directory_admin(user):
        rows.append({"key": "Site-wide role", "value": "Directory admin"})
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("partner")
        .order_by("partner__name", "role")
    )
    role_rows = [
        [cell(membership.partner.name, header=True), cell(membership.get_role_display())]
        for membership in memberships
    ]
    return {
        "details": summary_rows(rows),
        "roles_head": [column("Partner"), column("Role")],
        "roles": role_rows,
        "links": staff_links(user),
        "two_factor_required": required,
        "two_factor_on": has_device,
    }


# --- partners and members -------------------------------------------------------------------


def partner_table(partners: Iterable[Partner]) -> dict[str, Any]:
    """Partners annotated with `member_count` and `service_count` (see PartnerListView)."""
    rows = [
        [
            cell(link(reverse("accounts:partner-detail", args=[p.pk]), p.name), header=True),
            cell(p.get_kind_display()),
            cell(p.member_count, numeric=True),
            cell(p.service_count, numeric=True),
            cell(yes_no(p.can_self_assure)),
            cell(yes_no(p.is_active, "Active", "Not active")),
        ]
        for p in partners
    ]
    return {
        "head": [
            column("Partner"),
            column("Kind"),
            column("Members", numeric=True),
            column("Services it assures", numeric=True),
            column("Assures its own"),
            column("Status"),
        ],
        "rows": rows,
    }


def partner_summary(partner: Partner, organizations: list, *, can_edit: bool) -> list[dict]:
    change = (
        [action(reverse("accounts:partner-update", args=[partner.pk]), "Change", "partner")]
        if can_edit
        else []
    )
    rows = [
        {"key": "Kind", "value": partner.get_kind_display(), "actions": change},
        {"key": "Short name", "value": partner.slug},
        {
            "key": "Organisations it runs",
            "value": lines([o.name for o in organizations]) if organizations else "None",
        },
        {"key": "Assures its own services", "value": yes_no(partner.can_self_assure)},
        {"key": "Status", "value": yes_no(partner.is_active, "Active", "Not active")},
    ]
    return summary_rows(rows)


def member_table(
    partner: Partner, memberships: Iterable[Membership], *, can_reset_two_factor: bool = False
) -> dict[str, Any]:
    """One row per person; `memberships` ordered by user, with `has_2fa` annotated.

    `can_reset_two_factor` (directory admins) adds a link to reset someone's second factor.
    """
    people: dict[int, dict[str, Any]] = {}
    for membership in memberships:
        person = people.setdefault(
            membership.user_id,
            {"user": membership.user, "roles": [], "values": set(), "has_2fa": membership.has_2fa},
        )
        person["roles"].append(membership.get_role_display())
        person["values"].add(membership.role)
    rows = []
    for person in sorted(people.values(), key=lambda p: p["user"].email):
        user = person["user"]
        needs_2fa = bool(person["values"] & {Role.ASSURER, Role.PARTNER_ADMIN})
        status = two_factor_tag(person["has_2fa"])
        if needs_2fa and not person["has_2fa"]:
            status = tag("Not set up yet", "yellow")
        actions = lines(
            [
                link(
                    reverse("accounts:member-update", args=[partner.pk, user.pk]),
                    "Change roles",
                    f"of {user.email}",
                ),
                link(
                    reverse("accounts:member-remove", args=[partner.pk, user.pk]),
                    "Remove",
                    user.email,
                ),
            ]
            + (
                [
                    link(
                        reverse("accounts:user-two-factor-reset", args=[user.pk])
                        + "?"
                        + urlencode(
                            {"next": reverse("accounts:partner-detail", args=[partner.pk])}
                        ),
                        "Reset two-factor",
                        f"of {user.email}",
                    )
                ]
                if can_reset_two_factor and (person["has_2fa"] or needs_2fa)
                else []
            )
        )
        rows.append(
            [
                cell(user.get_full_name() or "Not given", header=True),
                cell(user.email),
                cell(lines(person["roles"])),
                cell(status),
                cell(actions),
            ]
        )
    return {
        "head": [
            column("Name"),
            column("Email address"),
            column("Roles"),
            column("Two-factor"),
            column("Actions"),
        ],
        "rows": rows,
    }


def invitation_table(
    partner: Partner, invitations: Iterable[Invitation], *, csrf_token: str
) -> dict[str, Any]:
    rows = []
    for invitation in invitations:
        status = invitation.status
        withdraw = ""
        if status == "pending":
            withdraw = button_form(
                reverse("accounts:invitation-revoke", args=[partner.pk, invitation.pk]),
                "Withdraw",
                csrf_token=csrf_token,
                hidden=f"the invitation to {invitation.email}",
            )
        rows.append(
            [
                cell(invitation.email, header=True),
                cell(", ".join(invitation.role_labels)),
                cell(when(invitation.expires_at)),
                cell(tag(status.capitalize(), STATUS_COLOURS[status])),
                cell(withdraw),
            ]
        )
    return {
        "head": [
            column("Email address"),
            column("Roles"),
            column("Link works until"),
            column("Status"),
            column("Action"),
        ],
        "rows": rows,
    }


def service_table(services: Iterable[Any], *, with_rule_link: bool = False) -> dict[str, Any]:
    rows = []
    for service in services:
        row = [
            cell(service.name, header=True),
            cell(service.organization.name if service.organization_id else ""),
            cell(service.get_status_display()),
        ]
        if with_rule_link:
            row.append(
                cell(
                    link(
                        reverse("accounts:rule-create") + f"?kind=service&service={service.pk}",
                        "Allocate",
                        service.name,
                    )
                )
            )
        rows.append(row)
    head = [column("Service"), column("Organisation"), column("Status")]
    if with_rule_link:
        head.append(column("Action"))
    return {"head": head, "rows": rows}


# --- allocation rules -----------------------------------------------------------------------


def rule_table(rules: list[Any], *, csrf_token: str) -> dict[str, Any]:
    """Rules in resolution order (annotated with `service_count`), with buttons to move them."""
    rows = []
    for index, rule in enumerate(rules):
        move_url = reverse("accounts:rule-move", args=[rule.pk])
        buttons = [
            button_form(
                move_url,
                label,
                csrf_token=csrf_token,
                name="direction",
                value=direction,
                hidden=f"rule {index + 1}",
            )
            for direction, label, allowed in (
                ("up", "Up", index > 0),
                ("down", "Down", index < len(rules) - 1),
            )
            if allowed
        ]
        rows.append(
            [
                cell(index + 1, numeric=True),
                cell(rule.partner.name, header=True),
                cell(
                    link(
                        reverse("accounts:rule-detail", args=[rule.pk]),
                        rule.describe().capitalize(),
                    )
                ),
                cell(rule.service_count, numeric=True),
                cell(yes_no(rule.is_active, "Active", "Inactive")),
                cell(format_html_join("", "{}", ((b,) for b in buttons))),
            ]
        )
    return {
        "head": [
            column("Order", numeric=True),
            column("Partner"),
            column("Covers"),
            column("Services now", numeric=True),
            column("Status"),
            column("Move"),
        ],
        "rows": rows,
    }


def rule_summary(rule: Any, *, number: int | None = None) -> list[dict[str, Any]]:
    change = [action(reverse("accounts:rule-update", args=[rule.pk]), "Change", "rule")]
    rows = [
        {"key": "Partner", "value": rule.partner.name, "actions": change},
        {"key": "Covers", "value": rule.describe()},
        {"key": "Kind", "value": rule.get_kind_display()},
        {"key": "Status", "value": yes_no(rule.is_active, "Active", "Inactive")},
    ]
    if number is not None:
        rows.insert(1, {"key": "Order", "value": f"Rule {number} (earlier rules win)"})
    return summary_rows(rows)


def preview(result: Any, *, saved: bool = False) -> dict[str, Any]:
    """A rule preview as a sentence and a few figures."""
    details = []
    if result.newly_allocated:
        details.append(f"{result.newly_allocated} of them are unallocated now")
    for name, count in result.taken_from.items():
        details.append(f"{count} now assured by {name}")
    if result.shadowed:
        details.append(
            f"{result.shadowed} more match the rule but an earlier rule gives them to a partner"
        )
    if result.released:
        details.append(f"{result.released} that the rule gives today it would no longer give")
    if result.placed_before is not None:
        before = result.placed_before
        details.append(
            f"It goes before the rule for {before.partner.name} ({before.describe()}), which "
            "covers this service too, so that this rule decides who assures it"
        )
    return {
        "summary": result.summary,
        "details": details,
        "matched": result.matched,
        "saved": saved,
    }


# --- audit log ------------------------------------------------------------------------------


def _detail_text(detail: dict[str, Any]) -> str:
    parts = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, dict):
            for name, change in value.items():
                if isinstance(change, dict):
                    parts.append(f"{name}: {change.get('from')} → {change.get('to')}")
            continue
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        parts.append(f"{key.replace('_', ' ')}: {value}")
    text = "; ".join(parts)
    return text if len(text) <= 120 else text[:119] + "…"


def audit_table(events: Iterable[AuditEvent]) -> dict[str, Any]:
    rows = []
    for event in events:
        who = event.actor_email or "System"
        about = [event.target_label] if event.target_label else []
        if event.partner_id:
            about.append(event.partner.name)
        rows.append(
            [
                cell(formats.date_format(timezone.localtime(event.at), "j M Y, H:i")),
                cell(
                    format_html('{}<br><span class="govuk-hint">from {}</span>', who, event.ip)
                    if event.ip
                    else who
                ),
                cell(event.get_action_display()),
                cell(lines(about)),
                cell(_detail_text(event.detail or {})),
            ]
        )
    return {
        "head": [
            column("When"),
            column("Who"),
            column("What happened"),
            column("About"),
            column("Details"),
        ],
        "rows": rows,
    }


# --- background work ------------------------------------------------------------------------

TASK_STATUS_COLOURS = {
    BackgroundTaskStatus.QUEUED: "grey",
    BackgroundTaskStatus.RUNNING: "light-blue",
    BackgroundTaskStatus.SUCCEEDED: "green",
    BackgroundTaskStatus.FAILED: "red",
}
RECOMPUTE_QUEUED = (
    "Who assures which services, and who may edit them, is being worked out again in the "
    "background."
)


def task_tag(task: BackgroundTask) -> Any:
    return tag(task.get_status_display(), TASK_STATUS_COLOURS[task.status])


def queued_message(text: str, *, status_url: str = "") -> SafeString:
    """A success message for a page that queued the allocation recompute: what was done, what
    was queued, and where to see whether it has finished (the status panel at `status_url`,
    the allocation rules page unless given)."""
    href = (status_url or reverse("accounts:rule-list")) + "#background-work"
    return format_html(
        '{} {} <a class="govuk-notification-banner__link" href="{}">See whether it has '
        "finished</a>.",
        text,
        RECOMPUTE_QUEUED,
        href,
    )


def _recompute_outcome(result: Any) -> str:
    if isinstance(result, dict) and {"services", "allocated"} <= result.keys():
        return (
            f"{result['allocated']} of {result['services']} "
            f"service{'' if result['services'] == 1 else 's'} are allocated to a partner."
        )
    return ""


def background_status(
    task: BackgroundTask | None, *, path: str, can_manage_tasks: bool
) -> dict[str, Any] | None:
    """The status panel of the allocation recompute (`task`, the latest one) on the rule pages:
    queued, running, finished (when) or failed (why). Works without JavaScript: while the work
    is queued or running the panel offers a link that reloads the page."""
    if task is None:
        return None
    by = f" by {task.requested_by.email}" if task.requested_by_id and task.requested_by else ""
    refresh = ""
    tasks_link = ""
    if task.status == BackgroundTaskStatus.QUEUED:
        text = (
            f"Queued at {when(task.queued_at)}{by}, waiting for a background worker. If it stays "
            "queued, the task runner (django-q2's manage.py qcluster) may not be running."
        )
        refresh = path + "#background-work"
    elif task.status == BackgroundTaskStatus.RUNNING:
        text = f"Running since {when(task.started_at)} (queued{by})."
        refresh = path + "#background-work"
    elif task.status == BackgroundTaskStatus.SUCCEEDED:
        text = f"Finished at {when(task.finished_at)}. " + _recompute_outcome(task.result)
    else:
        at = f" at {when(task.finished_at)}" if task.finished_at else ""
        text = (
            f"Failed{at}: {task.error_summary or 'no reason given'}. "
            "Until it runs again, who assures which services may be out of date."
        )
        if can_manage_tasks:
            tasks_link = reverse("accounts:task-list")
    return {
        "heading": "Working out who assures which services",
        "tag": task_tag(task),
        "text": text.strip(),
        "refresh": refresh,
        "tasks_link": tasks_link,
    }


def background_task_table(tasks: Iterable[BackgroundTask], *, csrf_token: str) -> dict[str, Any]:
    """Background tasks (with `requested_by` selected), newest first, with a Retry button on
    those that failed."""
    rows = []
    for task in tasks:
        requested = when(task.queued_at)
        if task.requested_by_id and task.requested_by:
            requested = lines([requested, f"by {task.requested_by.email}"])
        if task.status == BackgroundTaskStatus.RUNNING:
            status = lines(
                [task_tag(task), f"since {when(task.started_at)}", task.progress_text]
                if task.progress
                else [task_tag(task), f"since {when(task.started_at)}"]
            )
        elif task.is_finished and task.finished_at:
            status = lines([task_tag(task), when(task.finished_at)])
        else:
            status = task_tag(task)
        error = (
            details(task.error_summary or "Error", task.error, preformatted=True)
            if task.error
            else ""
        )
        retry = ""
        if task.can_retry:
            retry = button_form(
                reverse("accounts:task-retry", args=[task.pk]),
                "Retry",
                csrf_token=csrf_token,
                hidden=f"task {task.pk}: {task.label}",
            )
        rows.append(
            [
                cell(
                    lines(
                        [
                            task.label,
                            format_html(
                                '<span class="govuk-hint govuk-!-font-size-16">{}</span>', task.func
                            ),
                        ]
                    ),
                    header=True,
                ),
                cell(requested),
                cell(status),
                cell(task.attempts, numeric=True),
                cell(error),
                cell(retry),
            ]
        )
    return {
        "head": [
            column("Task"),
            column("Queued"),
            column("Status"),
            column("Attempts", numeric=True),
            column("Error"),
            column("Action"),
        ],
        "rows": rows,
    }

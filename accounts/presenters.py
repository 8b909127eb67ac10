"""What the staff pages show, prepared in Python: labels, tags and their colours, table rows.

Templates only lay these out through the component partials (templates/components/).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from accounts import two_factor
from accounts.models import AuditEvent, Invitation, Membership, Partner, Role
from accounts.policy import Action, is_directory_admin, user_can
from core.components import (
    action,
    button_form,
    cell,
    column,
    lines,
    link,
    summary_rows,
    tag,
)

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
        items.append(("Your account", reverse("accounts:account"), True))
        if user_can(user, Action.MANAGE_MEMBERS):
            items.append(("Partners", reverse("accounts:partner-list"), False))
        if user_can(user, Action.MANAGE_RULES):
            items.append(("Allocation rules", reverse("accounts:rule-list"), False))
        if user_can(user, Action.VIEW_AUDIT_LOG):
            items.append(("Audit log", reverse("accounts:audit-log"), False))
    items.append(("Sign out", reverse("accounts:sign-out"), True))
    path = request.path
    return [
        {"text": text, "href": href, "active": path == href if exact else path.startswith(href)}
        for text, href, exact in items
    ]


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
    if user_can(user, Action.VIEW_AUDIT_LOG):
        links.append(
            {
                "href": reverse("accounts:audit-log"),
                "text": "Audit log",
                "hint": "Sign-ins, invitations, role changes and permission grants",
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


def member_table(partner: Partner, memberships: Iterable[Membership]) -> dict[str, Any]:
    """One row per person; `memberships` ordered by user, with `has_2fa` annotated."""
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

"""Demo partners, allocation rules and one account per role, for the demo place (Kingston upon
Hull, seeded by `seed_demo`). Refused unless DEBUG is on: demo accounts never exist on a live
portal. Safe to run again: it resets the demo passwords and adds only what is missing."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from accounts.models import AllocationRule, Membership, Partner, PartnerKind, Role, RuleKind, User
from accounts.services import (
    allocation_recompute_all,
    membership_add,
    partner_create,
    partner_update,
    rule_create,
)
from directory.models import Organization, TaxonomyTerm
from directory.taxonomies.identity import LGA_SERVICE_TYPES, term_uuid

ADMIN_EMAIL = "admin@demo.example"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str  # for the sign-in help
    partner_slug: str = ""
    member_role: str = ""


DEMO_ACCOUNTS = (
    DemoAccount(ADMIN_EMAIL, "directory admin (everything)"),
    DemoAccount(
        "assurer@demo.example",
        "assurer at Hull CVS (advice, housing and money services)",
        "demo-hull-cvs",
        Role.ASSURER,
    ),
    DemoAccount(
        "area-assurer@demo.example",
        "assurer at the council's neighbourhood team (East Hull, HU8 and HU9)",
        "demo-neighbourhood-team",
        Role.ASSURER,
    ),
    DemoAccount(
        "provider@demo.example",
        "provider editor of one organisation",
        "demo-provider",
        Role.PROVIDER_EDITOR,
    ),
    DemoAccount(
        "worker@demo.example",
        "frontline worker (social prescriber at the ICB)",
        "demo-icb",
        Role.FRONTLINE_WORKER,
    ),
    DemoAccount(
        "partner-admin@demo.example",
        "partner admin of Hull CVS",
        "demo-hull-cvs",
        Role.PARTNER_ADMIN,
    ),
)

COUNCIL, PROVIDER = PartnerKind.COUNCIL_DEPARTMENT, PartnerKind.PROVIDER
# slug, name, kind, can self-assure
DEMO_PARTNERS = (
    ("demo-directory-team", "Hull City Council directory team", COUNCIL, False),
    ("demo-neighbourhood-team", "Hull City Council neighbourhood team (East Hull)", COUNCIL, False),
    ("demo-icb", "Humber and North Yorkshire ICB (demo)", PartnerKind.NHS, False),
    ("demo-hull-cvs", "Hull CVS (demo)", PartnerKind.CVS, False),
    ("demo-police", "Humberside Police community team (demo)", PartnerKind.POLICE, False),
    ("demo-housing", "Riverside Housing (demo)", PartnerKind.HOUSING_ASSOCIATION, False),
    ("demo-provider", "Demo provider", PROVIDER, False),
    ("demo-trusted-provider", "Demo trusted provider", PROVIDER, True),
)

# Rules in order (first match wins): partner slug, LGA service type codes or postcode districts.
SERVICE_TYPE_RULES = (
    ("demo-hull-cvs", (112, 652, 651, 189, 190, 676)),  # homelessness, housing, money, legal
    ("demo-icb", (1284, 199, 1746, 1747, 727, 730)),  # mental health, health, alcohol, drugs
    ("demo-police", (1816, 164, 731)),  # victims, protection from harm, safeguarding
    ("demo-housing", (107,)),  # sheltered and supported housing
)
AREA_RULES = (("demo-neighbourhood-team", "HU8,HU9"),)  # East Hull; the rest stays unallocated


def seed_demo_accounts(*, password: str) -> None:
    """Create the demo partners, rules and the six demo accounts (see DEMO_ACCOUNTS).

    Provider partners run the two demo organisations with the most services (the second may
    self-assure), so run this after `seed_demo`. Permissions are recomputed before returning.
    """
    if not settings.DEBUG:
        raise ImproperlyConfigured("Demo users are only created when DEBUG is on")
    with transaction.atomic():
        admin = _account(ADMIN_EMAIL, password)
        admin.is_staff = admin.is_superuser = admin.is_directory_admin = True
        admin.save()
        partners = _partners(admin)
        _rules(admin, partners)
        for account in DEMO_ACCOUNTS[1:]:
            user = _account(account.email, password)
            partner = partners[account.partner_slug]
            if not Membership.objects.filter(
                user=user, partner=partner, role=account.member_role
            ).exists():
                membership_add(partner=partner, user=user, role=account.member_role, actor=admin)
    allocation_recompute_all()


def _account(email: str, password: str) -> User:
    user, _ = User.objects.get_or_create(email=email)
    user.is_active = True
    user.set_password(password)
    user.save()
    return user


def _partners(admin: User) -> dict[str, Partner]:
    busiest = list(
        Organization.objects.annotate(n=models.Count("services")).order_by("-n", "name")[:2]
    )
    runs = {"demo-provider": busiest[:1], "demo-trusted-provider": busiest[1:2]}
    partners = {}
    for slug, name, kind, can_self_assure in DEMO_PARTNERS:
        partner = Partner.objects.filter(slug=slug).first()
        if partner is None:
            partner = partner_create(
                actor=admin, name=name, slug=slug, kind=kind, can_self_assure=can_self_assure
            )
        if slug in runs and runs[slug] and not partner.organizations.exists():
            organisation = runs[slug][0]
            partner_update(
                partner=partner,
                actor=admin,
                data={"name": f"{organisation.name} (demo provider)"},
                organizations=[organisation],
            )
        partners[slug] = partner
    return partners


def _rules(admin: User, partners: dict[str, Partner]) -> None:
    if AllocationRule.objects.filter(partner__in=partners.values()).exists():
        return
    for slug, codes in SERVICE_TYPE_RULES:
        for code in codes:
            term = TaxonomyTerm.objects.filter(pk=term_uuid(LGA_SERVICE_TYPES, str(code))).first()
            if term is not None:
                rule_create(
                    actor=admin,
                    partner=partners[slug],
                    kind=RuleKind.SERVICE_TYPE,
                    taxonomy_term=term,
                )
    for slug, districts in AREA_RULES:
        rule_create(
            actor=admin,
            partner=partners[slug],
            kind=RuleKind.POSTCODE_DISTRICTS,
            postcode_districts=districts,
        )

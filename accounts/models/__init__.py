"""Users, partners, memberships, invitations, allocation rules, permission rows, audit log."""

from .audit import AuditAction, AuditEvent, AuditEventQuerySet
from .invitations import Invitation, InvitationQuerySet, hash_token
from .partners import (
    Membership,
    MembershipQuerySet,
    Partner,
    PartnerGroup,
    PartnerKind,
    PartnerQuerySet,
    Role,
)
from .permissions import ServiceGroupObjectPermission, ServiceUserObjectPermission
from .rules import (
    AllocationRule,
    AllocationRuleQuerySet,
    RuleKind,
    ServiceAllocation,
    ServiceAllocationQuerySet,
    ServiceFacts,
    parse_postcode_districts,
    postcode_district,
)
from .two_factor import TwoFactorSetupLink, TwoFactorSetupLinkQuerySet
from .users import User, UserManager, UserQuerySet, normalise_email

__all__ = [
    "AllocationRule",
    "AllocationRuleQuerySet",
    "AuditAction",
    "AuditEvent",
    "AuditEventQuerySet",
    "Invitation",
    "InvitationQuerySet",
    "Membership",
    "MembershipQuerySet",
    "Partner",
    "PartnerGroup",
    "PartnerKind",
    "PartnerQuerySet",
    "Role",
    "RuleKind",
    "ServiceAllocation",
    "ServiceAllocationQuerySet",
    "ServiceFacts",
    "ServiceGroupObjectPermission",
    "ServiceUserObjectPermission",
    "TwoFactorSetupLink",
    "TwoFactorSetupLinkQuerySet",
    "User",
    "UserManager",
    "UserQuerySet",
    "hash_token",
    "normalise_email",
    "parse_postcode_districts",
    "postcode_district",
]

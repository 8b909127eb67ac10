"""The staff pages of the accounts app; each module is one area (see accounts/urls.py)."""

from .audit import AuditLogView
from .auth import (
    AccountView,
    PasswordChangeView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetSentView,
    PasswordResetView,
    SignInView,
    SignOutView,
    TwoFactorRemoveView,
    TwoFactorSetupView,
    TwoFactorVerifyView,
    locked_out,
)
from .invitations import InvitationAcceptView, InvitationCreateView, InvitationRevokeView
from .mixins import PartnerMixin, PolicyRequiredMixin, StaffPageMixin
from .partners import (
    MemberRemoveView,
    MemberUpdateView,
    PartnerCreateView,
    PartnerDetailView,
    PartnerListView,
    PartnerUpdateView,
)
from .rules import (
    RuleCreateView,
    RuleDeleteView,
    RuleDetailView,
    RuleListView,
    RuleMoveView,
    RuleUpdateView,
    UnallocatedServiceListView,
)
from .tasks import BackgroundTaskListView, BackgroundTaskRetryView
from .two_factor import (
    RecoveryCodesView,
    TwoFactorLinkView,
    TwoFactorRecoveryView,
    UserTwoFactorResetView,
)

__all__ = [
    "AccountView",
    "AuditLogView",
    "BackgroundTaskListView",
    "BackgroundTaskRetryView",
    "InvitationAcceptView",
    "InvitationCreateView",
    "InvitationRevokeView",
    "MemberRemoveView",
    "MemberUpdateView",
    "PartnerCreateView",
    "PartnerDetailView",
    "PartnerListView",
    "PartnerMixin",
    "PartnerUpdateView",
    "PasswordChangeView",
    "PasswordResetCompleteView",
    "PasswordResetConfirmView",
    "PasswordResetSentView",
    "PasswordResetView",
    "PolicyRequiredMixin",
    "RecoveryCodesView",
    "RuleCreateView",
    "RuleDeleteView",
    "RuleDetailView",
    "RuleListView",
    "RuleMoveView",
    "RuleUpdateView",
    "SignInView",
    "SignOutView",
    "StaffPageMixin",
    "TwoFactorLinkView",
    "TwoFactorRecoveryView",
    "TwoFactorRemoveView",
    "TwoFactorSetupView",
    "TwoFactorVerifyView",
    "UnallocatedServiceListView",
    "UserTwoFactorResetView",
    "locked_out",
]

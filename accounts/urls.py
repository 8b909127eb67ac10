"""The staff pages, under /accounts/ (see README, "Accounts, roles and permissions")."""

from django.urls import path

from accounts import views
from accounts.views import imports

app_name = "accounts"

urlpatterns = [
    path("", views.AccountView.as_view(), name="account"),
    # Signing in and out, passwords
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    # Two-factor authentication
    path("two-factor/", views.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("two-factor/verify/", views.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("two-factor/remove/", views.TwoFactorRemoveView.as_view(), name="two-factor-remove"),
    path("two-factor/recovery/", views.TwoFactorRecoveryView.as_view(), name="two-factor-recovery"),
    path(
        "two-factor/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="two-factor-recovery-codes",
    ),
    # The link in a set-up email (accounts.emails.two_factor_link_url)
    path(
        "two-factor/set-up/<str:token>/", views.TwoFactorLinkView.as_view(), name="two-factor-link"
    ),
    # A directory admin resets someone's second factor
    path(
        "users/<int:pk>/two-factor/reset/",
        views.UserTwoFactorResetView.as_view(),
        name="user-two-factor-reset",
    ),
    # The link in an invitation email (accounts.conf.PORTAL_INVITATION_PATH)
    path(
        "invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"
    ),
    # Partners and their members
    path("partners/", views.PartnerListView.as_view(), name="partner-list"),
    path("partners/create/", views.PartnerCreateView.as_view(), name="partner-create"),
    path("partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner-detail"),
    path("partners/<int:pk>/update/", views.PartnerUpdateView.as_view(), name="partner-update"),
    path(
        "partners/<int:pk>/invitations/create/",
        views.InvitationCreateView.as_view(),
        name="invitation-create",
    ),
    path(
        "partners/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path(
        "partners/<int:pk>/members/<int:user_pk>/update/",
        views.MemberUpdateView.as_view(),
        name="member-update",
    ),
    path(
        "partners/<int:pk>/members/<int:user_pk>/remove/",
        views.MemberRemoveView.as_view(),
        name="member-remove",
    ),
    # Allocation rules
    path("rules/", views.RuleListView.as_view(), name="rule-list"),
    path("rules/create/", views.RuleCreateView.as_view(), name="rule-create"),
    path("rules/<int:pk>/", views.RuleDetailView.as_view(), name="rule-detail"),
    path("rules/<int:pk>/update/", views.RuleUpdateView.as_view(), name="rule-update"),
    path("rules/<int:pk>/delete/", views.RuleDeleteView.as_view(), name="rule-delete"),
    path("rules/<int:pk>/move/", views.RuleMoveView.as_view(), name="rule-move"),
    path(
        "services/unallocated/",
        views.UnallocatedServiceListView.as_view(),
        name="unallocated-services",
    ),
    # Audit log
    path("audit/", views.AuditLogView.as_view(), name="audit-log"),
    # Background tasks
    path("tasks/", views.BackgroundTaskListView.as_view(), name="task-list"),
    path("tasks/<int:pk>/retry/", views.BackgroundTaskRetryView.as_view(), name="task-retry"),
    # Imports of ORUK files
    path("imports/", imports.ImportListView.as_view(), name="import-list"),
    path("imports/new/", imports.ImportCreateView.as_view(), name="import-create"),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
]

"""Every write of the accounts app. Each service checks the policy for `actor`, validates, writes
in one transaction, records an audit entry and queues its side effects for after the commit."""

from .allocation import (
    RecomputeReport,
    allocation_recompute_all,
    allocation_recompute_service,
    enqueue_recompute_all,
    latest_recompute_all,
    queue_allocation_recompute,
    unallocated_services,
)
from .audit import audit_record, client_ip
from .background_tasks import background_task_retry
from .imports import UploadTooLarge, import_upload_create
from .invitations import invitation_accept, invitation_create, invitation_get, invitation_revoke
from .memberships import (
    member_roles_state,
    membership_add,
    membership_change_role,
    membership_remove,
    membership_set_roles,
    user_set_directory_admin,
)
from .partners import partner_create, partner_role_group, partner_state, partner_update
from .rules import (
    RulePreview,
    rule_create,
    rule_delete,
    rule_placement,
    rule_preview,
    rule_reorder,
    rule_state,
    rule_update,
)
from .two_factor import (
    recovery_code_use,
    recovery_codes_make,
    two_factor_link_get,
    two_factor_link_use,
    two_factor_reset,
)

__all__ = [
    "RecomputeReport",
    "RulePreview",
    "UploadTooLarge",
    "allocation_recompute_all",
    "allocation_recompute_service",
    "audit_record",
    "background_task_retry",
    "client_ip",
    "enqueue_recompute_all",
    "import_upload_create",
    "invitation_accept",
    "invitation_create",
    "invitation_get",
    "invitation_revoke",
    "latest_recompute_all",
    "member_roles_state",
    "membership_add",
    "membership_change_role",
    "membership_remove",
    "membership_set_roles",
    "partner_create",
    "partner_role_group",
    "partner_state",
    "partner_update",
    "queue_allocation_recompute",
    "recovery_code_use",
    "recovery_codes_make",
    "rule_create",
    "rule_delete",
    "rule_placement",
    "rule_preview",
    "rule_reorder",
    "rule_state",
    "rule_update",
    "two_factor_link_get",
    "two_factor_link_use",
    "two_factor_reset",
    "unallocated_services",
    "user_set_directory_admin",
]

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

__all__ = [
    "RecomputeReport",
    "RulePreview",
    "allocation_recompute_all",
    "allocation_recompute_service",
    "audit_record",
    "background_task_retry",
    "client_ip",
    "enqueue_recompute_all",
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
    "rule_create",
    "rule_delete",
    "rule_placement",
    "rule_preview",
    "rule_reorder",
    "rule_state",
    "rule_update",
    "unallocated_services",
    "user_set_directory_admin",
]

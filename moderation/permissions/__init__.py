"""Who may do what: the one home of every access rule (roles.py: roles and the isolation
rule; cases.py: ``case_actions`` and the case filters; workspace.py: queues, clarifications,
oversight).

``case_actions(user, case, now=...)`` says which actions a user may take on a case right now,
and, for each refused one, the domain error that says why. The case services call
``case_actions(...).require(action)`` after they lock the case; the pages and the API ask
``allows(action)`` to decide what to show. Nothing else works out a permission.

The same rules as filters over many cases (queues, claim-next, lists) are the ``*_q``
functions below; tests/moderation/test_permissions.py checks them against each other.
"""

from moderation.permissions.cases import (
    CaseActions,
    appeal_review_barred_q,
    can_read_case,
    can_reassign_to,
    can_work_case,
    case_actions,
    case_deciders,
    cases_listable_q,
    cases_visible_q,
    cases_workable_q,
    lease_is_live,
    require_workable,
)
from moderation.permissions.roles import (
    STAFF_ROLES,
    in_scope,
    in_scope_q,
    is_administrator,
    is_kpu,
    is_moderator,
    is_platform_staff,
    is_read_only,
    is_staff_member,
    is_supervisor,
    platform_ids_of,
    platform_scope,
    platform_slugs_of,
    works_for_platform,
)
from moderation.permissions.workspace import (
    audit_events_visible_q,
    can_approve_decisions,
    can_claim_from_queues,
    can_create_clarification,
    can_edit_queues,
    can_operate_callbacks,
    can_operate_platform,
    can_publish_clarifications,
    can_read_audit_log,
    can_read_clarification_drafts,
    can_see_queue,
    can_write_clarifications,
    clarification_publish_refusal,
    platforms_operable,
    platforms_visible,
)

__all__ = [
    "STAFF_ROLES",
    "CaseActions",
    "appeal_review_barred_q",
    "audit_events_visible_q",
    "can_approve_decisions",
    "can_claim_from_queues",
    "can_create_clarification",
    "can_edit_queues",
    "can_operate_callbacks",
    "can_operate_platform",
    "can_publish_clarifications",
    "can_read_audit_log",
    "can_read_case",
    "can_read_clarification_drafts",
    "can_reassign_to",
    "can_see_queue",
    "can_work_case",
    "can_write_clarifications",
    "case_actions",
    "case_deciders",
    "cases_listable_q",
    "cases_visible_q",
    "cases_workable_q",
    "clarification_publish_refusal",
    "in_scope",
    "in_scope_q",
    "is_administrator",
    "is_kpu",
    "is_moderator",
    "is_platform_staff",
    "is_read_only",
    "is_staff_member",
    "is_supervisor",
    "lease_is_live",
    "platform_ids_of",
    "platform_scope",
    "platform_slugs_of",
    "platforms_operable",
    "platforms_visible",
    "require_workable",
    "works_for_platform",
]

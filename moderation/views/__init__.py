"""The browser workspace. Thin: access, then validate, then call a service, then render.

Split by page family; ``pemilu/urls.py`` and ``moderation/urls.py`` import from here.
"""

from moderation.views.approvals import approvals, decision_approve_view, decision_reject_view
from moderation.views.cases import (
    case_attach_view,
    case_claim_view,
    case_decide,
    case_escalate_view,
    case_lease,
    case_page,
    case_reassign_view,
    case_release_view,
    case_skip_view,
)
from moderation.views.public import clarification_public
from moderation.views.queues import (
    home,
    queue_claim_next,
    queue_count_fragment,
    queue_create_page,
    queue_detail,
    queue_edit_page,
    queues_overview,
)

__all__ = [
    "approvals",
    "case_attach_view",
    "case_claim_view",
    "case_decide",
    "case_escalate_view",
    "case_lease",
    "case_page",
    "case_reassign_view",
    "case_release_view",
    "case_skip_view",
    "clarification_public",
    "decision_approve_view",
    "decision_reject_view",
    "home",
    "queue_claim_next",
    "queue_count_fragment",
    "queue_create_page",
    "queue_detail",
    "queue_edit_page",
    "queues_overview",
]

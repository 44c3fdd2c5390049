"""Held decisions: a supervisor approves (the decision goes to the platform) or rejects (the
case goes back to the queue). Four eyes: never one's own decision."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import (
    AppealStatus,
    ApprovalState,
    AuditAction,
    CaseAction,
    CaseEvent,
)
from moderation.errors import Conflict, InvalidInput
from moderation.models import Case, Decision, User
from moderation.oversight.audit import audit_record
from moderation.oversight.notifications import notify_decision_reviewed
from moderation.permissions import case_actions
from moderation.review.decisions import _publish
from moderation.transitions import next_status


def _lock_pending(decision: Decision, user: User, action: str) -> tuple[Decision, Case]:
    """The held decision and its case, locked, once ``user`` may take ``action`` on it."""
    case = (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("platform", "video")
        .get(pk=decision.case_id)
    )
    decision = (
        Decision.objects.select_for_update(of=("self",), no_key=True)
        .select_related("case__video")
        .get(pk=decision.pk)
    )
    case_actions(user, case, pending_decider_id=decision.decided_by_id).require(action)
    if decision.approval_state != ApprovalState.PENDING:
        raise Conflict(_("Keputusan ini tidak sedang menunggu persetujuan."))
    return decision, case


def decision_approve(
    *, decision: Decision, user: User, note: str = "", now: datetime | None = None
) -> Decision:
    now = now or timezone.now()
    with transaction.atomic():
        decision, case = _lock_pending(decision, user, CaseAction.APPROVE_DECISION)
        before = case.status
        case.status = next_status(case.status, CaseEvent.DECISION_APPROVE)
        case.version += 1
        case.awaiting_approval = False
        case.decided_at = now
        case.save(
            update_fields=["status", "version", "awaiting_approval", "decided_at", "updated_at"]
        )
        decision.approval_state = ApprovalState.APPROVED
        decision.approved_by = user
        decision.approved_at = now
        decision.approval_note = note
        decision.save(
            update_fields=["approval_state", "approved_by", "approved_at", "approval_note"]
        )
        appeal = case.appeals.filter(status=AppealStatus.OPEN).first()
        if appeal is not None:
            appeal.status = AppealStatus.DECIDED
            appeal.reviewer = decision.decided_by
            appeal.outcome = decision
            appeal.save(update_fields=["status", "reviewer", "outcome"])
        audit_record(
            action=AuditAction.DECISION_APPROVE,
            obj=decision,
            case=case,
            actor=user,
            before={"status": before, "approval_state": ApprovalState.PENDING},
            after={"status": case.status, "approval_state": ApprovalState.APPROVED, "note": note},
        )
        _publish(decision)
        notify_decision_reviewed(decision=decision, case=case)
    return decision


def decision_reject(
    *, decision: Decision, user: User, note: str, now: datetime | None = None
) -> Decision:
    now = now or timezone.now()
    if not note.strip():
        raise InvalidInput(_("Penolakan perlu alasan."), errors={"note": _("wajib diisi")})
    with transaction.atomic():
        decision, case = _lock_pending(decision, user, CaseAction.REJECT_DECISION)
        before = case.status
        case.status = next_status(case.status, CaseEvent.DECISION_REJECT)
        case.version += 1
        case.awaiting_approval = False
        case.save(update_fields=["status", "version", "awaiting_approval", "updated_at"])
        decision.approval_state = ApprovalState.REJECTED
        decision.approved_by = user
        decision.approved_at = now
        decision.approval_note = note
        decision.save(
            update_fields=["approval_state", "approved_by", "approved_at", "approval_note"]
        )
        audit_record(
            action=AuditAction.DECISION_REJECT,
            obj=decision,
            case=case,
            actor=user,
            before={"status": before, "approval_state": ApprovalState.PENDING},
            after={"status": case.status, "approval_state": ApprovalState.REJECTED, "note": note},
        )
        notify_decision_reviewed(decision=decision, case=case)
    return decision

"""Case writes outside claims: escalation to KPU and closing, and the two helpers every case
service shares (lock the case; move it to its next status)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from moderation.choices import AuditAction, CaseAction, CaseEvent, CaseStatus
from moderation.models import Case, User
from moderation.oversight.audit import audit_record
from moderation.oversight.notifications import notify_case_routed_to_kpu
from moderation.permissions import case_actions
from moderation.transitions import next_status


def case_lock(case_id: int) -> Case:
    """The case, locked until the transaction ends."""
    # FOR NO KEY UPDATE OF the case only: locking the joined platform row as well would queue
    # every claim behind the webhook inserts that reference that platform.
    return (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("platform")
        .get(pk=case_id)
    )


def case_move(case: Case, event: str, fields: list[str]) -> str:
    """Move a locked case to its next status (or InvalidTransition), bump its version and
    save ``fields`` with it; the status it had."""
    before = case.status
    case.status = next_status(case.status, event)
    case.version += 1
    case.save(update_fields=[*fields, "status", "version", "updated_at"])
    return before


def case_escalate_to_kpu(*, case: Case, user: User, note: str = "") -> Case:
    """Route a case to KPU clarifiers (awaiting_clarification)."""
    with transaction.atomic():
        case = case_lock(case.pk)
        case_actions(user, case).require(CaseAction.ESCALATE)
        before = case.status
        case.assignee = None
        case.lease_expires_at = None
        case_move(case, CaseEvent.ESCALATE_TO_KPU, ["assignee", "lease_expires_at"])
        audit_record(
            action=AuditAction.CASE_ESCALATE_TO_KPU,
            obj=case,
            case=case,
            actor=user,
            before={"status": before},
            after={"status": case.status, "note": note},
        )
        notify_case_routed_to_kpu(case=case, note=note)
    return case


def case_close(*, case: Case, user: User | None, reason: str, now: datetime | None = None) -> Case:
    now = now or timezone.now()
    with transaction.atomic():
        case = case_lock(case.pk)
        if case.status == CaseStatus.CLOSED:
            return case
        if user is not None:
            case_actions(user, case, now=now).require(CaseAction.CLOSE)
        before = case.status
        case.close_reason = reason
        case.closed_at = now
        case.assignee = None
        case.lease_expires_at = None
        case_move(
            case, CaseEvent.CLOSE, ["close_reason", "closed_at", "assignee", "lease_expires_at"]
        )
        audit_record(
            action=AuditAction.CASE_CLOSE,
            obj=case,
            case=case,
            actor=user,
            before={"status": before},
            after={"status": case.status, "close_reason": reason},
        )
    return case

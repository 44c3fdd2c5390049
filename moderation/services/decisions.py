"""Decisions, their approval by a supervisor, and appeals."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from moderation.callbacks.payloads import decision_recorded_data
from moderation.choices import (
    HIGH_IMPACT_ACTIONS,
    OPEN_CASE_STATUSES,
    Action,
    AppealStatus,
    ApprovalState,
    AuditAction,
    AutomatedDecision,
    CallbackEventType,
    CaseEvent,
    CaseStatus,
    ClarificationStatus,
    Ground,
    Reason,
)
from moderation.errors import Conflict, InvalidInput, LeaseExpired, NotPermitted, StaleVersion
from moderation.models import Appeal, Case, Clarification, Decision, Platform, User
from moderation.permissions import can_work_case, is_supervisor
from moderation.selectors import tuning_values
from moderation.services.audit import audit_record
from moderation.services.notifications import (
    notify_appeal_received,
    notify_decision_awaiting_approval,
)
from moderation.services.outbox import delivery_enqueue
from moderation.transitions import next_status


def decision_needs_approval(*, case: Case, action: str) -> bool:
    """remove / restrict_region on a big video or a political author waits for a supervisor."""
    if action not in HIGH_IMPACT_ACTIONS:
        return False
    video = case.video
    threshold = tuning_values()["approval.reach_threshold"]
    return bool(video.author_is_political or (video.view_count or 0) >= threshold)


def _validate(
    *, action: str, ground: str, category: str, statement: str, clarification: Clarification | None
) -> None:
    errors: dict[str, str] = {}
    if action not in Action.values:
        errors["action"] = f"unknown action {action!r}"
    if ground not in Ground.values:
        errors["ground"] = f"unknown ground {ground!r}"
    if category not in Reason.values:
        errors["category"] = f"unknown category {category!r}"
    if not statement.strip():
        errors["statement_of_reasons"] = "the statement of reasons is required"
    if action == Action.LABEL:
        if clarification is None:
            errors["clarification"] = "a label decision needs a published clarification"
        elif clarification.status != ClarificationStatus.PUBLISHED:
            errors["clarification"] = "the clarification is not published"
    if errors:
        raise InvalidInput("; ".join(f"{k}: {v}" for k, v in errors.items()), errors=errors)


def _publish(decision: Decision) -> None:
    delivery_enqueue(
        platform=decision.case.platform,
        event_type=CallbackEventType.DECISION_RECORDED,
        data=decision_recorded_data(decision),
        subject=f"decision:{decision.pk}",
    )


def decision_record(
    *,
    case: Case,
    user: User,
    version: int,
    action: str,
    ground: str,
    category: str,
    statement_of_reasons: str,
    clarification: Clarification | None = None,
    automated_detection: bool = False,
    automated_decision: str = AutomatedDecision.NOT_AUTOMATED,
    territorial_scope: list[str] | None = None,
    facts: str = "",
    now: datetime | None = None,
) -> Decision:
    now = now or timezone.now()
    _validate(
        action=action,
        ground=ground,
        category=category,
        statement=statement_of_reasons,
        clarification=clarification,
    )
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",), no_key=True)
            .select_related("platform", "video")
            .get(pk=case.pk)
        )
        if not can_work_case(user, case):
            raise NotPermitted()
        if case.version != version:
            raise StaleVersion(expected=version, current=case.version)
        if case.assignee_id != user.pk and not is_supervisor(user):
            raise NotPermitted(detail="Klaim kasus ini terlebih dahulu.")
        if case.assignee_id == user.pk and case.lease_expires_at and case.lease_expires_at < now:
            raise LeaseExpired()
        supersedes = None
        appeal = None
        if case.status == CaseStatus.APPEALED:
            appeal = (
                case.appeals.filter(status=AppealStatus.OPEN).select_related("decision").first()
            )
            supersedes = appeal.decision if appeal else None
            if supersedes is not None and supersedes.decided_by_id == user.pk:
                raise NotPermitted(
                    detail="Pemutus awal tidak boleh meninjau banding atas keputusannya."
                )
        held = decision_needs_approval(case=case, action=action)
        event = CaseEvent.DECISION_HOLD if held else CaseEvent.DECIDE
        new_status = next_status(case.status, event)
        decision = Decision.objects.create(
            case=case,
            action=action,
            ground=ground,
            category=category,
            statement_of_reasons=statement_of_reasons.strip(),
            clarification=clarification if action == Action.LABEL else None,
            automated_detection=automated_detection,
            automated_decision=automated_decision,
            territorial_scope=territorial_scope or [],
            facts=facts,
            decided_by=user,
            decided_at=now,
            case_version=version,
            supersedes=supersedes,
            approval_state=ApprovalState.PENDING if held else ApprovalState.NOT_REQUIRED,
        )
        before = case.status
        case.status = new_status
        case.version += 1
        case.assignee = None
        case.lease_expires_at = None
        case.awaiting_approval = held
        fields = ["status", "version", "assignee", "lease_expires_at", "awaiting_approval"]
        if not held:
            case.decided_at = now
            fields.append("decided_at")
        case.save(update_fields=[*fields, "updated_at"])
        if appeal is not None and not held:
            appeal.status = AppealStatus.DECIDED
            appeal.reviewer = user
            appeal.outcome = decision
            appeal.save(update_fields=["status", "reviewer", "outcome"])
        audit_record(
            action=AuditAction.DECISION_HOLD if held else AuditAction.DECISION_RECORD,
            obj=decision,
            case=case,
            actor=user,
            before={"status": before, "version": version},
            after={
                "status": case.status,
                "action": action,
                "ground": ground,
                "category": category,
                "supersedes": supersedes.pk if supersedes else None,
            },
        )
        if not held:
            _publish(decision)
        else:
            notify_decision_awaiting_approval(decision=decision, case=case)
    return decision


def _lock_pending(decision: Decision) -> tuple[Decision, Case]:
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
    if decision.approval_state != ApprovalState.PENDING:
        raise Conflict(detail="Keputusan ini tidak sedang menunggu persetujuan.")
    return decision, case


def decision_approve(
    *, decision: Decision, user: User, note: str = "", now: datetime | None = None
) -> Decision:
    now = now or timezone.now()
    if not is_supervisor(user):
        raise NotPermitted()
    with transaction.atomic():
        decision, case = _lock_pending(decision)
        if decision.decided_by_id == user.pk:
            raise NotPermitted(detail="Keputusan tidak boleh disetujui oleh pembuatnya sendiri.")
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
    return decision


def decision_reject(
    *, decision: Decision, user: User, note: str, now: datetime | None = None
) -> Decision:
    now = now or timezone.now()
    if not is_supervisor(user):
        raise NotPermitted()
    if not note.strip():
        raise InvalidInput("A rejection needs a reason.", errors={"note": "required"})
    with transaction.atomic():
        decision, case = _lock_pending(decision)
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
    return decision


def appeal_open(
    *,
    platform: Platform,
    appeal_id: str,
    decision: Decision,
    statement: str,
    created_at: datetime,
    now: datetime | None = None,
) -> tuple[Appeal, bool]:
    """Open an appeal on a decided case; returns (appeal, created). Idempotent on appeal_id."""
    now = now or timezone.now()
    with transaction.atomic():
        existing = Appeal.objects.filter(platform=platform, appeal_id=appeal_id).first()
        if existing is not None:
            return existing, False
        case = Case.objects.select_for_update(no_key=True).get(pk=decision.case_id)
        if case.platform_id != platform.pk:
            raise InvalidInput("decision does not belong to this platform")
        if not decision.is_final:
            raise Conflict(detail="decision is not final")
        if case.status != CaseStatus.DECIDED:
            raise Conflict(detail=f"case is {case.status}, not decided")
        other_open = Case.objects.filter(video_id=case.video_id, status__in=OPEN_CASE_STATUSES)
        if other_open.exclude(pk=case.pk).exists():
            raise Conflict(detail="the video already has another open case")
        before = case.status
        case.status = next_status(case.status, CaseEvent.APPEAL)
        case.version += 1
        case.save(update_fields=["status", "version", "updated_at"])
        appeal = Appeal.objects.create(
            platform=platform,
            appeal_id=appeal_id,
            decision=decision,
            case=case,
            statement=statement,
            created_at=created_at,
            received_at=now,
        )
        audit_record(
            action=AuditAction.APPEAL_OPEN,
            obj=appeal,
            case=case,
            actor=None,
            actor_kind="platform",
            before={"status": before},
            after={"status": case.status, "decision": decision.pk},
        )
        notify_appeal_received(appeal=appeal, case=case)
    return appeal, True

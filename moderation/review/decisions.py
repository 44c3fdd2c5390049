"""Recording a decision with its statement of reasons, and sending it to the platform.

A high-impact decision (``decision_needs_approval``) is held for a supervisor instead
(approvals.py); a decision on an appealed case supersedes the appealed one."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import (
    HIGH_IMPACT_ACTIONS,
    Action,
    AppealStatus,
    ApprovalState,
    AuditAction,
    AutomatedDecision,
    CallbackEventType,
    CaseAction,
    CaseEvent,
    CaseStatus,
    ClarificationStatus,
    Ground,
    Reason,
)
from moderation.errors import InvalidInput, StaleVersion
from moderation.models import Case, Clarification, Decision, User
from moderation.outbound.callbacks import delivery_enqueue
from moderation.outbound.payloads import decision_recorded_data
from moderation.oversight.audit import audit_record
from moderation.oversight.notifications import (
    notify_decision_awaiting_approval,
)
from moderation.permissions import case_actions, require_workable
from moderation.policy import tuning_values
from moderation.review.workspace import decision_draft_discard
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
        errors["action"] = _("tindakan tidak dikenal: %(value)s") % {"value": action}
    if ground not in Ground.values:
        errors["ground"] = _("dasar tidak dikenal: %(value)s") % {"value": ground}
    if category not in Reason.values:
        errors["category"] = _("kategori tidak dikenal: %(value)s") % {"value": category}
    if not statement.strip():
        errors["statement_of_reasons"] = _("pernyataan alasan wajib diisi")
    if action == Action.LABEL:
        if clarification is None:
            errors["clarification"] = _("keputusan label memerlukan klarifikasi yang sudah terbit")
        elif clarification.status != ClarificationStatus.PUBLISHED:
            errors["clarification"] = _("klarifikasi ini belum terbit")
    if errors:
        raise InvalidInput.of(errors)


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
        require_workable(user, case)
        if case.version != version:
            raise StaleVersion(expected=version, current=case.version)
        case_actions(user, case, now=now).require(CaseAction.DECIDE)
        appeal = None
        if case.status == CaseStatus.APPEALED:
            appeal = (
                case.appeals.filter(status=AppealStatus.OPEN).select_related("decision").first()
            )
        supersedes = appeal.decision if appeal else None
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
        decision_draft_discard(user=user, case=case)
        if not held:
            _publish(decision)
        else:
            notify_decision_awaiting_approval(decision=decision, case=case)
    return decision

"""What a flag does to its case, in memory: open a case, join an open one, count on a settled
one, or reopen it (``reopen_trigger``). The same rules for one event (events.py) and for a
batch (batch.py); each returns the fields to write and the audit event's before and after."""

from datetime import datetime

from moderation.choices import (
    AuditAction,
    CaseEvent,
    CaseStatus,
    FlagSource,
    ReopenTrigger,
)
from moderation.intake.parsing import FlagCreated
from moderation.intake.policy import due_at, priority_apply
from moderation.models import Case, Video
from moderation.priority import NO_FLAGS, FlagSummary
from moderation.transitions import next_status

TRUSTED_SOURCES = (FlagSource.TRUSTED_FLAGGER, FlagSource.KPU)


def reopen_trigger(
    *, settled: Case, reason: str, source: str, view_count: int | None, growth_factor: float
) -> str | None:
    """Why a new flag on a decided or closed case opens a new case, or None to attach it.

    - ``new_reason``: the flag's reason is not among the settled case's reasons;
    - ``trusted_source``: a trusted flagger or KPU flagged it after the case was settled;
    - ``reach_growth``: the video now has at least ``growth_factor`` times the views the case
      was settled on (``Case.view_count``; no baseline, no reach trigger).
    """
    if reason not in settled.reasons:
        return ReopenTrigger.NEW_REASON
    if source in TRUSTED_SOURCES:
        return ReopenTrigger.TRUSTED_SOURCE
    baseline = settled.view_count
    if baseline and view_count is not None and view_count >= growth_factor * baseline:
        return ReopenTrigger.REACH_GROWTH
    return None


def flag_audit_fields(data: FlagCreated) -> dict[str, object]:
    return {"flag": data.flag_id, "reason": data.reason, "source": data.source}


def case_for_first_flag(
    *,
    platform_id: int,
    video: Video,
    data: FlagCreated,
    now: datetime,
    reopened_from: Case | None,
    trigger: str | None,
) -> tuple[Case, FlagSummary, str, dict[str, object]]:
    """A new case for this flag, not saved: due date and priority set. With it, the flags
    summary for the priority, and the audit action and ``after`` of its opening."""
    case = Case(
        platform_id=platform_id,
        video=video,
        status=CaseStatus.NEW,
        flag_count=1,
        reasons=[data.reason],
        language=video.language,
        opened_at=now,
        last_flag_at=data.flagged_at,
        view_count=video.view_count,
        reopened_from=reopened_from,
    )
    case.due_at = due_at(case, now)
    flags = NO_FLAGS.plus(source=data.source, confidence=data.confidence)
    priority_apply(case, video=video, flags=flags, now=now)
    after: dict[str, object] = {
        "status": case.status,
        "priority": case.priority,
        "due_at": case.due_at.isoformat() if case.due_at else None,
        **flag_audit_fields(data),
    }
    if reopened_from is not None:
        after |= {"reopened_from": reopened_from.pk, "trigger": trigger}
    action = AuditAction.CASE_REOPEN if reopened_from is not None else AuditAction.CASE_OPEN
    return case, flags, action, after


def case_flag_joined(
    case: Case, *, video: Video, data: FlagCreated, flags: FlagSummary, now: datetime
) -> tuple[list[str], dict[str, object], dict[str, object]]:
    """Add a flag to an open case (``flags``: its flags with this one): the changed fields and
    the audit event's before and after."""
    next_status(case.status, CaseEvent.FLAG_JOIN)  # an open case only; the status stays
    before: dict[str, object] = {"flag_count": case.flag_count, "priority": case.priority}
    fields = ["flag_count", "last_flag_at", "view_count", "updated_at"]
    case.flag_count += 1
    case.last_flag_at = max(filter(None, (case.last_flag_at, data.flagged_at)))
    case.view_count = video.view_count
    if data.reason not in case.reasons:
        # A new reason is new information for whoever is deciding: bump the version, so that
        # a decision taken on the old picture gets a stale-version answer. The SLA may tighten.
        before["reasons"] = list(case.reasons)
        case.reasons = [*case.reasons, data.reason]
        case.due_at = due_at(case, now)
        case.version += 1
        fields += ["reasons", "due_at", "version"]
    if priority_apply(case, video=video, flags=flags, now=now):
        fields += ["priority", "priority_breakdown"]
    after: dict[str, object] = {
        "flag_count": case.flag_count,
        "priority": case.priority,
        **({"reasons": list(case.reasons)} if "reasons" in before else {}),
        **flag_audit_fields(data),
    }
    return fields, before, after


def case_flag_attached(
    case: Case, *, data: FlagCreated
) -> tuple[list[str], dict[str, object], dict[str, object]]:
    """Count a flag on a settled case without reopening it: changed fields, before, after."""
    before: dict[str, object] = {"flag_count": case.flag_count}
    case.flag_count += 1
    case.last_flag_at = max(filter(None, (case.last_flag_at, data.flagged_at)))
    after = {"flag_count": case.flag_count, "settled": case.status, **flag_audit_fields(data)}
    return ["flag_count", "last_flag_at"], before, after

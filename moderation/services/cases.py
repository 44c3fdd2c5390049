"""Case writes: claim, release, leases, escalation to KPU, close, priority refresh.

Every function locks what it changes, asks transitions.next_status, saves with update_fields,
bumps ``version`` and writes its audit event in the same transaction. Claim-next does the same
in one SQL statement built from the ORM's query (services/claim_statement.py): it is the hot
path of every shift.
"""

import json
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import DateTimeField, Q, QuerySet
from django.utils import timezone

from moderation.choices import AuditAction, CaseEvent, CaseStatus
from moderation.errors import AlreadyClaimed, InvalidInput, LeaseExpired, NotPermitted
from moderation.models import Case, Queue, User
from moderation.permissions import can_work_case, cases_workable_q, is_kpu, is_supervisor
from moderation.priority import PrioritySignals, priority_compute
from moderation.queues import (
    SKIP_COOLDOWN,
    not_skipped_recently_q,
    queue_claim_filter,
    queue_require_claimable,
)
from moderation.selectors import lease_duration, phase_current, tuning_values
from moderation.services.audit import audit_columns, audit_record
from moderation.services.claim_statement import (
    StatementParameter,
    claim_statement_build,
    claim_statement_cached,
)
from moderation.services.notifications import notify_case_routed_to_kpu
from moderation.transitions import next_status

CLAIMABLE_STATUSES = (CaseStatus.NEW, CaseStatus.APPEALED)


def _lock(case_id: int) -> Case:
    # FOR NO KEY UPDATE OF the case only: locking the joined platform row as well would queue
    # every claim behind the webhook inserts that reference that platform.
    return (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("platform")
        .get(pk=case_id)
    )


def _move(case: Case, event: str, fields: list[str]) -> str:
    before = case.status
    case.status = next_status(case.status, event)
    case.version += 1
    case.save(update_fields=[*fields, "status", "version", "updated_at"])
    return before


def _appeal_review_blocked(case: Case, user: User) -> bool:
    """The decider of an appealed decision may not take the second review."""
    if case.status != CaseStatus.APPEALED:
        return False
    return case.decisions.filter(decided_by=user).exists()


def _take(case: Case, user: User, now: datetime, *, via: str) -> None:
    """Give a locked, claimable case to ``user`` with a fresh lease, and audit it."""
    before = case.status
    case.assignee = user
    case.lease_expires_at = now + lease_duration()
    _move(case, CaseEvent.CLAIM, ["assignee", "lease_expires_at"])
    audit_record(
        action=AuditAction.CASE_CLAIM,
        obj=case,
        case=case,
        actor=user,
        before={"status": before},
        after={"status": case.status, "assignee": user.pk, "via": via},
    )


def case_claim(*, case: Case, user: User, now: datetime | None = None) -> Case:
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case.pk)
        if not can_work_case(user, case):
            raise NotPermitted()
        if case.assignee_id == user.pk and case.lease_expires_at and case.lease_expires_at > now:
            return case
        if case.assignee_id is not None and case.lease_expires_at and case.lease_expires_at > now:
            raise AlreadyClaimed()
        if case.assignee_id is not None:
            # The lease ran out but the beat task has not swept it yet: expire it now.
            _expire_lease(case)
        if case.awaiting_approval:
            raise AlreadyClaimed(detail="Keputusan kasus ini menunggu persetujuan supervisor.")
        if _appeal_review_blocked(case, user):
            raise NotPermitted(
                detail="Pemutus awal tidak boleh meninjau banding atas keputusannya."
            )
        _take(case, user, now, via="claim")
    return case


def case_claim_next(
    *, user: User, queue: Queue | None = None, now: datetime | None = None
) -> Case | None:
    """The highest-priority unclaimed case the user may work (in ``queue`` if given, minus the
    cases they skipped within ``SKIP_COOLDOWN``), claimed with SKIP LOCKED.

    Two moderators asking at once never get the same case: each locks a different row. One
    statement picks the case, claims it and appends its audit event (services/claim_statement.py);
    its SQL is compiled by the ORM from ``_claim_candidates`` once per user, workable platforms and
    queue filters, and each later claim only binds this call's values.
    """
    now = now or timezone.now()
    if queue is not None:
        queue_require_claimable(queue)
    workable = cases_workable_q(user)
    filters_key = json.dumps(queue.filters or {}, sort_keys=True) if queue is not None else None
    with transaction.atomic():
        statement = claim_statement_cached(
            key=(user.pk, workable, filters_key),
            build=lambda: claim_statement_build(
                candidates=_claim_candidates(user, workable, queue),
                new_status={s: next_status(s, CaseEvent.CLAIM) for s in CLAIMABLE_STATUSES},
                via="claim_next",
            ),
        )
        case = statement.execute(
            {
                "assignee_id": user.pk,
                "lease_expires_at": now + lease_duration(),
                "updated_at": timezone.now(),
                "skipped_since": now - SKIP_COOLDOWN,
                **audit_columns(
                    action=AuditAction.CASE_CLAIM,
                    object_type=Case._meta.model_name,
                    actor=user,
                ),
            }
        )
    if case is not None:
        case.assignee = user
    return case


def _claim_candidates(user: User, workable: Q, queue: Queue | None) -> QuerySet[Case]:
    """What claim-next may pick for ``user``, best first: open and unclaimed, not held for
    approval, on their platforms, in the queue, and not an appeal of their own decision."""
    candidates = (
        Case.objects.filter(
            status__in=CLAIMABLE_STATUSES, assignee__isnull=True, awaiting_approval=False
        )
        .filter(workable)
        .exclude(status=CaseStatus.APPEALED, decisions__decided_by=user)
    )
    since = StatementParameter("skipped_since", output_field=DateTimeField())
    if queue is not None:
        candidates = candidates.filter(
            queue_claim_filter(user=user, queue=queue, skipped_since=since)
        )
    else:
        candidates = candidates.filter(not_skipped_recently_q(user=user, skipped_since=since))
    return candidates.order_by("-priority", "opened_at", "pk")


def case_lease_renew(*, case: Case, user: User, now: datetime | None = None) -> Case:
    """Keep a claim alive while the case page is open."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case.pk)
        if case.assignee_id != user.pk or not case.lease_expires_at:
            raise LeaseExpired()
        if case.lease_expires_at < now:
            raise LeaseExpired()
        case.lease_expires_at = now + lease_duration()
        case.save(update_fields=["lease_expires_at", "updated_at"])
    return case


def case_release(*, case: Case, user: User, reason: str = "") -> Case:
    with transaction.atomic():
        case = _lock(case.pk)
        if case.assignee_id is None:
            return case
        if case.assignee_id != user.pk and not is_supervisor(user):
            raise NotPermitted()
        before = case.status
        previous = case.assignee_id
        case.assignee = None
        case.lease_expires_at = None
        _move(case, CaseEvent.RELEASE, ["assignee", "lease_expires_at"])
        audit_record(
            action=AuditAction.CASE_SKIP if reason else AuditAction.CASE_RELEASE,
            obj=case,
            case=case,
            actor=user,
            before={"status": before, "assignee": previous},
            after={
                "status": case.status,
                "assignee": None,
                **({"reason": reason} if reason else {}),
            },
        )
    return case


def case_skip(*, case: Case, user: User, reason: str) -> Case:
    """Give a claimed case back with a reason (audited as a skip). Claim-next then leaves it to
    others for a while (``queues.SKIP_COOLDOWN``)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("A skip needs a reason.", errors={"reason": "required"})
    if case.assignee_id != user.pk and not is_supervisor(user):
        raise NotPermitted(detail="Hanya pemegang klaim yang dapat melewati kasus ini.")
    return case_release(case=case, user=user, reason=reason[:500])


def case_reassign(*, case: Case, user: User, assignee: User, now: datetime | None = None) -> Case:
    """A supervisor hands a case to a named moderator."""
    now = now or timezone.now()
    if not is_supervisor(user):
        raise NotPermitted()
    with transaction.atomic():
        case = _lock(case.pk)
        if not can_work_case(assignee, case):
            raise NotPermitted(detail="Moderator ini tidak dapat menangani kasus platform ini.")
        before = {"status": case.status, "assignee": case.assignee_id}
        case.assignee = assignee
        case.lease_expires_at = now + lease_duration()
        if case.status == CaseStatus.NEW:
            _move(case, CaseEvent.CLAIM, ["assignee", "lease_expires_at"])
        else:
            case.version += 1
            case.save(update_fields=["assignee", "lease_expires_at", "version", "updated_at"])
        audit_record(
            action=AuditAction.CASE_REASSIGN,
            obj=case,
            case=case,
            actor=user,
            before=before,
            after={"status": case.status, "assignee": assignee.pk},
        )
    return case


def case_leases_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """Return expired claims to the queue. Idempotent; safe to run from several workers."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(assignee__isnull=False, lease_expires_at__lt=now)
            .order_by("lease_expires_at")[:batch]
        )
        for case in cases:
            _expire_lease(case)
            expired += 1
    return expired


def _expire_lease(case: Case) -> None:
    """Return a locked case whose lease ran out to the queue, audited as the system."""
    previous = case.assignee_id
    before = case.status
    case.assignee = None
    case.lease_expires_at = None
    _move(case, CaseEvent.LEASE_EXPIRE, ["assignee", "lease_expires_at"])
    audit_record(
        action=AuditAction.CASE_LEASE_EXPIRE,
        obj=case,
        case=case,
        actor=None,
        before={"status": before, "assignee": previous},
        after={"status": case.status, "assignee": None},
    )


def case_escalate_to_kpu(*, case: Case, user: User, note: str = "") -> Case:
    """Route a case to KPU clarifiers (awaiting_clarification)."""
    with transaction.atomic():
        case = _lock(case.pk)
        if not can_work_case(user, case):
            raise NotPermitted()
        before = case.status
        case.assignee = None
        case.lease_expires_at = None
        _move(case, CaseEvent.ESCALATE_TO_KPU, ["assignee", "lease_expires_at"])
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
        case = _lock(case.pk)
        if user is not None and not (is_supervisor(user) or can_work_case(user, case)):
            raise NotPermitted()
        if case.status == CaseStatus.CLOSED:
            return case
        before = case.status
        case.close_reason = reason
        case.closed_at = now
        case.assignee = None
        case.lease_expires_at = None
        _move(case, CaseEvent.CLOSE, ["close_reason", "closed_at", "assignee", "lease_expires_at"])
        audit_record(
            action=AuditAction.CASE_CLOSE,
            obj=case,
            case=case,
            actor=user,
            before={"status": before},
            after={"status": case.status, "close_reason": reason},
        )
    return case


def case_priority_signals(case: Case, *, now: datetime) -> PrioritySignals:
    flags = list(case.flags.values_list("source", "reason", "confidence"))
    video = case.video
    views_per_hour = None
    if video.view_count and video.published_at and video.published_at < now:
        hours = max((now - video.published_at).total_seconds() / 3600, 1.0)
        views_per_hour = video.view_count / hours
    phase = phase_current(now)
    confidences = [c for _, _, c in flags if c is not None]
    return PrioritySignals(
        view_count=video.view_count,
        views_per_hour=views_per_hour,
        distinct_flags=len(flags),
        sources=frozenset(s for s, _, _ in flags),
        reasons=frozenset(case.reasons),
        phase_kind=phase.kind if phase else None,
        due_at=case.due_at,
        now=now,
        max_confidence=max(confidences) if confidences else None,
    )


def case_priority_refresh(*, case: Case, now: datetime | None = None) -> Case:
    """Recompute priority and its breakdown. Call with the case locked by the caller."""
    now = now or timezone.now()
    result = priority_compute(case_priority_signals(case, now=now), tuning_values())
    if case.priority != result.score or case.priority_breakdown != result.breakdown():
        case.priority = result.score
        case.priority_breakdown = result.breakdown()
        case.save(update_fields=["priority", "priority_breakdown", "updated_at"])
    return case


def case_is_kpu_visible(case: Case, user: User) -> bool:
    return is_kpu(user) and case.status == CaseStatus.AWAITING_CLARIFICATION


def lease_left(case: Case, now: datetime | None = None) -> timedelta | None:
    if not case.lease_expires_at:
        return None
    return case.lease_expires_at - (now or timezone.now())

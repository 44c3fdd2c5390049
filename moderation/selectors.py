"""Every non-trivial read: the current phase, SLA targets, tuning values, queues, audit search."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from moderation.choices import AppealStatus, ApprovalState, ClarificationStatus, Role
from moderation.errors import NotFound, NotPermitted
from moderation.models import (
    Appeal,
    AuditEvent,
    Case,
    CaseClarification,
    Clarification,
    Decision,
    ElectionPhase,
    Flag,
    SlaTarget,
    TuningParameter,
    User,
)
from moderation.permissions import (
    can_approve_decisions,
    can_read_audit_log,
    can_read_case,
    cases_visible_q,
    is_kpu,
    is_staff_member,
    is_supervisor,
)
from moderation.priority import DEFAULT_TUNING

DEFAULT_SLA_MINUTES = 24 * 60
_TUNING_CACHE_KEY = "tuning-values:v1"


def phase_on(day: date) -> ElectionPhase | None:
    return (
        ElectionPhase.objects.filter(starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on")
        .first()
    )


def phase_current(now: datetime | None = None) -> ElectionPhase | None:
    """The phase of today's date in WIB (phases are calendar days in Indonesia)."""
    now = now or timezone.now()
    return phase_on(timezone.localtime(now).date())


def sla_target_minutes(*, phase: ElectionPhase | None, reasons: list[str]) -> int:
    """The tightest target among the case's reasons, for the phase, falling back to defaults."""
    if not reasons:
        return DEFAULT_SLA_MINUTES
    rows = SlaTarget.objects.filter(reason__in=reasons).filter(
        **({"phase__in": [phase]} if phase else {"phase__isnull": True})
    )
    targets = [r.target_minutes for r in rows]
    if phase and not targets:
        targets = [
            r.target_minutes
            for r in SlaTarget.objects.filter(reason__in=reasons, phase__isnull=True)
        ]
    return min(targets) if targets else DEFAULT_SLA_MINUTES


def tuning_values() -> dict[str, float]:
    """Defaults overlaid with what administrators set. Cached for a few seconds."""
    cached = cache.get(_TUNING_CACHE_KEY)
    if cached is not None:
        return dict(cached)
    values = dict(DEFAULT_TUNING)
    values.update(dict(TuningParameter.objects.values_list("key", "value")))
    cache.set(_TUNING_CACHE_KEY, values, timeout=30)
    return values


def tuning_values_forget() -> None:
    cache.delete(_TUNING_CACHE_KEY)


def cases_visible(user: User) -> QuerySet[Case]:
    return Case.objects.filter(cases_visible_q(user))


def case_history(case: Case) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(case=case).select_related("actor").order_by("id")


def cases_with_expired_lease(now: datetime) -> QuerySet[Case]:
    return Case.objects.filter(assignee__isnull=False, lease_expires_at__lt=now)


def lease_duration() -> timedelta:
    from django.conf import settings

    return timedelta(minutes=settings.SARING["LEASE_MINUTES"])


# --- The case page and the case API -------------------------------------------------------------


def case_for_user(*, user: User, case_id: int) -> Case:
    """One case the user may read, or NotFound / NotPermitted."""
    if not is_staff_member(user):
        raise NotPermitted()
    case = (
        Case.objects.select_related("video", "platform", "assignee", "reopened_from")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound()
    if not can_read_case(user, case):
        raise NotPermitted()
    return case


@dataclass
class CaseDetail:
    """Everything the case page shows, loaded in a fixed number of queries."""

    case: Case
    flags: list[Flag]
    history: list[AuditEvent]
    video_decisions: list[Decision]
    clarifications: list[CaseClarification]
    open_appeal: Appeal | None
    pending_decision: Decision | None
    last_event_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def audit_user_names(events: list[AuditEvent]) -> list[AuditEvent]:
    """Put ``_user_names`` ({id: username}) on events whose before/after name users by id,
    in one query, so the history can show names instead of ids."""
    ids = {
        value
        for event in events
        for side in (event.before or {}, event.after or {})
        for key, value in side.items()
        if key in ("assignee", "decided_by") and isinstance(value, int)
    }
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}
    for event in events:
        event._user_names = names  # type: ignore[attr-defined]
    return events


def case_detail(*, user: User, case_id: int) -> CaseDetail:
    case = case_for_user(user=user, case_id=case_id)
    flags = list(case.flags.order_by("flagged_at", "pk"))
    history = audit_user_names(list(case_history(case)))
    # Every decision on this video, this case's and earlier cases', newest first.
    video_decisions = list(
        Decision.objects.filter(case__video_id=case.video_id)
        .select_related("decided_by", "approved_by", "clarification", "supersedes")
        .order_by("-decided_at", "-pk")
    )
    clarifications = list(
        CaseClarification.objects.filter(case=case)
        .select_related("clarification", "attached_by")
        .order_by("attached_at")
    )
    open_appeal = (
        Appeal.objects.filter(case=case, status=AppealStatus.OPEN)
        .select_related("decision__decided_by")
        .first()
    )
    pending = next(
        (
            d
            for d in video_decisions
            if d.case_id == case.pk and d.approval_state == ApprovalState.PENDING
        ),
        None,
    )
    return CaseDetail(
        case=case,
        flags=flags,
        history=history,
        video_decisions=video_decisions,
        clarifications=clarifications,
        open_appeal=open_appeal,
        pending_decision=pending,
        last_event_id=history[-1].pk if history else 0,
    )


def case_changes_since(*, case: Case, event_id: int) -> QuerySet[AuditEvent]:
    """What happened to a case after the audit event a page was rendered with."""
    return case_history(case).filter(pk__gt=event_id)


def clarifications_published() -> QuerySet[Clarification]:
    """Clarifications a label decision or an attachment may use, newest first."""
    return Clarification.objects.filter(status=ClarificationStatus.PUBLISHED).order_by(
        "-published_at", "-pk"
    )


def clarifications_for_user(user: User) -> QuerySet[Clarification]:
    """KPU staff and supervisors see every clarification; everyone else the published ones."""
    if not is_staff_member(user):
        raise NotPermitted()
    qs = Clarification.objects.select_related("author", "approver").order_by("-created_at", "-pk")
    if is_kpu(user) or is_supervisor(user):
        return qs
    return qs.filter(status__in=[ClarificationStatus.PUBLISHED, ClarificationStatus.RETRACTED])


def moderators_for_case(case: Case) -> QuerySet[User]:
    """Who a supervisor may hand ``case`` to: moderators of the case's platform."""
    organisation_id = case.platform.organisation_id
    if organisation_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            groups__name=Role.PLATFORM_MODERATOR,
            organisation_id=organisation_id,
        )
        .distinct()
        .order_by("username")
    )


def decisions_pending_approval(user: User) -> QuerySet[Decision]:
    """Held decisions waiting for a supervisor, oldest first."""
    if not can_approve_decisions(user):
        raise NotPermitted()
    return (
        Decision.objects.filter(approval_state=ApprovalState.PENDING)
        .select_related("case__video", "case__platform", "decided_by", "clarification")
        .order_by("decided_at", "pk")
    )


def audit_events_search(
    *,
    user: User,
    actor: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    case_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, for supervisors. ``actor`` is a username or a user id."""
    if not can_read_audit_log(user):
        raise NotPermitted()
    qs = AuditEvent.objects.select_related("actor")
    if actor:
        qs = qs.filter(actor_id=int(actor)) if actor.isdigit() else qs.filter(actor__username=actor)
    if action:
        qs = qs.filter(action=action)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return qs.order_by("-created_at", "-pk")

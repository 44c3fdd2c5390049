"""Reads of the review workspace: the cases a user may read, the case page in a fixed number of
queries, what changed since a page was rendered, who a case can be handed to, held decisions."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from moderation.choices import AppealStatus, ApprovalState, Role
from moderation.errors import NotFound, NotPermitted
from moderation.models import Appeal, AuditEvent, Case, CaseClarification, Decision, Flag, User
from moderation.permissions import (
    can_approve_decisions,
    can_read_case,
    cases_visible_q,
    in_scope_q,
    is_staff_member,
)


def cases_visible(user: User) -> QuerySet[Case]:
    return Case.objects.filter(cases_visible_q(user))


def case_history(case: Case) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(case=case).select_related("actor").order_by("id")


def cases_with_expired_lease(now: datetime) -> QuerySet[Case]:
    return Case.objects.filter(assignee__isnull=False, lease_expires_at__lt=now)


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

    @property
    def deciders(self) -> frozenset[int]:
        """Who decided this case before (for the appeal rule in permissions.case_actions)."""
        return frozenset(d.decided_by_id for d in self.video_decisions if d.case_id == self.case.pk)


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
        .filter(in_scope_q(user, "case__platform_id"))
        .select_related("case__video", "case__platform", "decided_by", "clarification")
        .order_by("decided_at", "pk")
    )

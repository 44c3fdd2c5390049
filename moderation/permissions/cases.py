"""Cases: which a user may read, list and work, and ``case_actions``, what one user may do to
one case now and why the rest is refused."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moderation.choices import (
    CLAIMABLE_STATUSES,
    DECIDABLE_STATUSES,
    OPEN_CASE_STATUSES,
    CaseAction,
    CaseEvent,
    CaseStatus,
)
from moderation.errors import (
    AlreadyClaimed,
    Conflict,
    LeaseExpired,
    ModerationError,
    NotPermitted,
)
from moderation.models import Case, User
from moderation.permissions.roles import (
    NOTHING,
    in_scope,
    in_scope_q,
    is_kpu,
    is_moderator,
    is_platform_staff,
    is_read_only,
    is_supervisor,
    platform_ids_of,
    works_for_platform,
)
from moderation.transitions import invalid_transition, is_allowed, next_status

_NOT_YOUR_PLATFORM = _("Anda tidak dapat menangani kasus platform ini.")


_APPEAL_SELF_REVIEW = _("Pemutus awal tidak boleh meninjau banding atas keputusannya.")


_AWAITING_APPROVAL = _("Keputusan kasus ini menunggu persetujuan supervisor.")


_CLAIM_FIRST = _("Klaim kasus ini terlebih dahulu.")


_HELD_BY_OTHER = _("Kasus ini sedang ditangani moderator lain.")


_NOT_HELD = _("Kasus ini tidak sedang diklaim.")


_NOT_YOURS = _("Hanya pemegang klaim atau supervisor yang dapat melepas kasus ini.")


_SUPERVISORS_ONLY = _("Hanya supervisor yang dapat melakukan ini.")


_NOTHING_PENDING = _("Tidak ada keputusan yang menunggu persetujuan.")


_OWN_DECISION = _("Keputusan tidak boleh disetujui oleh pembuatnya sendiri.")


_CASE_SETTLED = _("Kasus ini sudah tidak terbuka.")


def cases_visible_q(user: User) -> Q:
    """The cases a user may read, as a filter. Nothing for outsiders."""
    if is_supervisor(user) or is_kpu(user):
        return in_scope_q(user)
    if is_moderator(user) and is_platform_staff(user):
        return Q(platform_id__in=platform_ids_of(user))
    return NOTHING


def cases_workable_q(user: User) -> Q:
    """The cases a user may claim and decide."""
    if is_read_only(user):
        return NOTHING
    if is_supervisor(user):
        return in_scope_q(user)
    if is_moderator(user) and is_platform_staff(user):
        return Q(platform_id__in=platform_ids_of(user))
    return NOTHING


def cases_listable_q(user: User) -> Q:
    """The cases a user sees in queue lists: moderators their platform's, KPU staff the cases
    awaiting clarification, supervisors every case in their scope."""
    if is_supervisor(user):
        return in_scope_q(user)
    q = NOTHING
    if is_moderator(user) and is_platform_staff(user):
        q |= Q(platform_id__in=platform_ids_of(user))
    if is_kpu(user):
        q |= Q(status=CaseStatus.AWAITING_CLARIFICATION)
    return q


def appeal_review_barred_q(user: User) -> Q:
    """The appeals ``user`` may not review: those of cases they decided before (the appeal
    rule, as a filter; ``case_actions`` applies the same rule to one case)."""
    return Q(status=CaseStatus.APPEALED, decisions__decided_by=user)


def can_work_case(user: User, case: Case) -> bool:
    """May claim, decide and escalate cases of this platform at all (the state aside)."""
    if is_read_only(user):
        return False
    if is_supervisor(user):
        return in_scope(user, case.platform_id)
    return bool(
        is_moderator(user)
        and is_platform_staff(user)
        and works_for_platform(user, case.platform_id)
    )


def require_workable(user: User, case: Case) -> None:
    """NotPermitted unless ``user`` may work cases of this case's platform at all."""
    if not can_work_case(user, case):
        raise NotPermitted(_NOT_YOUR_PLATFORM)


def can_read_case(user: User, case: Case) -> bool:
    if is_supervisor(user) or is_kpu(user):
        return in_scope(user, case.platform_id)
    return can_work_case(user, case)


def case_deciders(case: Case) -> frozenset[int]:
    """Who has recorded a decision on this case (held, approved or rejected)."""
    return frozenset(case.decisions.values_list("decided_by_id", flat=True))


def lease_is_live(case: Case, now: datetime) -> bool:
    """Whether the case is held right now. An expired lease holds nothing, whatever the
    expiry job has done yet."""
    return bool(case.assignee_id and case.lease_expires_at and case.lease_expires_at > now)


def case_holder_id(case: Case, now: datetime | None = None) -> int | None:
    """Who holds the case right now: its assignee while the lease lives, else nobody."""
    return case.assignee_id if lease_is_live(case, now or timezone.now()) else None


def case_status_now(case: Case, now: datetime | None = None) -> str:
    """The case's status as it is now: a claim whose lease ran out is back where the expiry
    will put it (in review becomes new), whatever the expiry job has done yet."""
    if case.assignee_id and not lease_is_live(case, now or timezone.now()):
        return next_status(case.status, CaseEvent.LEASE_EXPIRE)
    return case.status


# The statuses a claim holds a case in, and where the lease's expiry puts each.
_EXPIRY_MOVES = {
    status: moved
    for status in (CaseStatus.IN_REVIEW, CaseStatus.APPEALED)
    if (moved := next_status(status, CaseEvent.LEASE_EXPIRE)) != status
}


def status_now_q(statuses: Iterable[str], now: datetime) -> Q:
    """The cases whose status now (``case_status_now``) is one of ``statuses``: a claim whose
    lease ran out counts where the expiry will put it (in review as new), whatever the expiry
    job has done yet. A set the expiry cannot leave (every open status) is a plain filter."""
    wanted = set(statuses)
    arriving = {s for s, moved in _EXPIRY_MOVES.items() if moved in wanted and s not in wanted}
    leaving = {s for s, moved in _EXPIRY_MOVES.items() if s in wanted and moved not in wanted}
    q = Q(status__in=sorted(wanted))
    if leaving:
        q &= ~(Q(status__in=sorted(leaving)) & lease_expired_q(now))
    if arriving:
        q |= Q(status__in=sorted(arriving)) & lease_expired_q(now)
    return q


def statuses_stored_for(statuses: Iterable[str]) -> set[str]:
    """The stored statuses a case may have and count as one of ``statuses`` now."""
    wanted = set(statuses)
    return wanted | {s for s, moved in _EXPIRY_MOVES.items() if moved in wanted}


def lease_expired_q(now: datetime) -> Q:
    """Cases still marked as claimed whose lease ran out (free, as ``lease_is_live`` says)."""
    return Q(assignee__isnull=False, lease_expires_at__lte=now)


def unclaimed_q(now: datetime) -> Q:
    """Cases nobody holds now: no assignee, or a lease that ran out."""
    return Q(assignee__isnull=True) | Q(lease_expires_at__lte=now)


@dataclass(frozen=True)
class CaseActions:
    """What one user may do to one case now: every ``CaseAction`` is either allowed, or
    refused with the domain error a service raises for it."""

    case: Case
    holds_claim: bool
    held_by_other: bool
    # The user decided this case before and it is now appealed: someone else reviews it.
    appeal_self_review: bool
    refusals: dict[str, ModerationError] = field(default_factory=dict)

    def allows(self, action: str) -> bool:
        return action not in self.refusals

    def require(self, action: str) -> None:
        """Raise the refusal of ``action``, if any."""
        if action in self.refusals:
            raise self.refusals[action]

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(a for a in CaseAction.values if a not in self.refusals)


def case_actions(
    user: User,
    case: Case,
    *,
    now: datetime | None = None,
    deciders: Iterable[int] | None = None,
    pending_decider_id: int | None = None,
) -> CaseActions:
    """Every action ``user`` may take on ``case`` at ``now``, and why the others are refused.

    ``deciders``: who decided this case before (``case_deciders``; read here when the case is
    appealed and the caller did not pass it). ``pending_decider_id``: who made the decision
    waiting for approval, if one waits.
    """
    now = now or timezone.now()
    refusals: dict[str, ModerationError] = {}
    workable = can_work_case(user, case)
    live = lease_is_live(case, now)
    holds = live and case.assignee_id == user.pk
    held_by_other = live and case.assignee_id != user.pk
    # A supervisor of this case's platform (their scope), who may act on it.
    supervising = is_supervisor(user) and workable
    # A claim whose lease ran out holds nothing: the case is where the expiry will put it.
    status = (
        next_status(case.status, CaseEvent.LEASE_EXPIRE)
        if case.assignee_id and not live
        else case.status
    )
    appealed = status == CaseStatus.APPEALED
    if appealed and deciders is None:
        deciders = case_deciders(case)
    self_review = appealed and user.pk in set(deciders or ())

    def refuse(action: str, error: ModerationError) -> None:
        refusals.setdefault(action, error)

    # Claim: an open, claimable case nobody else holds, on the user's platforms.
    if not workable:
        refuse(CaseAction.CLAIM, NotPermitted(_NOT_YOUR_PLATFORM))
    elif held_by_other:
        refuse(CaseAction.CLAIM, AlreadyClaimed())
    elif case.awaiting_approval:
        refuse(CaseAction.CLAIM, AlreadyClaimed(_AWAITING_APPROVAL))
    elif status not in CLAIMABLE_STATUSES and not holds:
        refuse(CaseAction.CLAIM, invalid_transition(status, CaseEvent.CLAIM))
    elif self_review:
        refuse(CaseAction.CLAIM, NotPermitted(_APPEAL_SELF_REVIEW))

    # Decide: the holder of a live claim; a supervisor also on a case nobody holds.
    if not workable:
        refuse(CaseAction.DECIDE, NotPermitted(_NOT_YOUR_PLATFORM))
    elif held_by_other:
        refuse(CaseAction.DECIDE, NotPermitted(_HELD_BY_OTHER))
    elif case.assignee_id == user.pk and not live:
        refuse(CaseAction.DECIDE, LeaseExpired())
    elif not holds and not supervising:
        refuse(CaseAction.DECIDE, NotPermitted(_CLAIM_FIRST))
    elif status not in DECIDABLE_STATUSES:
        refuse(CaseAction.DECIDE, invalid_transition(status, CaseEvent.DECIDE))
    elif case.awaiting_approval:
        refuse(CaseAction.DECIDE, Conflict(_AWAITING_APPROVAL))
    elif self_review:
        refuse(CaseAction.DECIDE, NotPermitted(_APPEAL_SELF_REVIEW))

    # Release and skip: the holder, or a supervisor, of a claimed case.
    for action in (CaseAction.RELEASE, CaseAction.SKIP):
        if not case.assignee_id:
            refuse(action, Conflict(_NOT_HELD))
        elif case.assignee_id != user.pk and not supervising:
            refuse(action, NotPermitted(_NOT_YOURS))

    # Escalate to KPU: a new or claimed case, by whoever may take it now.
    if not workable:
        refuse(CaseAction.ESCALATE, NotPermitted(_NOT_YOUR_PLATFORM))
    elif not is_allowed(status, CaseEvent.ESCALATE_TO_KPU):
        refuse(CaseAction.ESCALATE, invalid_transition(status, CaseEvent.ESCALATE_TO_KPU))
    elif case.awaiting_approval:
        refuse(CaseAction.ESCALATE, Conflict(_AWAITING_APPROVAL))
    elif held_by_other and not supervising:
        refuse(CaseAction.ESCALATE, NotPermitted(_HELD_BY_OTHER))

    # Reassign: supervisors who may work the case, on an open case.
    if not supervising:
        refuse(CaseAction.REASSIGN, NotPermitted(_SUPERVISORS_ONLY))
    elif status not in OPEN_CASE_STATUSES:
        refuse(CaseAction.REASSIGN, Conflict(_CASE_SETTLED))

    # Approve or reject a held decision: supervisors; never one's own decision (four eyes).
    for action in (CaseAction.APPROVE_DECISION, CaseAction.REJECT_DECISION):
        if not supervising:
            refuse(action, NotPermitted(_SUPERVISORS_ONLY))
        elif not case.awaiting_approval:
            refuse(action, Conflict(_NOTHING_PENDING))
    if pending_decider_id is not None and pending_decider_id == user.pk:
        refuse(CaseAction.APPROVE_DECISION, NotPermitted(_OWN_DECISION))

    # Attach a published clarification: KPU staff and those who may work the case.
    if not ((is_kpu(user) and not is_read_only(user)) or workable):
        refuse(CaseAction.ATTACH_CLARIFICATION, NotPermitted())
    elif not is_allowed(status, CaseEvent.CLARIFICATION_ATTACH):
        refuse(
            CaseAction.ATTACH_CLARIFICATION,
            invalid_transition(status, CaseEvent.CLARIFICATION_ATTACH),
        )

    # Close: those who may work the case, while it is not closed.
    if not workable:
        refuse(CaseAction.CLOSE, NotPermitted(_NOT_YOUR_PLATFORM))
    elif not is_allowed(status, CaseEvent.CLOSE):
        refuse(CaseAction.CLOSE, invalid_transition(status, CaseEvent.CLOSE))

    return CaseActions(
        case=case,
        holds_claim=holds,
        held_by_other=held_by_other,
        appeal_self_review=self_review,
        refusals=refusals,
    )


def can_reassign_to(assignee: User, case: Case) -> bool:
    """Whom a supervisor may hand a case to: someone who may work it."""
    return assignee.is_active and can_work_case(assignee, case)

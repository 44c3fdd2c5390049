"""Claims: who holds a case, for how long. Claim, claim-next, lease renewal, release, skip,
reassignment and the expiry of leases.

Every function locks the case, asks ``permissions.case_actions`` whether the user may, asks
``transitions.next_status`` whether the move is legal, saves with update_fields, bumps
``version`` and writes its audit event in the same transaction. Claim-next does the same in one
SQL statement built from the ORM's query (claim_statement.py): it is the hot path of a shift.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import DateTimeField, IntegerField, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import CLAIMABLE_STATUSES, AuditAction, CaseAction, CaseEvent, CaseStatus
from moderation.errors import InvalidInput, LeaseExpired, ModerationError, NotPermitted
from moderation.models import AuditEvent, Case, Queue, User, database_now
from moderation.oversight.audit import audit_columns, audit_record
from moderation.permissions import (
    appeal_review_barred_q,
    can_reassign_to,
    can_work_case,
    case_actions,
    cases_workable_q,
    lease_expired_q,
    lease_is_live,
)
from moderation.policy import lease_duration
from moderation.review.cases import case_lock, case_move
from moderation.review.claim_statement import (
    StatementParameter,
    claim_statement_build,
    claim_statement_cached,
)
from moderation.review.queue_filters import (
    SKIP_COOLDOWN,
    not_skipped_recently_q,
    queue_claim_filter,
    queue_require_claimable,
)
from moderation.transitions import next_status

# A page reload sends the release beacon of the old page after the new page was rendered; the
# new page's first lease call takes the claim back if nobody else did within this window.
RECLAIM_WINDOW = timedelta(minutes=2)

# How long a claim outlives its case page: the page's next lease call (a second after a reload,
# every 30 seconds after) renews it.
LET_GO_GRACE = timedelta(seconds=45)

# How many lapsed claims one claim-next returns to the queue before it picks (the expiry job
# does the rest).
LAPSED_PER_CLAIM = 20


def _take(case: Case, user: User, now: datetime, *, via: str) -> None:
    """Give a locked, claimable case to ``user`` with a fresh lease, and audit it."""
    before = case.status
    case.assignee = user
    case.lease_expires_at = now + lease_duration()
    case_move(case, CaseEvent.CLAIM, ["assignee", "lease_expires_at"])
    audit_record(
        action=AuditAction.CASE_CLAIM,
        obj=case,
        case=case,
        actor=user,
        before={"status": before},
        after={"status": case.status, "assignee": user.pk, "via": via},
    )


def case_claim(*, case: Case, user: User, now: datetime | None = None) -> Case:
    """Take a case with a fresh lease. Claiming a case one already holds changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        case = case_lock(case.pk)
        if case.assignee_id and not lease_is_live(case, now) and can_work_case(user, case):
            # The lease ran out but the expiry job has not swept it yet: expire it now.
            _expire_lease(case)
        actions = case_actions(user, case, now=now)
        actions.require(CaseAction.CLAIM)
        if not actions.holds_claim:
            _take(case, user, now, via="claim")
    return case


def case_claim_next(
    *,
    user: User,
    queue: Queue | None = None,
    now: datetime | None = None,
    passing: Case | None = None,
) -> Case | None:
    """The highest-priority unclaimed case the user may work (in ``queue`` if given, minus the
    cases they skipped within ``SKIP_COOLDOWN``), claimed with SKIP LOCKED.

    Two moderators asking at once never get the same case: each locks a different row. One
    statement picks the case, claims it and appends its audit event (services/claim_statement.py);
    its SQL is compiled by the ORM from ``_claim_candidates`` once per user, workable platforms and
    queue filters, and each later claim only binds this call's values.

    ``passing``: the case the user just let go (released, skipped), which they are moving on
    from; it is not picked again.
    """
    now = now or timezone.now()
    if queue is not None:
        queue_require_claimable(queue)
    workable = cases_workable_q(user)
    filters_key = json.dumps(queue.filters or {}, sort_keys=True) if queue is not None else None
    with transaction.atomic():
        # A lease that ran out holds nothing: return such cases first, so claim-next can pick
        # them whatever the expiry job has done yet.
        _leases_expire(Case.objects.filter(workable), now=now, batch=LAPSED_PER_CLAIM)
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
                "passing_id": passing.pk if passing is not None else 0,
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
        .exclude(appeal_review_barred_q(user))
        .exclude(pk=StatementParameter("passing_id", output_field=IntegerField()))
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
    """Keep a claim alive while the case page is open. A heartbeat, not a change: it writes
    no audit event (the claim, the release and the expiry are audited; a reload of the case
    page by the holder keeps the claim and writes nothing)."""
    now = now or timezone.now()
    with transaction.atomic():
        case = case_lock(case.pk)
        if case.assignee_id != user.pk or not lease_is_live(case, now):
            raise LeaseExpired()
        case.lease_expires_at = now + lease_duration()
        case.save(update_fields=["lease_expires_at", "updated_at"])
    return case


@dataclass(frozen=True)
class LeaseKept:
    case: Case
    state: str  # "active", "restored" or "expired"


def _released_moments_ago(case: Case, user: User, now: datetime) -> bool:
    """The last thing that happened to the case is this user's own release, within
    RECLAIM_WINDOW: the release beacon of a page they reloaded."""
    last = AuditEvent.objects.filter(case=case).order_by("-pk").first()
    return bool(
        case.assignee_id is None
        and last is not None
        and last.action == AuditAction.CASE_RELEASE
        and last.actor_id == user.pk
        and last.created_at > now - RECLAIM_WINDOW
    )


def case_lease_keep(*, case: Case, user: User, now: datetime | None = None) -> LeaseKept:
    """What the open case page asks every minute: renew the user's claim, or take it back when
    their own page's release beacon let it go moments ago (a reload), or say it is gone."""
    now = now or timezone.now()
    try:
        return LeaseKept(case_lease_renew(case=case, user=user, now=now), "active")
    except LeaseExpired:
        pass
    case = Case.objects.select_related("assignee").get(pk=case.pk)
    if _released_moments_ago(case, user, now):
        try:
            return LeaseKept(case_claim(case=case, user=user, now=now), "restored")
        except ModerationError:
            case = Case.objects.select_related("assignee").get(pk=case.pk)
    return LeaseKept(case, "expired")


def case_lease_let_go(
    *, case: Case, user: User, now: datetime | None = None, grace: timedelta = LET_GO_GRACE
) -> Case:
    """The holder's case page was left (closed, reloaded or navigated away): let the claim run
    out within ``grace`` instead of releasing it. A reload's new page renews it at once, so it
    keeps the claim and writes no audit row; a closed page frees the case within ``grace``.
    Anything else (not the holder, no live lease) changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        case = case_lock(case.pk)
        if case.assignee_id != user.pk or not lease_is_live(case, now):
            return case
        if case.lease_expires_at and case.lease_expires_at > now + grace:
            case.lease_expires_at = now + grace
            case.save(update_fields=["lease_expires_at", "updated_at"])
    return case


def case_release(*, case: Case, user: User, reason: str = "") -> Case:
    """Give a claimed case back to its queue (with a ``reason``: a skip). A case nobody holds
    is left as it is, and the caller is told so (case_actions: a Conflict, "not held")."""
    with transaction.atomic():
        case = case_lock(case.pk)
        case_actions(user, case).require(CaseAction.SKIP if reason else CaseAction.RELEASE)
        before = case.status
        previous = case.assignee_id
        case.assignee = None
        case.lease_expires_at = None
        case_move(case, CaseEvent.RELEASE, ["assignee", "lease_expires_at"])
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
    others for a while (``queue_filters.SKIP_COOLDOWN``)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Melewati kasus perlu alasan."), errors={"reason": "required"})
    return case_release(case=case, user=user, reason=reason[:500])


def case_reassign(*, case: Case, user: User, assignee: User, now: datetime | None = None) -> Case:
    """A supervisor hands a case to a named moderator."""
    now = now or timezone.now()
    with transaction.atomic():
        case = case_lock(case.pk)
        case_actions(user, case, now=now).require(CaseAction.REASSIGN)
        if not can_reassign_to(assignee, case):
            raise NotPermitted(_("Moderator ini tidak dapat menangani kasus platform ini."))
        before = {"status": case.status, "assignee": case.assignee_id}
        case.assignee = assignee
        case.lease_expires_at = now + lease_duration()
        if case.status == CaseStatus.NEW:
            case_move(case, CaseEvent.CLAIM, ["assignee", "lease_expires_at"])
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
    """Return expired claims to the queue. Idempotent; safe to run from several workers. Expired
    by the database's clock, which wrote no lease but which every host agrees on: a worker whose
    clock runs ahead must not take a live claim away."""
    now = now or database_now()
    with transaction.atomic():
        return _leases_expire(Case.objects.all(), now=now, batch=batch)


def _leases_expire(cases: QuerySet[Case], *, now: datetime, batch: int) -> int:
    """Expire up to ``batch`` lapsed claims among ``cases`` (inside a transaction), skipping
    rows another transaction holds."""
    lapsed = list(
        cases.select_for_update(skip_locked=True, of=("self",), no_key=True)
        .filter(lease_expired_q(now))
        .order_by("lease_expires_at")[:batch]
    )
    for case in lapsed:
        _expire_lease(case)
    return len(lapsed)


def _expire_lease(case: Case) -> None:
    """Return a locked case whose lease ran out to the queue, audited as the system."""
    previous = case.assignee_id
    before = case.status
    case.assignee = None
    case.lease_expires_at = None
    case_move(case, CaseEvent.LEASE_EXPIRE, ["assignee", "lease_expires_at"])
    audit_record(
        action=AuditAction.CASE_LEASE_EXPIRE,
        obj=case,
        case=case,
        actor=None,
        before={"status": before, "assignee": previous},
        after={"status": case.status, "assignee": None},
    )

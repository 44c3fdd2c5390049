import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moderation.choices import AuditAction, CaseEvent, CaseStatus, CloseReason, Reason
from moderation.errors import (
    AlreadyClaimed,
    InvalidInput,
    InvalidTransition,
    LeaseExpired,
    NotPermitted,
)
from moderation.models import AuditEvent, Case, Queue
from moderation.permissions import platform_ids_of
from moderation.policy import lease_duration
from moderation.request_context import RequestMeta, reset_request_meta, set_request_meta
from moderation.review.cases import case_close, case_escalate_to_kpu
from moderation.review.claims import (
    case_claim,
    case_claim_next,
    case_lease_renew,
    case_leases_expire,
    case_reassign,
    case_release,
    case_skip,
)
from moderation.review.queue_filters import SKIP_COOLDOWN
from moderation.transitions import next_status
from tests.factories import CaseFactory, DecisionFactory, VideoFactory

pytestmark = pytest.mark.django_db


def test_claim_moves_new_case_to_review_and_audits(moderator):
    case = CaseFactory()
    claimed = case_claim(case=case, user=moderator)
    assert claimed.status == CaseStatus.IN_REVIEW
    assert claimed.assignee == moderator
    assert claimed.lease_expires_at > timezone.now()
    assert claimed.version == case.version + 1
    event = AuditEvent.objects.get(case=case, action=AuditAction.CASE_CLAIM)
    assert event.actor == moderator
    assert event.before == {"status": "new"}


def test_claim_of_a_case_someone_else_holds_is_refused(moderator, second_moderator):
    case = CaseFactory()
    case_claim(case=case, user=moderator)
    with pytest.raises(AlreadyClaimed):
        case_claim(case=case, user=second_moderator)


def test_claim_twice_by_the_same_moderator_is_a_no_op(moderator):
    case = case_claim(case=CaseFactory(), user=moderator)
    again = case_claim(case=case, user=moderator)
    assert again.version == case.version


def test_moderator_of_another_platform_cannot_claim(moderator, other_platform):
    case = CaseFactory(video=VideoFactory(platform=other_platform))
    with pytest.raises(NotPermitted):
        case_claim(case=case, user=moderator)


def test_outsider_and_kpu_cannot_claim(outsider, kpu_clarifier):
    case = CaseFactory()
    for user in (outsider, kpu_clarifier):
        with pytest.raises(NotPermitted):
            case_claim(case=case, user=user)


def test_claim_of_a_closed_case_is_an_illegal_transition(moderator):
    case = CaseFactory(status=CaseStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        case_claim(case=case, user=moderator)
    assert Case.objects.get(pk=case.pk).assignee is None


def test_claim_next_takes_the_highest_priority_unclaimed_case(moderator, other_platform):
    CaseFactory(priority=10)
    top = CaseFactory(priority=90)
    CaseFactory(priority=99, video=VideoFactory(platform=other_platform))  # not Rina's platform
    CaseFactory(priority=95, status=CaseStatus.AWAITING_CLARIFICATION)
    claimed = case_claim_next(user=moderator)
    assert claimed is not None
    assert claimed.pk == top.pk


def test_claim_next_on_an_empty_queue_returns_none(moderator):
    assert case_claim_next(user=moderator) is None


def test_release_returns_the_case_to_the_queue(moderator):
    case = case_claim(case=CaseFactory(), user=moderator)
    released = case_release(case=case, user=moderator)
    assert released.status == CaseStatus.NEW
    assert released.assignee is None
    assert AuditEvent.objects.filter(case=case, action=AuditAction.CASE_RELEASE).exists()


def test_release_with_a_reason_is_a_skip(moderator):
    case = case_claim(case=CaseFactory(), user=moderator)
    case_release(case=case, user=moderator, reason="Bahasa daerah, butuh penerjemah")
    event = AuditEvent.objects.get(case=case, action=AuditAction.CASE_SKIP)
    assert event.after["reason"] == "Bahasa daerah, butuh penerjemah"


def test_only_the_holder_or_a_supervisor_may_release(moderator, second_moderator, supervisor):
    case = case_claim(case=CaseFactory(), user=moderator)
    with pytest.raises(NotPermitted):
        case_release(case=case, user=second_moderator)
    assert case_release(case=case, user=supervisor).assignee is None


def test_lease_renewal_extends_the_claim(moderator):
    now = timezone.now()
    case = case_claim(case=CaseFactory(), user=moderator, now=now)
    renewed = case_lease_renew(case=case, user=moderator, now=now + timedelta(minutes=10))
    assert renewed.lease_expires_at == now + timedelta(minutes=25)


def test_lease_renewal_after_expiry_is_refused(moderator):
    now = timezone.now()
    case = case_claim(case=CaseFactory(), user=moderator, now=now)
    with pytest.raises(LeaseExpired):
        case_lease_renew(case=case, user=moderator, now=now + timedelta(minutes=16))


def test_expired_leases_return_to_the_queue(moderator):
    now = timezone.now()
    stale = case_claim(case=CaseFactory(), user=moderator, now=now - timedelta(minutes=20))
    fresh = case_claim(case=CaseFactory(), user=moderator, now=now)
    assert case_leases_expire(now=now) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == CaseStatus.NEW
    assert stale.assignee is None
    assert fresh.assignee == moderator
    assert AuditEvent.objects.get(case=stale, action=AuditAction.CASE_LEASE_EXPIRE).actor is None
    assert case_leases_expire(now=now) == 0


def test_escalate_to_kpu(moderator):
    case = case_claim(case=CaseFactory(), user=moderator)
    escalated = case_escalate_to_kpu(case=case, user=moderator, note="Perlu data DPT")
    assert escalated.status == CaseStatus.AWAITING_CLARIFICATION
    assert escalated.assignee is None


def test_escalating_a_decided_case_is_illegal(moderator):
    with pytest.raises(InvalidTransition):
        case_escalate_to_kpu(case=CaseFactory(status=CaseStatus.DECIDED), user=moderator)


def test_close_keeps_the_reason(moderator):
    case = case_close(case=CaseFactory(), user=None, reason=CloseReason.VIDEO_REMOVED_BY_AUTHOR)
    assert case.status == CaseStatus.CLOSED
    assert case.close_reason == CloseReason.VIDEO_REMOVED_BY_AUTHOR
    assert case.closed_at is not None


def test_supervisor_reassigns(supervisor, moderator):
    case = case_reassign(case=CaseFactory(), user=supervisor, assignee=moderator)
    assert case.assignee == moderator
    assert case.status == CaseStatus.IN_REVIEW


def test_moderator_cannot_reassign(moderator, second_moderator):
    with pytest.raises(NotPermitted):
        case_reassign(case=CaseFactory(), user=moderator, assignee=second_moderator)


def test_only_one_open_case_per_video():
    from django.db import IntegrityError, transaction

    video = VideoFactory()
    CaseFactory(video=video)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(video=video, platform=video.platform)
    CaseFactory(video=video, platform=video.platform, status=CaseStatus.CLOSED)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_get_the_same_case(tiktok):
    """Eight moderators press "claim next" at the same moment on five cases, twice over."""
    from moderation.choices import Role
    from tests.factories import UserFactory

    moderators = [
        UserFactory(
            username=f"mod{i}", organisation=tiktok.organisation, roles=[Role.PLATFORM_MODERATOR]
        )
        for i in range(8)
    ]
    cases = [CaseFactory(video=VideoFactory(platform=tiktok), priority=p) for p in range(5)]
    barrier = threading.Barrier(len(moderators))
    results: dict[str, int | None] = {}
    errors: list[BaseException] = []

    def claim(user):
        try:
            barrier.wait(timeout=10)
            case = case_claim_next(user=user)
            results[user.username] = case.pk if case else None
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(m,)) for m in moderators]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    close_old_connections()
    assert not errors
    claimed = [pk for pk in results.values() if pk is not None]
    assert len(claimed) == len(set(claimed)) == len(cases)
    assert sorted(results.values(), key=lambda v: v is None)[-3:] == [None, None, None]
    assert Case.objects.filter(status=CaseStatus.IN_REVIEW).count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.CASE_CLAIM).count() == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_of_one_case_have_one_winner(tiktok):
    from moderation.choices import Role
    from tests.factories import UserFactory

    moderators = [
        UserFactory(
            username=f"m{i}", organisation=tiktok.organisation, roles=[Role.PLATFORM_MODERATOR]
        )
        for i in range(6)
    ]
    case = CaseFactory(video=VideoFactory(platform=tiktok))
    barrier = threading.Barrier(len(moderators))
    outcomes: list[str] = []

    def claim(user):
        try:
            barrier.wait(timeout=10)
            case_claim(case=case, user=user)
            outcomes.append("won")
        except AlreadyClaimed:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(m,)) for m in moderators]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    close_old_connections()
    assert sorted(outcomes) == ["taken"] * 5 + ["won"]


def test_a_case_with_an_expired_lease_can_be_claimed_before_the_sweep(moderator, second_moderator):
    now = timezone.now()
    case = case_claim(case=CaseFactory(), user=moderator, now=now - timedelta(minutes=20))
    taken = case_claim(case=case, user=second_moderator, now=now)
    assert taken.assignee == second_moderator
    assert taken.status == CaseStatus.IN_REVIEW
    actions = list(
        AuditEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.CASE_CLAIM,
        AuditAction.CASE_LEASE_EXPIRE,
        AuditAction.CASE_CLAIM,
    ]


# --- Claim-next's one statement (services/claim_statement.py) -----------------------------------


@pytest.mark.parametrize("status", [CaseStatus.NEW, CaseStatus.APPEALED])
def test_claim_next_moves_the_status_the_transitions_table_says(moderator, status):
    """The SQL CASE of the claim statement and transitions.next_status agree: a new case goes
    to review, an appealed one stays appealed while it is reviewed."""
    case = CaseFactory(
        status=status,
        priority_breakdown=[{"signal": "reach", "label": "views 2.5M", "points": 40}],
        reasons=[Reason.HOAX, Reason.SARA],
    )
    now = timezone.now()
    claimed = case_claim_next(user=moderator, now=now)
    assert claimed is not None
    assert claimed.pk == case.pk
    assert claimed.status == next_status(status, CaseEvent.CLAIM)
    assert claimed.assignee == moderator
    assert claimed.version == case.version + 1
    assert claimed.lease_expires_at == now + lease_duration()
    stored = Case.objects.get(pk=case.pk)
    # The Case built from the statement's row is what the ORM loads, field by field.
    fields = [f.attname for f in Case._meta.concrete_fields]
    assert {f: getattr(claimed, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    event = AuditEvent.objects.get(case=case, action=AuditAction.CASE_CLAIM)
    assert event.before == {"status": status}
    assert event.after == {"status": claimed.status, "assignee": moderator.pk, "via": "claim_next"}


def test_claim_next_writes_the_audit_event_audit_record_writes(moderator):
    """The claim statement's INSERT fills every column as audit_record does for a single claim:
    actor, kind, organisation, object, request id and address."""
    by_hand, by_queue = CaseFactory(priority=10), CaseFactory(priority=90)
    token = set_request_meta(RequestMeta(request_id="req-claim-1", ip_address="10.1.2.3"))
    try:
        case_claim_next(user=moderator)
        case_claim(case=by_hand, user=moderator)
    finally:
        reset_request_meta(token)
    columns = [
        "actor_id",
        "actor_kind",
        "actor_organisation_id",
        "action",
        "object_type",
        "ip_address",
        "request_id",
        "before",
    ]
    one = AuditEvent.objects.filter(case=by_queue).values(*columns, "object_id", "after").get()
    other = AuditEvent.objects.filter(case=by_hand).values(*columns, "object_id", "after").get()
    assert {k: one[k] for k in columns} == {k: other[k] for k in columns}
    assert one["actor_organisation_id"] == moderator.organisation_id
    assert (one["request_id"], one["ip_address"]) == ("req-claim-1", "10.1.2.3")
    assert (one["object_id"], other["object_id"]) == (str(by_queue.pk), str(by_hand.pk))
    assert one["after"] == {**other["after"], "via": "claim_next"}


def test_claim_next_is_one_statement_once_compiled(moderator):
    CaseFactory(priority=10)
    CaseFactory(priority=20)
    queue = Queue.objects.get(slug="informasi-palsu")
    moderator.role_names()
    platform_ids_of(moderator)
    assert case_claim_next(user=moderator, queue=queue) is not None  # compiles and caches
    with CaptureQueriesContext(connection) as ctx:
        assert case_claim_next(user=moderator, queue=queue) is not None
    statements = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # One look for lapsed claims to return first (an index range on lease_expires_at), then
    # the one claim statement.
    assert len(statements) == 2
    assert "lease_expires_at" in statements[0]
    assert "SKIP LOCKED" in statements[0]
    assert statements[1].lstrip().startswith("WITH picked AS MATERIALIZED")


def test_claim_next_leaves_out_own_appeals_and_held_cases(moderator, second_moderator):
    appeal = CaseFactory(status=CaseStatus.APPEALED, priority=90)
    DecisionFactory(case=appeal, decided_by=moderator)
    CaseFactory(priority=80, awaiting_approval=True)
    plain = CaseFactory(priority=10)
    assert case_claim_next(user=moderator).pk == plain.pk
    assert case_claim_next(user=second_moderator).pk == appeal.pk
    assert case_claim_next(user=moderator) is None


@pytest.mark.parametrize("in_queue", [True, False], ids=["in-a-queue", "any-queue"])
def test_claim_next_keeps_skipped_cases_away_for_the_cooldown_only(moderator, in_queue):
    """The cooldown's start is bound per call, so the cached statement sees time move on. It
    holds with or without a queue (the API's claim-next may leave the queue out)."""
    skipped = CaseFactory(priority=90)
    queue = Queue.objects.get(slug="informasi-palsu") if in_queue else None
    case_skip(case=case_claim(case=skipped, user=moderator), user=moderator, reason="Bahasa Jawa")
    now = timezone.now()
    assert case_claim_next(user=moderator, queue=queue, now=now) is None
    later = now + SKIP_COOLDOWN + timedelta(minutes=1)
    assert case_claim_next(user=moderator, queue=queue, now=later).pk == skipped.pk


def test_claim_next_compiles_one_statement_per_queue(moderator):
    """Two queues with different filters never share a cached statement."""
    hoax = CaseFactory(priority=10, reasons=[Reason.HOAX])
    violence = CaseFactory(priority=90, reasons=[Reason.INCITEMENT])
    hoax_queue = Queue.objects.create(slug="q-hoax", name="Hoaks", filters={"reasons": ["hoax"]})
    violence_queue = Queue.objects.create(
        slug="q-violence", name="Kekerasan", filters={"reasons": ["incitement"]}
    )
    assert case_claim_next(user=moderator, queue=hoax_queue).pk == hoax.pk
    assert case_claim_next(user=moderator, queue=violence_queue).pk == violence.pk
    assert case_claim_next(user=moderator, queue=hoax_queue) is None


def test_claim_next_refuses_a_queue_without_claimable_cases(moderator):
    with pytest.raises(InvalidInput):
        case_claim_next(user=moderator, queue=Queue.objects.get(slug="menunggu-klarifikasi"))


def test_claim_next_gives_nothing_to_users_who_work_no_platform(kpu_clarifier, outsider):
    CaseFactory()
    assert case_claim_next(user=kpu_clarifier) is None
    assert case_claim_next(user=outsider) is None
    assert Case.objects.filter(assignee__isnull=False).count() == 0

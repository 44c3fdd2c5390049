import pytest
from django.utils import timezone

from moderation.choices import (
    Action,
    AppealStatus,
    ApprovalState,
    AuditAction,
    CaseStatus,
    Ground,
    Reason,
)
from moderation.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotPermitted,
    StaleVersion,
)
from moderation.models import AuditEvent, Case, Decision, OutboundDelivery
from moderation.review.appeals import appeal_open
from moderation.review.approvals import decision_approve, decision_reject
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from tests.factories import CaseFactory, PublishedClarificationFactory, VideoFactory

pytestmark = pytest.mark.django_db

REASONS = "Video menyebut TPS tutup pukul 10.00; menurut PKPU TPS buka 07.00-13.00."


def record(case, user, **overrides):
    fields = {
        "case": case,
        "user": user,
        "version": case.version,
        "action": Action.NO_ACTION,
        "ground": Ground.COMMUNITY_GUIDELINES,
        "category": Reason.HOAX,
        "statement_of_reasons": REASONS,
    }
    fields.update(overrides)
    return decision_record(**fields)


@pytest.fixture
def claimed_case(moderator):
    return case_claim(case=CaseFactory(), user=moderator)


def test_decision_on_a_claimed_case_is_final_and_queued_for_the_platform(claimed_case, moderator):
    decision = record(claimed_case, moderator, action=Action.REDUCE_REACH)
    case = Case.objects.get(pk=claimed_case.pk)
    assert case.status == CaseStatus.DECIDED
    assert case.assignee is None
    assert case.version == claimed_case.version + 1
    assert decision.approval_state == ApprovalState.NOT_REQUIRED
    delivery = OutboundDelivery.objects.get(subject=f"decision:{decision.pk}")
    assert delivery.payload["type"] == "decision.recorded"
    assert delivery.payload["data"]["action"] == "reduce_reach"
    assert delivery.payload["data"]["video_id"] == case.video.platform_video_id
    assert AuditEvent.objects.filter(case=case, action=AuditAction.DECISION_RECORD).exists()


def test_a_stale_version_is_refused_and_nothing_changes(claimed_case, moderator):
    with pytest.raises(StaleVersion) as excinfo:
        record(claimed_case, moderator, version=claimed_case.version - 1)
    assert excinfo.value.status_code == 409
    assert excinfo.value.current == claimed_case.version
    assert not Decision.objects.exists()
    assert not OutboundDelivery.objects.exists()
    assert Case.objects.get(pk=claimed_case.pk).status == CaseStatus.IN_REVIEW


def test_deciding_an_unclaimed_case_is_refused(moderator):
    case = CaseFactory()
    with pytest.raises(NotPermitted):
        record(case, moderator)


def test_deciding_a_new_case_is_an_illegal_transition_even_for_a_supervisor(supervisor):
    with pytest.raises(InvalidTransition):
        record(CaseFactory(), supervisor)


def test_deciding_twice_is_refused(claimed_case, moderator):
    record(claimed_case, moderator)
    case = Case.objects.get(pk=claimed_case.pk)
    with pytest.raises((InvalidTransition, NotPermitted)):
        record(case, moderator)


def test_label_needs_a_published_clarification(claimed_case, moderator):
    with pytest.raises(InvalidInput) as excinfo:
        record(claimed_case, moderator, action=Action.LABEL)
    assert "clarification" in excinfo.value.extra["errors"]
    clarification = PublishedClarificationFactory()
    decision = record(claimed_case, moderator, action=Action.LABEL, clarification=clarification)
    assert decision.clarification == clarification


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("action", "ban_forever"),
        ("ground", "vibes"),
        ("category", "spam"),
        ("statement_of_reasons", "   "),
    ],
)
def test_bad_input_is_refused_with_the_field_named(claimed_case, moderator, field, value):
    with pytest.raises(InvalidInput) as excinfo:
        record(claimed_case, moderator, **{field: value})
    assert field in excinfo.value.extra["errors"]


def test_removal_on_a_big_video_waits_for_a_supervisor(moderator, supervisor):
    case = case_claim(case=CaseFactory(video=VideoFactory(view_count=2_500_000)), user=moderator)
    decision = record(case, moderator, action=Action.REMOVE)
    case.refresh_from_db()
    assert decision.approval_state == ApprovalState.PENDING
    assert case.status == CaseStatus.IN_REVIEW
    assert case.awaiting_approval
    assert not OutboundDelivery.objects.exists()  # nothing reaches the platform yet

    approved = decision_approve(decision=decision, user=supervisor, note="Sesuai PKPU")
    case.refresh_from_db()
    assert approved.approval_state == ApprovalState.APPROVED
    assert case.status == CaseStatus.DECIDED
    assert not case.awaiting_approval
    assert OutboundDelivery.objects.filter(subject=f"decision:{decision.pk}").count() == 1


def test_restriction_on_a_political_author_waits_for_approval(moderator):
    video = VideoFactory(view_count=10, author_is_political=True)
    case = case_claim(case=CaseFactory(video=video), user=moderator)
    decision = record(case, moderator, action=Action.RESTRICT_REGION)
    assert decision.approval_state == ApprovalState.PENDING


def test_a_held_case_cannot_be_claimed(moderator, second_moderator):
    from moderation.errors import AlreadyClaimed

    case = case_claim(case=CaseFactory(video=VideoFactory(view_count=5_000_000)), user=moderator)
    record(case, moderator, action=Action.REMOVE)
    with pytest.raises(AlreadyClaimed):
        case_claim(case=Case.objects.get(pk=case.pk), user=second_moderator)


def test_rejection_returns_the_case_to_the_queue(moderator, supervisor):
    case = case_claim(case=CaseFactory(video=VideoFactory(view_count=5_000_000)), user=moderator)
    decision = record(case, moderator, action=Action.REMOVE)
    with pytest.raises(InvalidInput):
        decision_reject(decision=decision, user=supervisor, note="")
    decision_reject(decision=decision, user=supervisor, note="Cukup label saja")
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert not case.awaiting_approval
    assert Decision.objects.get(pk=decision.pk).approval_state == ApprovalState.REJECTED
    assert not OutboundDelivery.objects.exists()


def test_only_supervisors_approve_and_not_their_own(moderator, supervisor):
    case = case_claim(case=CaseFactory(video=VideoFactory(view_count=5_000_000)), user=supervisor)
    decision = record(case, supervisor, action=Action.REMOVE)
    with pytest.raises(NotPermitted):
        decision_approve(decision=decision, user=moderator)
    with pytest.raises(NotPermitted):
        decision_approve(decision=decision, user=supervisor)


def test_approving_twice_is_a_conflict(moderator, supervisor):
    case = case_claim(case=CaseFactory(video=VideoFactory(view_count=5_000_000)), user=moderator)
    decision = record(case, moderator, action=Action.REMOVE)
    decision_approve(decision=decision, user=supervisor)
    with pytest.raises(Conflict):
        decision_approve(decision=decision, user=supervisor)


def appeal(case, decision, appeal_id="apl_1"):
    return appeal_open(
        platform=case.platform,
        appeal_id=appeal_id,
        decision=decision,
        statement="Video saya hanya mengutip KPU.",
        created_at=timezone.now(),
    )


def test_appeal_goes_to_a_second_reviewer_who_supersedes(moderator, second_moderator):
    case = case_claim(case=CaseFactory(), user=moderator)
    first = record(case, moderator, action=Action.REDUCE_REACH)
    the_appeal, created = appeal(case, first)
    assert created
    case.refresh_from_db()
    assert case.status == CaseStatus.APPEALED
    assert appeal(case, first)[1] is False  # the same appeal id again changes nothing

    # The original decider can neither claim nor decide the appeal.
    with pytest.raises(NotPermitted):
        case_claim(case=case, user=moderator)
    case = case_claim(case=case, user=second_moderator)
    second = record(case, second_moderator, action=Action.NO_ACTION)
    assert second.supersedes == first
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    the_appeal.refresh_from_db()
    assert the_appeal.status == AppealStatus.DECIDED
    assert the_appeal.outcome == second
    assert the_appeal.reviewer == second_moderator


def test_original_decider_cannot_decide_an_appeal_even_via_supervisor_path(supervisor, moderator):
    case = case_claim(case=CaseFactory(), user=supervisor)
    first = record(case, supervisor)
    appeal(case, first)
    case.refresh_from_db()
    with pytest.raises(NotPermitted):
        record(case, supervisor)


def test_appeal_on_an_undecided_case_is_a_conflict(moderator):
    from tests.factories import DecisionFactory

    decision = DecisionFactory(case=CaseFactory(status=CaseStatus.NEW))
    with pytest.raises(Conflict):
        appeal(decision.case, decision)

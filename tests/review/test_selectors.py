"""Case-page and audit reads: who may read what, and what the case page loads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.choices import Action, ApprovalState, AuditAction, ClarificationStatus
from moderation.clarifications.selectors import clarifications_for_user
from moderation.errors import NotFound, NotPermitted
from moderation.oversight.selectors import audit_events_search
from moderation.review.claims import case_claim, case_release
from moderation.review.decisions import decision_record
from moderation.review.selectors import (
    case_changes_since,
    case_detail,
    case_for_user,
    decisions_pending_approval,
    moderators_for_case,
)
from tests.factories import (
    CaseFactory,
    ClarificationFactory,
    FlagFactory,
    PublishedClarificationFactory,
    UserFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


def test_case_for_user_by_role(
    moderator, kpu_clarifier, supervisor, kpu_supervisor, outsider, other_platform
):
    mine = CaseFactory()
    theirs = CaseFactory(video=VideoFactory(platform=other_platform), platform=other_platform)
    assert case_for_user(user=moderator, case_id=mine.pk) == mine
    with pytest.raises(NotPermitted):
        case_for_user(user=moderator, case_id=theirs.pk)
    assert case_for_user(user=kpu_clarifier, case_id=theirs.pk) == theirs
    assert case_for_user(user=kpu_supervisor, case_id=theirs.pk) == theirs
    with pytest.raises(NotPermitted):  # TikTok's supervisor: TikTok's cases only
        case_for_user(user=supervisor, case_id=theirs.pk)
    with pytest.raises(NotPermitted):
        case_for_user(user=outsider, case_id=mine.pk)
    with pytest.raises(NotFound):
        case_for_user(user=supervisor, case_id=10**9)


def test_case_detail_loads_everything_in_a_fixed_number_of_queries(
    moderator, django_assert_max_num_queries
):
    case = CaseFactory()
    for _ in range(3):
        FlagFactory(case=case)
    case = case_claim(case=case, user=moderator)
    moderator.role_names()
    with django_assert_max_num_queries(8):
        detail = case_detail(user=moderator, case_id=case.pk)
        assert len(detail.flags) == 3
        assert [e.action for e in detail.history] == [AuditAction.CASE_CLAIM]
        assert detail.history[0]._user_names == {moderator.pk: "rina"}
    assert detail.last_event_id == detail.history[-1].pk
    assert detail.pending_decision is None


def test_case_detail_finds_the_pending_decision(moderator):
    case = case_claim(case=CaseFactory(video=VideoFactory(view_count=9_000_000)), user=moderator)
    decision = decision_record(
        case=case,
        user=moderator,
        version=case.version,
        action=Action.REMOVE,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Hoaks besar.",
    )
    detail = case_detail(user=moderator, case_id=case.pk)
    assert detail.pending_decision == decision
    assert decision.approval_state == ApprovalState.PENDING


def test_changes_since_an_event(moderator):
    case = case_claim(case=CaseFactory(), user=moderator)
    seen = case_detail(user=moderator, case_id=case.pk).last_event_id
    case_release(case=case, user=moderator)
    assert [e.action for e in case_changes_since(case=case, event_id=seen)] == [
        AuditAction.CASE_RELEASE
    ]


def test_clarifications_by_role(moderator, kpu_clarifier, supervisor, outsider):
    draft = ClarificationFactory(author=kpu_clarifier)
    published = PublishedClarificationFactory(author=kpu_clarifier)
    retracted = PublishedClarificationFactory(
        author=kpu_clarifier, status=ClarificationStatus.RETRACTED
    )
    assert set(clarifications_for_user(kpu_clarifier)) == {draft, published, retracted}
    assert set(clarifications_for_user(supervisor)) == {draft, published, retracted}
    assert set(clarifications_for_user(moderator)) == {published, retracted}
    with pytest.raises(NotPermitted):
        clarifications_for_user(outsider)


def test_moderators_for_case_are_the_platforms_moderators(moderator, second_moderator, tiktok):
    UserFactory(username="sari2", organisation=tiktok.organisation, roles=["kpu_clarifier"])
    assert list(moderators_for_case(CaseFactory())) == [second_moderator, moderator]


def test_pending_approvals_and_audit_search_are_for_supervisors(
    moderator, kpu_clarifier, supervisor
):
    for user in (moderator, kpu_clarifier):
        with pytest.raises(NotPermitted):
            decisions_pending_approval(user)
        with pytest.raises(NotPermitted):
            audit_events_search(user=user)
    assert list(decisions_pending_approval(supervisor)) == []


def test_audit_search_filters(moderator, supervisor):
    case = case_claim(case=CaseFactory(), user=moderator)
    case_release(case=case, user=moderator)
    everything = audit_events_search(user=supervisor)
    assert [e.action for e in everything] == [AuditAction.CASE_RELEASE, AuditAction.CASE_CLAIM]
    assert audit_events_search(user=supervisor, actor="rina").count() == 2
    assert audit_events_search(user=supervisor, actor=str(moderator.pk)).count() == 2
    assert audit_events_search(user=supervisor, action=AuditAction.CASE_CLAIM).count() == 1
    soon = timezone.now() + timedelta(minutes=1)
    assert audit_events_search(user=supervisor, since=soon).count() == 0
    assert audit_events_search(user=supervisor, until=soon, case_id=case.pk).count() == 2

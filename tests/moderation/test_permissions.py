"""Who may do what to a case: (role, organisation, case state) -> allowed actions.

The one table below is the specification of ``permissions.case_actions``; every service and
page asks that function, so this table is what the whole workspace does. A row per case state,
a column per persona. The case belongs to TikTok. ``other_moderator`` and
``other_supervisor`` work for MeTube: platform staff of every role act on their own platform
only. ``kpu_supervisor`` works for KPU and acts on every platform; ``bawaslu_supervisor``
reads and never acts.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.choices import Action, CaseAction, CaseStatus, OrganisationKind, Role
from moderation.errors import AlreadyClaimed, LeaseExpired, NotPermitted
from moderation.models import Case
from moderation.permissions import (
    appeal_review_barred_q,
    can_create_clarification,
    can_publish_clarifications,
    can_read_case,
    can_write_clarifications,
    case_actions,
    cases_listable_q,
    cases_visible_q,
    cases_workable_q,
)
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from tests.factories import CaseFactory, OrganisationFactory, UserFactory, VideoFactory

pytestmark = pytest.mark.django_db

A = CaseAction
CLAIM, DECIDE, RELEASE, SKIP, ESCALATE = A.CLAIM, A.DECIDE, A.RELEASE, A.SKIP, A.ESCALATE
REASSIGN, APPROVE, REJECT = A.REASSIGN, A.APPROVE_DECISION, A.REJECT_DECISION
ATTACH, CLOSE = A.ATTACH_CLARIFICATION, A.CLOSE

SUPERVISING = {REASSIGN, ATTACH, CLOSE}

# state -> persona -> allowed actions. Personas not listed may do nothing.
TABLE: dict[str, dict[str, set[str]]] = {
    "new": {
        "moderator": {CLAIM, ESCALATE, ATTACH, CLOSE},
        "second_moderator": {CLAIM, ESCALATE, ATTACH, CLOSE},
        "supervisor": {CLAIM, ESCALATE} | SUPERVISING,
        "kpu_supervisor": {CLAIM, ESCALATE} | SUPERVISING,
        "administrator": {CLAIM, ESCALATE} | SUPERVISING,
        "kpu_clarifier": {ATTACH},
        "kpu_approver": {ATTACH},
    },
    "held by moderator": {
        # Claiming a case one holds is allowed and changes nothing.
        "moderator": {CLAIM, DECIDE, RELEASE, SKIP, ESCALATE, ATTACH, CLOSE},
        "second_moderator": {ATTACH, CLOSE},
        "supervisor": {RELEASE, SKIP, ESCALATE} | SUPERVISING,
        "kpu_supervisor": {RELEASE, SKIP, ESCALATE} | SUPERVISING,
        "administrator": {RELEASE, SKIP, ESCALATE} | SUPERVISING,
        "kpu_clarifier": {ATTACH},
        "kpu_approver": {ATTACH},
    },
    "claim expired (second_moderator)": {
        # An expired lease holds nothing: anyone who may work the case may take it.
        "moderator": {CLAIM, ESCALATE, ATTACH, CLOSE},
        "second_moderator": {CLAIM, RELEASE, SKIP, ESCALATE, ATTACH, CLOSE},
        "supervisor": {CLAIM, RELEASE, SKIP, ESCALATE} | SUPERVISING,
        "kpu_supervisor": {CLAIM, RELEASE, SKIP, ESCALATE} | SUPERVISING,
        "administrator": {CLAIM, RELEASE, SKIP, ESCALATE} | SUPERVISING,
        "kpu_clarifier": {ATTACH},
        "kpu_approver": {ATTACH},
    },
    "awaiting clarification": {
        "moderator": {ATTACH, CLOSE},
        "second_moderator": {ATTACH, CLOSE},
        "supervisor": SUPERVISING,
        "kpu_supervisor": SUPERVISING,
        "administrator": SUPERVISING,
        "kpu_clarifier": {ATTACH},
        "kpu_approver": {ATTACH},
    },
    "decision held for approval (by moderator)": {
        "moderator": {ATTACH, CLOSE},
        "second_moderator": {ATTACH, CLOSE},
        "supervisor": {APPROVE, REJECT} | SUPERVISING,
        "kpu_supervisor": {APPROVE, REJECT} | SUPERVISING,
        "administrator": {APPROVE, REJECT} | SUPERVISING,
        "kpu_clarifier": {ATTACH},
        "kpu_approver": {ATTACH},
    },
    "decided": {
        "moderator": {CLOSE},
        "second_moderator": {CLOSE},
        "supervisor": {CLOSE},
        "kpu_supervisor": {CLOSE},
        "administrator": {CLOSE},
    },
    "appealed (decided by moderator)": {
        # The appeal rule: whoever decided the case before does not review its appeal.
        "moderator": {ATTACH, CLOSE},
        "second_moderator": {CLAIM, ATTACH, CLOSE},
        "supervisor": {CLAIM, DECIDE} | SUPERVISING,
        "kpu_supervisor": {CLAIM, DECIDE} | SUPERVISING,
        "administrator": {CLAIM, DECIDE} | SUPERVISING,
        "kpu_clarifier": {ATTACH},
        "kpu_approver": {ATTACH},
    },
    "closed": {},
}

PERSONAS = [
    "moderator",
    "second_moderator",
    "other_moderator",
    "supervisor",
    "other_supervisor",
    "kpu_supervisor",
    "bawaslu_supervisor",
    "administrator",
    "kpu_clarifier",
    "kpu_approver",
    "outsider",
]


@pytest.fixture
def people(tiktok, other_platform, kpu, moderator, second_moderator, supervisor, platform_admin):
    return {
        "moderator": moderator,
        "second_moderator": second_moderator,
        "other_moderator": UserFactory(
            username="mira",
            organisation=other_platform.organisation,
            roles=[Role.PLATFORM_MODERATOR],
        ),
        "supervisor": supervisor,
        "other_supervisor": UserFactory(
            username="mega", organisation=other_platform.organisation, roles=[Role.SUPERVISOR]
        ),
        "kpu_supervisor": UserFactory(username="kris", organisation=kpu, roles=[Role.SUPERVISOR]),
        "bawaslu_supervisor": UserFactory(
            username="bagus",
            organisation=OrganisationFactory(slug="bawaslu", kind=OrganisationKind.BAWASLU),
            roles=[Role.SUPERVISOR],
        ),
        "administrator": platform_admin,
        "kpu_clarifier": UserFactory(username="sari", organisation=kpu, roles=[Role.KPU_CLARIFIER]),
        "kpu_approver": UserFactory(username="hasan", organisation=kpu, roles=[Role.KPU_APPROVER]),
        "outsider": UserFactory(username="joko"),
    }


def decided_by(user, case: Case, *, action: str = Action.REDUCE_REACH) -> Case:
    case = case_claim(case=case, user=user)
    decision_record(
        case=case,
        user=user,
        version=case.version,
        action=action,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Hoaks tentang TPS.",
    )
    return Case.objects.get(pk=case.pk)


def case_in(state: str, people, tiktok, appealed_case) -> Case:
    video = VideoFactory(platform=tiktok, view_count=5_000_000)
    if state == "awaiting clarification":
        return CaseFactory(video=video, status=CaseStatus.AWAITING_CLARIFICATION)
    if state == "closed":
        return CaseFactory(video=video, status=CaseStatus.CLOSED)
    case = CaseFactory(video=video)
    now = timezone.now()
    if state == "new":
        return case
    if state == "held by moderator":
        return case_claim(case=case, user=people["moderator"])
    if state == "claim expired (second_moderator)":
        return case_claim(case=case, user=people["second_moderator"], now=now - timedelta(hours=1))
    if state == "decision held for approval (by moderator)":
        return decided_by(people["moderator"], case, action=Action.REMOVE)
    if state == "decided":
        return decided_by(people["moderator"], case)
    if state == "appealed (decided by moderator)":
        return appealed_case(people["moderator"], case)[0]
    raise AssertionError(state)


@pytest.mark.parametrize("state", list(TABLE))
def test_the_table_of_who_may_do_what(state, people, tiktok, appealed_case):
    case = case_in(state, people, tiktok, appealed_case)
    pending = case.decisions.filter(approval_state="pending").first()
    for persona in PERSONAS:
        actions = case_actions(
            people[persona],
            case,
            pending_decider_id=pending.decided_by_id if pending else None,
        )
        expected = TABLE[state].get(persona, set())
        assert actions.allowed == expected, f"{state} / {persona}"


def test_a_supervisor_may_not_approve_their_own_held_decision(supervisor, tiktok):
    case = CaseFactory(video=VideoFactory(platform=tiktok, view_count=5_000_000))
    case = decided_by(supervisor, case, action=Action.REMOVE)
    pending = case.decisions.get()
    actions = case_actions(supervisor, case, pending_decider_id=pending.decided_by_id)
    assert not actions.allows(APPROVE)
    assert actions.allows(REJECT)
    with pytest.raises(NotPermitted):
        actions.require(APPROVE)


def test_each_refusal_is_the_error_its_service_raises(moderator, second_moderator, tiktok):
    case = case_claim(case=CaseFactory(video=VideoFactory(platform=tiktok)), user=moderator)
    with pytest.raises(AlreadyClaimed):
        case_actions(second_moderator, case).require(CLAIM)
    with pytest.raises(NotPermitted):
        case_actions(second_moderator, case).require(DECIDE)
    later = timezone.now() + timedelta(hours=1)
    with pytest.raises(LeaseExpired):
        case_actions(moderator, case, now=later).require(DECIDE)


def test_the_filters_agree_with_the_table(people, tiktok, other_platform, appealed_case):
    """The Q filters over many cases say the same as case_actions about one case."""
    ours = CaseFactory(video=VideoFactory(platform=tiktok))
    theirs = CaseFactory(video=VideoFactory(platform=other_platform))
    waiting = CaseFactory(
        video=VideoFactory(platform=other_platform), status=CaseStatus.AWAITING_CLARIFICATION
    )
    appealed, _ = appealed_case(people["moderator"])
    for persona, user in people.items():
        workable = set(Case.objects.filter(cases_workable_q(user)).values_list("pk", flat=True))
        for case in (ours, theirs):
            assert (case.pk in workable) == case_actions(user, case).allows(CLAIM), persona
        visible = set(Case.objects.filter(cases_visible_q(user)).values_list("pk", flat=True))
        listable = set(Case.objects.filter(cases_listable_q(user)).values_list("pk", flat=True))
        assert listable <= visible | {waiting.pk}, persona
        barred = set(Case.objects.filter(appeal_review_barred_q(user)).values_list("pk", flat=True))
        assert (appealed.pk in barred) == case_actions(user, appealed).appeal_self_review, persona


def test_who_may_read_a_case(people, tiktok):
    case = CaseFactory(video=VideoFactory(platform=tiktok))
    readers = {p for p in PERSONAS if can_read_case(people[p], case)}
    assert readers == {
        "moderator",
        "second_moderator",
        "supervisor",
        "kpu_supervisor",
        "bawaslu_supervisor",
        "administrator",
        "kpu_clarifier",
        "kpu_approver",
    }
    visible = {
        p for p in PERSONAS if Case.objects.filter(cases_visible_q(people[p]), pk=case.pk).exists()
    }
    assert visible == readers


@pytest.mark.parametrize(
    ("kind", "roles", "writes", "creates", "publishes"),
    [
        (OrganisationKind.KPU, [Role.KPU_CLARIFIER], True, True, False),
        (OrganisationKind.KPU, [Role.KPU_APPROVER], True, True, True),
        (OrganisationKind.KPU, [Role.ADMINISTRATOR], False, True, False),
        # An account of a platform or of Bawaslu that was given a KPU role by mistake still
        # never writes, submits or publishes a clarification.
        (OrganisationKind.PLATFORM, [Role.KPU_CLARIFIER, Role.KPU_APPROVER], False, False, False),
        (OrganisationKind.PLATFORM, [Role.ADMINISTRATOR], False, False, False),
        (OrganisationKind.BAWASLU, [Role.KPU_CLARIFIER, Role.KPU_APPROVER], False, False, False),
    ],
)
def test_only_kpu_side_writes_or_publishes_clarifications(kind, roles, writes, creates, publishes):
    user = UserFactory(organisation=OrganisationFactory(kind=kind), roles=roles)
    assert can_write_clarifications(user) is writes
    assert can_create_clarification(user) is creates
    assert can_publish_clarifications(user) is publishes

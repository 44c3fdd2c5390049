"""Who is told what, written in the transaction of the change, on the channel they chose."""

import pytest
from django.utils import timezone

from moderation.choices import (
    Action,
    Ground,
    NotificationChannel,
    NotificationEmailState,
    NotificationKind,
    OrganisationKind,
    Reason,
    Role,
)
from moderation.errors import InvalidInput
from moderation.models import Notification
from moderation.oversight.notifications import (
    kinds_for,
    notification_channels,
    notification_preference_set,
)
from moderation.review.appeals import appeal_open
from moderation.review.cases import case_escalate_to_kpu
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from tests.factories import CaseFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def recipients(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def metube_supervisor(other_platform):
    return UserFactory(
        username="mira", organisation=other_platform.organisation, roles=[Role.SUPERVISOR]
    )


@pytest.fixture
def kpu_supervisor(kpu):
    return UserFactory(username="kusuma", organisation=kpu, roles=[Role.SUPERVISOR])


def test_a_case_routed_to_kpu_tells_the_kpu_clarifiers(
    tiktok, moderator, kpu_clarifier, kpu_approver, supervisor
):
    case = case_claim(case=CaseFactory(video__platform=tiktok), user=moderator)

    case_escalate_to_kpu(case=case, user=moderator, note="Perlu klarifikasi resmi.")

    assert recipients(NotificationKind.CASE_ROUTED_TO_KPU) == {"sari"}
    notification = Notification.objects.get()
    assert notification.case == case
    assert str(case.pk) in notification.title
    assert "Perlu klarifikasi resmi." in notification.body


def test_a_held_decision_tells_the_supervisors_of_its_platform(
    tiktok, moderator, supervisor, metube_supervisor, kpu_supervisor, platform_admin
):
    case = CaseFactory(video__platform=tiktok, video__author_is_political=True)
    case = case_claim(case=case, user=moderator)

    decision_record(
        case=case,
        user=moderator,
        version=case.version,
        action=Action.REMOVE,
        ground=Ground.ELECTION_LAW,
        category=Reason.VOTER_SUPPRESSION,
        statement_of_reasons="Informasi palsu tentang tata cara memilih.",
    )

    # TikTok's own supervisor and the KPU-side one; not MeTube's, not the administrator.
    assert recipients(NotificationKind.DECISION_AWAITING_APPROVAL) == {"dewi", "kusuma"}


def test_a_decision_that_needs_no_approval_tells_nobody(tiktok, moderator, supervisor):
    case = case_claim(case=CaseFactory(video__platform=tiktok), user=moderator)
    decision_record(
        case=case,
        user=moderator,
        version=case.version,
        action=Action.NO_ACTION,
        ground=Ground.COMMUNITY_GUIDELINES,
        category=Reason.HOAX,
        statement_of_reasons="Tidak melanggar.",
    )
    assert not Notification.objects.exists()


def test_an_appeal_tells_the_supervisors(tiktok, moderator, supervisor, metube_supervisor):
    case = case_claim(case=CaseFactory(video__platform=tiktok), user=moderator)
    decision = decision_record(
        case=case,
        user=moderator,
        version=case.version,
        action=Action.NO_ACTION,
        ground=Ground.COMMUNITY_GUIDELINES,
        category=Reason.HOAX,
        statement_of_reasons="Tidak melanggar.",
    )

    _, created = appeal_open(
        platform=tiktok,
        appeal_id="apl_1",
        decision=decision,
        statement="Video saya tidak berisi hoaks.",
        created_at=timezone.now(),
    )
    _, created_again = appeal_open(
        platform=tiktok,
        appeal_id="apl_1",
        decision=decision,
        statement="Video saya tidak berisi hoaks.",
        created_at=timezone.now(),
    )

    assert (created, created_again) == (True, False)
    assert recipients(NotificationKind.APPEAL_RECEIVED) == {"dewi"}
    assert Notification.objects.get().body == "Video saya tidak berisi hoaks."


def test_the_chosen_channel_decides_the_email(tiktok, moderator, kpu, kpu_clarifier):
    digest_reader = UserFactory(username="dina", organisation=kpu, roles=[Role.KPU_CLARIFIER])
    emailed = UserFactory(username="eko", organisation=kpu, roles=[Role.KPU_CLARIFIER])
    notification_preference_set(
        user=digest_reader,
        kind=NotificationKind.CASE_ROUTED_TO_KPU,
        channel=NotificationChannel.DAILY_DIGEST,
    )
    notification_preference_set(
        user=emailed,
        kind=NotificationKind.CASE_ROUTED_TO_KPU,
        channel=NotificationChannel.EMAIL_NOW,
    )
    case = case_claim(case=CaseFactory(video__platform=tiktok), user=moderator)

    case_escalate_to_kpu(case=case, user=moderator)

    states = dict(Notification.objects.values_list("recipient__username", "email_state"))
    assert states == {
        "sari": NotificationEmailState.NONE,
        "dina": NotificationEmailState.DIGEST,
        "eko": NotificationEmailState.WAITING,
    }


def test_operations_alerts_default_to_email_and_the_rest_to_in_app(platform_admin, supervisor):
    assert notification_channels(platform_admin) == {
        NotificationKind.DELIVERY_FAILED: NotificationChannel.EMAIL_NOW,
        NotificationKind.CALLBACK_DISABLED: NotificationChannel.EMAIL_NOW,
        NotificationKind.AUDIT_LOG_BROKEN: NotificationChannel.EMAIL_NOW,
    }
    assert set(notification_channels(supervisor).values()) == {NotificationChannel.IN_APP}


def test_a_user_may_only_choose_for_their_own_kinds(moderator):
    assert kinds_for(moderator) == [
        NotificationKind.SLA_WARNING,
        NotificationKind.SLA_BREACHED,
        NotificationKind.DECISION_APPROVED,
        NotificationKind.DECISION_REJECTED,
        NotificationKind.ESCALATION_ANSWERED,
    ]
    with pytest.raises(InvalidInput):
        notification_preference_set(
            user=moderator,
            kind=NotificationKind.DELIVERY_FAILED,
            channel=NotificationChannel.EMAIL_NOW,
        )
    with pytest.raises(InvalidInput):
        notification_preference_set(
            user=moderator, kind=NotificationKind.SLA_BREACHED, channel="pigeon"
        )


def test_inactive_users_are_not_told(tiktok, moderator, kpu):
    UserFactory(
        username="lama",
        organisation=OrganisationFactory(slug="bawaslu", kind=OrganisationKind.BAWASLU),
        roles=[Role.KPU_CLARIFIER],
        is_active=False,
    )
    case = case_claim(case=CaseFactory(video__platform=tiktok), user=moderator)
    case_escalate_to_kpu(case=case, user=moderator)
    assert not Notification.objects.exists()

"""The ingest services on their own: cases opened, joined, reopened or left settled; reach and
removal; appeals. The HTTP side is in tests/webhooks/."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from moderation.choices import AuditAction, CaseStatus, CloseReason, FlagSource, RawEventStatus
from moderation.errors import InvalidInput
from moderation.intake.events import (
    FlagOutcome,
    appeal_ingest,
    flag_ingest,
    video_remove,
    video_update,
)
from moderation.intake.parsing import envelope_parse
from moderation.intake.policy import ingest_policy_forget
from moderation.intake.receipts import DuplicateEvent, NewReceipt, WebhookReceipt
from moderation.intake.rules import reopen_trigger
from moderation.models import AuditEvent, Case, Flag, RawEvent, TuningParameter, Video
from moderation.policy import phase_current, tuning_values
from moderation.priority import FlagSummary, priority_compute, priority_signals
from tests.factories import CaseFactory, DecisionFactory, VideoFactory
from tests.intake.helpers import encode, fixture, flag_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_ingest_policy():
    ingest_policy_forget()
    yield
    ingest_policy_forget()


QUIET_PERIOD = datetime(2024, 2, 12, 3, 20, tzinfo=UTC)  # 10:20 WIB, masa tenang
OUTSIDE_PHASES = datetime(2024, 6, 1, 3, 0, tzinfo=UTC)


def _receipt(platform, event: dict, now) -> NewReceipt:
    return NewReceipt(
        WebhookReceipt(
            platform_id=platform.pk,
            webhook_id=f"msg_{uuid.uuid4().hex}",
            event_type=event["type"],
            body=encode(event).decode(),
            webhook_timestamp=now,
            received_at=now,
        ),
        now,
    )


def ingest_flag(platform, event: dict, *, now=OUTSIDE_PHASES):
    envelope = envelope_parse(encode(event))
    return flag_ingest(
        platform=platform,
        data=envelope.data,
        observed_at=envelope.timestamp,
        receipt=_receipt(platform, event, now),
        now=now,
    )


def test_first_flag_opens_a_case_with_sla_priority_and_audit(tiktok):
    event = fixture("flag.created")
    result = ingest_flag(tiktok, event, now=QUIET_PERIOD)

    assert result.outcome == FlagOutcome.OPENED
    case = Case.objects.get()
    video = Video.objects.get()
    assert video.platform_video_id == "7334519876543210987"
    assert video.view_count == 184_230
    assert video.author_handle == "@relawan.suara.rakyat"
    assert case.status == CaseStatus.NEW
    assert case.flag_count == 1
    assert case.reasons == ["quiet_period_campaign"]
    assert case.last_flag_at == datetime(2024, 2, 12, 3, 15, 2, tzinfo=UTC)
    assert case.view_count == 184_230
    # Quiet period: quiet_period_campaign must be decided within 60 minutes.
    assert case.due_at == QUIET_PERIOD + timedelta(minutes=60)
    signals = {line["signal"] for line in case.priority_breakdown}
    assert {"reach", "flags", "source", "severity", "phase"} <= signals
    assert case.priority == sum(line["points"] for line in case.priority_breakdown)
    flag = Flag.objects.get()
    assert flag.case == case
    assert flag.raw_event.status == RawEventStatus.PROCESSED
    assert flag.source == FlagSource.TRUSTED_FLAGGER
    event_row = AuditEvent.objects.get(action=AuditAction.CASE_OPEN)
    assert event_row.case == case
    assert event_row.actor_kind == "platform"


def test_more_flags_join_the_open_case(tiktok):
    ingest_flag(tiktok, flag_event(reason="hoax", source="user_report"))
    before = Case.objects.get()
    result = ingest_flag(tiktok, flag_event(reason="hoax", source="user_report"))

    case = Case.objects.get()
    assert result.outcome == FlagOutcome.JOINED
    assert case.flag_count == 2
    assert case.reasons == ["hoax"]
    assert case.version == before.version  # same reason: nothing new to decide on
    assert case.priority > before.priority  # two flags weigh more than one
    assert AuditEvent.objects.filter(action=AuditAction.CASE_FLAG_JOIN, case=case).count() == 1


def test_a_new_reason_tightens_the_sla_and_bumps_the_version(tiktok):
    ingest_flag(tiktok, flag_event(reason="other"), now=QUIET_PERIOD)
    before = Case.objects.get()
    ingest_flag(tiktok, flag_event(reason="voter_suppression"), now=QUIET_PERIOD)

    case = Case.objects.get()
    assert case.reasons == ["other", "voter_suppression"]
    assert case.version == before.version + 1
    assert case.due_at == case.opened_at + timedelta(minutes=60)
    assert case.due_at < before.due_at


def test_a_flag_joins_a_case_in_review_without_changing_its_status(tiktok, moderator):
    ingest_flag(tiktok, flag_event())
    Case.objects.update(
        status=CaseStatus.IN_REVIEW,
        assignee=moderator,
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )
    ingest_flag(tiktok, flag_event())
    case = Case.objects.get()
    assert case.status == CaseStatus.IN_REVIEW
    assert case.assignee == moderator
    assert case.flag_count == 2


def test_a_known_flag_id_is_a_duplicate_and_changes_nothing(tiktok):
    event = flag_event()
    ingest_flag(tiktok, event)
    audit_count = AuditEvent.objects.count()
    with pytest.raises(DuplicateEvent):
        ingest_flag(tiktok, event)
    assert Flag.objects.count() == 1
    assert Case.objects.get().flag_count == 1
    assert RawEvent.objects.count() == 1
    assert AuditEvent.objects.count() == audit_count


def _settle(status=CaseStatus.DECIDED, **fields):
    Case.objects.update(status=status, decided_at=timezone.now(), **fields)


def test_same_reflag_on_a_decided_case_attaches_without_reopening(tiktok):
    ingest_flag(tiktok, flag_event(reason="hoax", source="user_report"))
    _settle()
    result = ingest_flag(tiktok, flag_event(reason="hoax", source="automated", confidence=0.9))

    assert result.outcome == FlagOutcome.ATTACHED_TO_SETTLED
    case = Case.objects.get()
    assert case.status == CaseStatus.DECIDED
    assert case.flag_count == 2
    assert Flag.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    ("flag", "trigger"),
    [
        ({"reason": "sara", "source": "user_report"}, "new_reason"),
        ({"reason": "hoax", "source": "trusted_flagger"}, "trusted_source"),
        ({"reason": "hoax", "source": "kpu"}, "trusted_source"),
        (
            {"reason": "hoax", "source": "user_report", "video": {"view_count": 400_000}},
            "reach_growth",
        ),
    ],
)
@pytest.mark.parametrize("settled", [CaseStatus.DECIDED, CaseStatus.CLOSED])
def test_reflag_reopens_as_a_new_linked_case(tiktok, flag, trigger, settled):
    ingest_flag(
        tiktok, flag_event(reason="hoax", source="user_report", video={"view_count": 100_000})
    )
    old = Case.objects.get()
    _settle(status=settled)
    result = ingest_flag(tiktok, flag_event(**flag))

    assert result.outcome == FlagOutcome.REOPENED
    assert result.reopen_trigger == trigger
    new = Case.objects.exclude(pk=old.pk).get()
    assert new.reopened_from == old
    assert new.status == CaseStatus.NEW
    assert new.flag_count == 1
    assert Case.objects.get(pk=old.pk).status == settled
    reopen = AuditEvent.objects.get(action=AuditAction.CASE_REOPEN)
    assert reopen.case == new
    assert reopen.after["reopened_from"] == old.pk
    assert reopen.after["trigger"] == trigger


def test_reach_growth_threshold_is_tunable(tiktok):
    TuningParameter.objects.create(key="reopen.reach_growth_factor", value=10.0)
    ingest_flag(
        tiktok, flag_event(reason="hoax", source="user_report", video={"view_count": 100_000})
    )
    _settle()
    result = ingest_flag(
        tiktok, flag_event(reason="hoax", source="user_report", video={"view_count": 400_000})
    )
    assert result.outcome == FlagOutcome.ATTACHED_TO_SETTLED


@pytest.mark.parametrize(
    ("reason", "source", "views", "expected"),
    [
        ("hoax", "user_report", None, None),
        ("hoax", "automated", 150_000, None),
        ("hoax", "user_report", 199_999, None),
        ("hoax", "user_report", 200_000, "reach_growth"),
        ("sara", "user_report", None, "new_reason"),
        ("hoax", "trusted_flagger", None, "trusted_source"),
        ("hoax", "kpu", 0, "trusted_source"),
    ],
)
def test_reopen_trigger_table(reason, source, views, expected):
    settled = Case(reasons=["hoax", "disinformation"], view_count=100_000)
    assert (
        reopen_trigger(
            settled=settled, reason=reason, source=source, view_count=views, growth_factor=2.0
        )
        == expected
    )


def test_no_reach_baseline_means_no_reach_trigger():
    settled = Case(reasons=["hoax"], view_count=None)
    trigger = reopen_trigger(
        settled=settled, reason="hoax", source="user_report", view_count=10**9, growth_factor=2
    )
    assert trigger is None


def test_a_reopened_case_then_takes_the_next_flags(tiktok):
    ingest_flag(tiktok, flag_event(reason="hoax"))
    _settle()
    ingest_flag(tiktok, flag_event(reason="sara"))
    result = ingest_flag(tiktok, flag_event(reason="hoax"))
    assert result.outcome == FlagOutcome.JOINED
    assert result.case.reopened_from is not None
    assert result.case.flag_count == 2


def test_an_appealed_older_case_is_the_open_one(tiktok):
    video = VideoFactory(platform=tiktok, platform_video_id="7334519876543210987")
    appealed = CaseFactory(video=video, status=CaseStatus.APPEALED)
    CaseFactory(video=video, status=CaseStatus.DECIDED, opened_at=timezone.now())
    result = ingest_flag(tiktok, flag_event(reason="hoax"))
    assert result.case == appealed
    assert result.outcome == FlagOutcome.JOINED


def test_a_late_event_does_not_overwrite_a_newer_view_count(tiktok):
    newer = flag_event(video={"view_count": 500_000})
    newer["timestamp"] = "2024-02-12T05:00:00Z"
    older = flag_event(video={"view_count": 1_000})
    older["timestamp"] = "2024-02-12T04:00:00Z"
    ingest_flag(tiktok, newer)
    ingest_flag(tiktok, older)
    assert Video.objects.get().view_count == 500_000


# --- video.updated ---------------------------------------------------------------------------


def _video_updated(platform, event, now=OUTSIDE_PHASES):
    envelope = envelope_parse(encode(event))
    return video_update(
        platform=platform,
        data=envelope.data,
        observed_at=envelope.timestamp,
        receipt=_receipt(platform, event, now),
        now=now,
    )


def test_video_updated_refreshes_reach_and_priority_of_the_open_case(tiktok):
    ingest_flag(tiktok, fixture("flag.created"))
    before = Case.objects.get()
    _video_updated(tiktok, fixture("video.updated"))

    case = Case.objects.get()
    assert Video.objects.get().view_count == 2_531_877
    assert case.view_count == 2_531_877
    assert case.priority > before.priority
    assert any(line["label"] == "views 2.5M" for line in case.priority_breakdown)
    update = AuditEvent.objects.get(action=AuditAction.CASE_PRIORITY_UPDATE)
    assert update.before["priority"] == before.priority
    assert update.after["priority"] == case.priority


def test_video_updated_for_an_unknown_video_stores_it_without_a_case(tiktok):
    _video_updated(tiktok, fixture("video.updated.full"))
    video = Video.objects.get()
    assert video.view_count == 3_100_000
    assert video.caption.endswith("(diedit)")
    assert video.region == "ID"
    assert not Case.objects.exists()


def test_video_updated_leaves_a_settled_case_alone(tiktok):
    ingest_flag(tiktok, fixture("flag.created"))
    _settle()
    settled = Case.objects.get()
    _video_updated(tiktok, fixture("video.updated"))
    case = Case.objects.get()
    assert case.status == CaseStatus.DECIDED
    assert case.view_count == settled.view_count  # frozen: the reach it was decided on


# --- video.removed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "close_reason"),
    [
        ("video.removed", CloseReason.VIDEO_REMOVED_BY_AUTHOR),
        ("video.removed.platform", CloseReason.VIDEO_REMOVED_BY_PLATFORM),
    ],
)
def test_video_removed_closes_the_open_case_with_its_reason(tiktok, name, close_reason):
    ingest_flag(tiktok, fixture("flag.created"))
    event = fixture(name)
    envelope = envelope_parse(encode(event))
    video_remove(
        platform=tiktok,
        data=envelope.data,
        receipt=_receipt(tiktok, event, OUTSIDE_PHASES),
        now=OUTSIDE_PHASES,
    )
    case = Case.objects.get()
    assert case.status == CaseStatus.CLOSED
    assert case.close_reason == close_reason
    video = Video.objects.get()
    assert video.removed_at == envelope.data.removed_at
    assert video.removed_by == envelope.data.by
    assert AuditEvent.objects.filter(action=AuditAction.CASE_CLOSE, case=case).count() == 1
    removal = AuditEvent.objects.get(action=AuditAction.VIDEO_REMOVE)
    assert removal.after["closed_cases"] == [case.pk]


def test_video_removed_for_an_unknown_video_only_keeps_the_raw_event(tiktok):
    event = fixture("video.removed")
    envelope = envelope_parse(encode(event))
    video_remove(
        platform=tiktok,
        data=envelope.data,
        receipt=_receipt(tiktok, event, OUTSIDE_PHASES),
    )
    assert not Video.objects.exists()
    assert RawEvent.objects.get().status == RawEventStatus.PROCESSED


# --- appeal.created --------------------------------------------------------------------------


def _appeal(platform, event):
    envelope = envelope_parse(encode(event))
    return appeal_ingest(
        platform=platform, data=envelope.data, receipt=_receipt(platform, event, OUTSIDE_PHASES)
    )


def test_appeal_moves_the_decided_case_to_appealed(tiktok):
    decision = DecisionFactory(case__video__platform=tiktok)
    event = fixture("appeal.created")
    event["data"]["decision_id"] = decision.pk
    appeal = _appeal(tiktok, event)
    assert appeal.decision == decision
    assert Case.objects.get().status == CaseStatus.APPEALED
    assert RawEvent.objects.get().status == RawEventStatus.PROCESSED


def test_appeal_on_an_unknown_decision_is_invalid_and_stores_nothing(tiktok, other_platform):
    foreign = DecisionFactory(case__video__platform=other_platform)
    for decision_id in (foreign.pk, 999_999):
        event = fixture("appeal.created")
        event["data"]["decision_id"] = decision_id
        with pytest.raises(InvalidInput) as info:
            _appeal(tiktok, event)
        assert "data.decision_id" in info.value.extra["errors"]
    assert not RawEvent.objects.exists()


def test_the_same_appeal_twice_is_a_duplicate(tiktok):
    decision = DecisionFactory(case__video__platform=tiktok)
    event = fixture("appeal.created")
    event["data"]["decision_id"] = decision.pk
    _appeal(tiktok, event)
    with pytest.raises(DuplicateEvent):
        _appeal(tiktok, event)
    assert RawEvent.objects.count() == 1


def test_ingest_of_a_joining_flag_stays_within_a_query_budget(
    tiktok, django_assert_max_num_queries
):
    ingest_flag(tiktok, flag_event(reason="hoax"))
    with django_assert_max_num_queries(12):
        ingest_flag(tiktok, flag_event(reason="hoax"))


@pytest.mark.parametrize("now", [QUIET_PERIOD, OUTSIDE_PHASES])
def test_ingest_priority_agrees_with_the_flag_rows(tiktok, now):
    """Ingest reads the flags with one aggregate and memoised policy; the same signals read
    from every flag row give the same score and breakdown."""
    for source, confidence in (("user_report", None), ("automated", 0.7), ("automated", 0.9)):
        event = flag_event(
            reason="voter_suppression",
            source=source,
            confidence=confidence,
            video={"published_at": "2024-02-12T01:00:00Z", "view_count": 900_000},
        )
        ingest_flag(tiktok, event, now=now)
    case = Case.objects.select_related("video").get()
    flags = list(case.flags.values_list("source", "confidence"))
    confidences = [c for _, c in flags if c is not None]
    phase = phase_current(now)
    signals = priority_signals(
        view_count=case.video.view_count,
        published_at=case.video.published_at,
        flags=FlagSummary(
            count=len(flags),
            sources=frozenset(s for s, _ in flags),
            max_confidence=max(confidences) if confidences else None,
        ),
        reasons=case.reasons,
        phase_kind=phase.kind if phase else None,
        due_at=case.due_at,
        now=now,
    )
    expected = priority_compute(signals, tuning_values())
    assert case.priority == expected.score
    assert case.priority_breakdown == expected.breakdown()


def test_plain_sql_lookup_loads_what_the_orm_loads(tiktok):
    """The hot-path helpers (moderation/services/ingest.py) must see rows as the ORM does."""
    from django.db import transaction

    from moderation.intake.storage import _case_for_video_locked

    ingest_flag(tiktok, flag_event(video_id="7355", reason="hoax", confidence=0.5))
    ingest_flag(tiktok, flag_event(video_id="7355", reason="sara"))
    with transaction.atomic():
        case = _case_for_video_locked(tiktok, "7355")
    orm = Case.objects.select_related("video").get()
    for field in Case._meta.concrete_fields:
        assert getattr(case, field.attname) == getattr(orm, field.attname), field.name
        assert type(getattr(case, field.attname)) is type(getattr(orm, field.attname))
    for field in Video._meta.concrete_fields:
        assert getattr(case.video, field.attname) == getattr(orm.video, field.attname), field.name


def test_row_update_writes_like_save(tiktok):
    from moderation.intake.rows import row_update

    ingest_flag(tiktok, flag_event())
    case = Case.objects.get()
    before = case.updated_at
    case.reasons = ["hoax", "sara"]
    case.priority_breakdown = [{"signal": "flags", "label": "2 flags", "points": 8}]
    case.priority = 8
    row_update(case, ["reasons", "priority", "priority_breakdown"])
    saved = Case.objects.get()
    assert saved.reasons == ["hoax", "sara"]
    assert saved.priority == 8
    assert saved.priority_breakdown == [{"signal": "flags", "label": "2 flags", "points": 8}]
    assert saved.updated_at > before  # auto_now, as save() does


def test_a_joining_flag_moves_the_cases_updated_at(tiktok):
    """updated_at is among the fields a join writes; it is set to now, as save() sets auto_now
    fields even when named (row_update once wrote the loaded value back)."""
    ingest_flag(tiktok, flag_event(video_id="7801"))
    before = Case.objects.get().updated_at
    ingest_flag(tiktok, flag_event(video_id="7801"))
    assert Case.objects.get().updated_at > before

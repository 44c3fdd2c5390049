"""flag.created in batches (moderation/services/ingest_batch.py) against the one-by-one path:
the same events, the same starting state, the same cases, flags and audit trail.

Each seed builds a random stream of flags over a few videos (repeat and new reasons, every
source, growing and late view counts), processes it on one platform event by event and on
another in batches of random sizes, settles the same cases on both, sends a second stream, and
compares everything the two platforms hold after each step.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connections

from moderation.choices import CaseStatus, FlagSource, RawEventStatus
from moderation.intake.batch import flags_batch_process
from moderation.intake.policy import ingest_policy_forget
from moderation.intake.processing import raw_event_process, raw_events_process
from moderation.intake.receipts import WebhookReceipt, raw_event_store
from moderation.models import AuditEvent, Case, Flag, Platform, RawEvent, Video
from tests.factories import PlatformFactory
from tests.intake.helpers import encode, fixture, flag_event

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 2, 12, 3, 20, tzinfo=UTC)  # masa tenang: phase points and tight SLAs
REASONS = ["quiet_period_campaign", "hoax", "sara"]
SOURCES = [s.value for s in FlagSource]


@pytest.fixture(autouse=True)
def _fresh_ingest_policy():
    ingest_policy_forget()
    yield
    ingest_policy_forget()


def _stream(rng: random.Random, n: int, videos: list[str]) -> list[dict[str, Any]]:
    events = []
    for _ in range(n):
        video_id = rng.choice(videos)
        source = rng.choice(SOURCES)
        event = flag_event(
            video_id=video_id,
            reason=rng.choice(REASONS),
            source=source,
            confidence=round(rng.random(), 2) if source == "automated" else None,
            flagged_at=(NOW - timedelta(seconds=rng.randint(0, 3600))).isoformat(),
            video={
                "view_count": rng.choice([None, rng.randint(0, 3_000_000)]),
                "language": rng.choice(["id", "jv"]),
            },
        )
        if event["data"]["video"]["view_count"] is None:
            del event["data"]["video"]["view_count"]
        stamp = NOW - timedelta(seconds=rng.randint(0, 600))
        event["timestamp"] = stamp.isoformat().replace("+00:00", "Z")
        events.append(event)
    return events


def _store(platform: Platform, events: list[dict[str, Any]]) -> list[int]:
    """Store each event as a received raw event, as the webhook view does; their ids."""
    ids = []
    for event in events:
        flag_id = event["data"].get("flag_id")
        raw_id = raw_event_store(
            WebhookReceipt(
                platform_id=platform.pk,
                webhook_id=f"msg_{uuid.uuid4().hex}",
                event_type=event["type"],
                body=encode(event).decode(),
                webhook_timestamp=NOW,
                received_at=NOW,
                natural_key=f"flag:{flag_id}" if flag_id else None,
            ),
            status=RawEventStatus.RECEIVED,
            now=NOW,
        )
        assert raw_id is not None
        ids.append(raw_id)
    return ids


def _one_by_one(ids: list[int]) -> None:
    for pk in ids:
        assert raw_event_process(raw_event_id=pk, now=NOW) == RawEventStatus.PROCESSED


def _in_batches(rng: random.Random, ids: list[int]) -> None:
    while ids:
        size = rng.randint(1, 12)
        result = flags_batch_process(ids[:size], now=NOW)
        assert result.processed == ids[:size]
        assert result.left == []
        ids = ids[size:]


def _state(platform: Platform) -> dict[str, Any]:
    """Everything processing wrote for this platform, with database ids replaced by positions
    (cases) or platform ids (videos, flags)."""
    cases = list(Case.objects.filter(platform=platform).order_by("id"))
    case_no = {case.pk: n for n, case in enumerate(cases)}
    flag_ids = dict(Flag.objects.filter(platform=platform).values_list("pk", "platform_flag_id"))
    videos = {
        v.pk: v.platform_video_id for v in Video.objects.filter(platform=platform).order_by("id")
    }
    skip = {"id", "platform", "created_at", "updated_at"}

    def video_row(video: Video) -> dict[str, Any]:
        return {f.name: getattr(video, f.attname) for f in Video._meta.concrete_fields} | {
            name: None for name in skip
        }

    def case_row(case: Case) -> dict[str, Any]:
        row = {f.name: getattr(case, f.attname) for f in Case._meta.concrete_fields}
        row |= {name: None for name in skip}
        row["video"] = videos[case.video_id]
        row["reopened_from"] = case_no.get(case.reopened_from_id)
        return row

    def audit_row(event: AuditEvent) -> dict[str, Any]:
        after = dict(event.after)
        if "reopened_from" in after:
            after["reopened_from"] = case_no[after["reopened_from"]]
        obj = case_no[int(event.object_id)] if event.object_type == "case" else None
        return {
            "action": event.action,
            "object_type": event.object_type,
            "object": obj if obj is not None else flag_ids[int(event.object_id)],
            "case": case_no[event.case_id],
            "actor_kind": event.actor_kind,
            "actor": event.actor_id,
            "actor_organisation": event.actor_organisation_id,
            "ip_address": event.ip_address,
            "request_id": event.request_id,
            "before": event.before,
            "after": after,
        }

    return {
        "videos": sorted(
            (video_row(v) for v in Video.objects.filter(platform=platform)),
            key=lambda row: row["platform_video_id"],
        ),
        "cases": [case_row(case) for case in cases],
        "flags": sorted(
            (
                {f.name: getattr(flag, f.attname) for f in Flag._meta.concrete_fields}
                | {"id": None, "platform": None, "raw_event": flag.raw_event.natural_key}
                | {"video": videos[flag.video_id], "case": case_no[flag.case_id]}
                for flag in Flag.objects.filter(platform=platform).select_related("raw_event")
            ),
            key=lambda row: row["platform_flag_id"],
        ),
        "audit": [audit_row(e) for e in AuditEvent.objects.filter(case__in=cases).order_by("id")],
        "raw_events": sorted(
            RawEvent.objects.filter(platform=platform).values_list("status", "attempts")
        ),
    }


def _settle_the_same(rng: random.Random, platforms: list[Platform]) -> None:
    """Decide or close the same cases (by position) on every platform."""
    counts = {Case.objects.filter(platform=p).count() for p in platforms}
    assert len(counts) == 1
    picks = [(n, rng.choice([CaseStatus.DECIDED, CaseStatus.CLOSED])) for n in range(counts.pop())]
    picks = [pick for pick in picks if rng.random() < 0.6]
    for platform in platforms:
        cases = list(Case.objects.filter(platform=platform).order_by("id"))
        for n, status in picks:
            if cases[n].is_open:
                Case.objects.filter(pk=cases[n].pk).update(status=status, decided_at=NOW)


@pytest.mark.parametrize("seed", range(8))
def test_batches_give_what_one_by_one_gives(seed, tiktok):
    rng = random.Random(seed)
    batched = PlatformFactory(slug=f"batched-{seed}")
    videos = [f"73{seed}{n:04d}" for n in range(rng.randint(1, 6))]

    for step in range(3):
        events = _stream(rng, rng.randint(5, 40), videos)
        one_ids = _store(tiktok, events)
        batch_ids = _store(batched, events)
        _one_by_one(one_ids)
        _in_batches(rng, batch_ids)
        assert _state(tiktok) == _state(batched), f"seed {seed}, step {step}"
        _settle_the_same(rng, [tiktok, batched])


@pytest.mark.django_db(transaction=True)
def test_a_batch_skips_what_another_worker_holds_and_leaves_other_types(tiktok):
    flags = _store(tiktok, [flag_event(video_id="7001"), flag_event(video_id="7002")])
    update = fixture("video.updated")
    (raw_update,) = _store(tiktok, [update])
    other = connections.create_connection("default")  # another worker, holding the first flag
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                f"SELECT 1 FROM {RawEvent._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608
                [flags[0]],
            )
            result = flags_batch_process([*flags, raw_update], now=NOW)
            cursor.execute("ROLLBACK")
    finally:
        other.close()

    assert result.processed == [flags[1]]
    assert result.left == [raw_update]
    statuses = dict(RawEvent.objects.values_list("pk", "status"))
    assert statuses[flags[0]] == RawEventStatus.RECEIVED
    assert statuses[flags[1]] == RawEventStatus.PROCESSED
    assert statuses[raw_update] == RawEventStatus.RECEIVED


def test_a_batch_stays_within_a_statement_budget(tiktok, django_assert_max_num_queries):
    """A fixed number of statements per batch, whatever its size (savepoints aside)."""
    _one_by_one(_store(tiktok, [flag_event(video_id=f"72{n}") for n in range(10)]))
    ids = _store(tiktok, [flag_event(video_id=f"72{n % 15}") for n in range(120)])
    with django_assert_max_num_queries(14):
        result = flags_batch_process(ids, now=NOW)
    assert len(result.processed) == 120
    assert Case.objects.count() == 15
    assert Flag.objects.count() == 130


def test_raw_events_process_batches_flags_and_keeps_the_order_of_other_events(tiktok):
    """flag, flag, removal, flag on one video: the removal closes the case the first two
    flags opened, and the last flag (same reason, user report) attaches to the closed case."""
    removal = fixture("video.removed")
    video_id = removal["data"]["video_id"]
    first = [flag_event(video_id=video_id, reason="hoax", source="user_report") for _ in "ab"]
    _store(tiktok, first)
    _store(tiktok, [removal])
    _store(tiktok, [flag_event(video_id=video_id, reason="hoax", source="user_report")])

    assert raw_events_process() == 4

    case = Case.objects.get()
    assert case.status == CaseStatus.CLOSED
    assert case.flag_count == 3
    assert not RawEvent.objects.exclude(status=RawEventStatus.PROCESSED).exists()

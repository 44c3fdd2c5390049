"""Platform events into cases (contract §2): flag_ingest, video_update, video_remove and
appeal_ingest, and raw_events_process, which runs them for stored deliveries (raw_events.py).

Each service takes the event's data (already validated by moderation/webhooks/parsing.py) and a
``delivery``: the raw event to record. Processing and recording happen in ONE transaction, so a
committed raw event in status ``processed`` always has its effects, and a duplicate (same
webhook-id, same flag_id, same appeal_id) rolls everything back and changes nothing.

Locking order, the same in every service, so that ingest never deadlocks with itself or with the
case services (which lock a case together with its platform row):

1. ``pg_advisory_xact_lock`` on (platform, platform video id). Ingest of one video is serial:
   this is what makes 20 concurrent first flags on a new video open exactly one case. The
   partial unique index ``case_one_open_per_video`` is the backstop.
2. The video's open case (else its latest case), ``FOR NO KEY UPDATE`` of the case row only.
3. Only then any write, including the raw event row. Every write references the platform row
   (a KEY SHARE lock), and a transaction that holds one must not wait for a case lock, or it
   can deadlock with a service that holds that case and waits for the platform row.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from moderation.choices import (
    OPEN_CASE_STATUSES,
    ActorKind,
    AuditAction,
    CaseEvent,
    CaseStatus,
    CloseReason,
    FlagSource,
    RawEventStatus,
    WebhookEventType,
)
from moderation.errors import InvalidInput, ModerationError
from moderation.models import (
    Appeal,
    Case,
    Decision,
    Flag,
    Platform,
    RawEvent,
    Video,
)
from moderation.services.audit import audit_record
from moderation.services.cases import case_close
from moderation.services.decisions import appeal_open
from moderation.services.ingest_policy import (
    NO_FLAGS,
    FlagSummary,
    due_at,
    flag_summary,
    platform_by_id,
    priority_apply,
    tuning,
)
from moderation.services.raw_events import DeliveryRecorder, DuplicateEvent, StoredDelivery
from moderation.services.rows import columns, instance_from_row, row_update
from moderation.transitions import next_status
from moderation.webhooks.parsing import (
    AppealCreated,
    Envelope,
    FlagCreated,
    PayloadInvalid,
    VideoData,
    VideoRemoved,
    VideoUpdated,
    envelope_parse,
)

logger = logging.getLogger("saring.ingest")

TRUSTED_SOURCES = (FlagSource.TRUSTED_FLAGGER, FlagSource.KPU)
REMOVAL_CLOSE_REASONS = {
    "author": CloseReason.VIDEO_REMOVED_BY_AUTHOR,
    "platform": CloseReason.VIDEO_REMOVED_BY_PLATFORM,
}


# --- Shared pieces -----------------------------------------------------------------------------


def ingest_lock_key(kind: str, platform_id: int, key: str | int) -> int:
    """The advisory lock key of one ingest subject. Any 64-bit key will do: a collision only
    serialises two unrelated subjects."""
    digest = hashlib.blake2b(f"saring.{kind}:{platform_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _ingest_lock(kind: str, platform_id: int, key: str | int) -> None:
    """Serialise ingest of one subject (a video, a decision's appeals) until the transaction
    ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [ingest_lock_key(kind, platform_id, key)]
        )


def _video_lock(platform_id: int, platform_video_id: str) -> None:
    _ingest_lock("video", platform_id, platform_video_id)


_CASE_FOR_VIDEO = f"""
    SELECT {columns(Case, "c")}, {columns(Video, "v")}
    FROM {Case._meta.db_table} c
    JOIN {Video._meta.db_table} v ON v.id = c.video_id
    WHERE c.video_id = (
        SELECT id FROM {Video._meta.db_table} WHERE platform_id = %s AND platform_video_id = %s
    )
    ORDER BY (c.status = ANY(%s)) DESC, c.opened_at DESC, c.id DESC
    LIMIT 1
    FOR NO KEY UPDATE OF c
"""  # noqa: S608 (names from the models, values are parameters)


def _case_for_video_locked(platform: Platform, platform_video_id: str) -> Case | None:
    """The video's open case, else its latest case, locked (the case row only); with its video
    loaded.

    The video is found by a scalar subquery, so the plan is always two index lookups; as a join
    filter, stale statistics once made PostgreSQL scan every case of the platform.
    """
    with connection.cursor() as cursor:
        cursor.execute(_CASE_FOR_VIDEO, [platform.pk, platform_video_id, list(OPEN_CASE_STATUSES)])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(Case._meta.concrete_fields)
    case = instance_from_row(Case, row[:split])
    case.video = instance_from_row(Video, row[split:])
    return case


def _open_case_locked(video: Video) -> Case | None:
    case = (
        Case.objects.filter(video=video, status__in=OPEN_CASE_STATUSES)
        .select_for_update(no_key=True, of=("self",))
        .first()
    )
    if case is not None:
        case.video = video
    return case


def _video_find(platform: Platform, platform_video_id: str) -> Video | None:
    return Video.objects.filter(platform=platform, platform_video_id=platform_video_id).first()


def video_fields_apply(video: Video, data: VideoData, observed_at: datetime) -> list[str]:
    """Copy the fields the platform sent; the changed field names. A view count observed before
    the one we have (an event delivered late) does not overwrite it."""
    changed: list[str] = []
    for name, value in data.fields.items():
        if name == "view_count":
            continue
        if getattr(video, name) != value:
            setattr(video, name, value)
            changed.append(name)
    view_count = data.fields.get("view_count")
    if (
        view_count is not None
        and view_count != video.view_count
        and (video.view_count_updated_at is None or observed_at >= video.view_count_updated_at)
    ):
        video.view_count = view_count
        video.view_count_updated_at = observed_at
        changed += ["view_count", "view_count_updated_at"]
    return changed


def _video_create(platform: Platform, data: VideoData, observed_at: datetime) -> Video:
    video = Video(platform=platform, platform_video_id=data.id)
    video_fields_apply(video, data, observed_at)
    video.save(force_insert=True)
    return video


_FLAG_INSERT = f"""
    INSERT INTO {Flag._meta.db_table}
        (platform_id, platform_flag_id, video_id, case_id, raw_event_id, reason, source,
         confidence, note, flagged_at, received_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (platform_id, platform_flag_id) DO NOTHING
    RETURNING id
"""  # noqa: S608 (table name from the model, values are parameters)


def flag_for(
    *,
    platform_id: int,
    data: FlagCreated,
    video: Video,
    case: Case,
    raw_event_id: int,
    now: datetime,
) -> Flag:
    """The flag row of a flag.created event, not saved."""
    return Flag(
        platform_id=platform_id,
        platform_flag_id=data.flag_id,
        video=video,
        case=case,
        raw_event_id=raw_event_id,
        reason=data.reason,
        source=data.source,
        confidence=data.confidence,
        note=data.note,
        flagged_at=data.flagged_at,
        received_at=now,
    )


def _flag_insert(
    *,
    platform: Platform,
    data: FlagCreated,
    video: Video,
    case: Case,
    raw_event_id: int,
    now: datetime,
) -> Flag:
    """Insert the flag, or DuplicateEvent if its flag_id is known (unique per platform)."""
    flag = flag_for(
        platform_id=platform.pk,
        data=data,
        video=video,
        case=case,
        raw_event_id=raw_event_id,
        now=now,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _FLAG_INSERT,
            [
                platform.pk,
                flag.platform_flag_id,
                video.pk,
                case.pk,
                raw_event_id,
                flag.reason,
                flag.source,
                flag.confidence,
                flag.note,
                flag.flagged_at,
                flag.received_at,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise DuplicateEvent(data.flag_id)
    flag.pk = row[0]
    return flag


# --- flag.created ------------------------------------------------------------------------------


class FlagOutcome:
    OPENED = "opened"
    REOPENED = "reopened"
    JOINED = "joined"
    ATTACHED_TO_SETTLED = "attached_to_settled"


@dataclass(frozen=True)
class FlagIngested:
    flag: Flag
    case: Case
    outcome: str
    reopen_trigger: str | None = None


def reopen_trigger(
    *, settled: Case, reason: str, source: str, view_count: int | None, growth_factor: float
) -> str | None:
    """Why a new flag on a decided or closed case opens a new case, or None to attach it.

    - ``new_reason``: the flag's reason is not among the settled case's reasons;
    - ``trusted_source``: a trusted flagger or KPU flagged it after the case was settled;
    - ``reach_growth``: the video now has at least ``growth_factor`` times the views the case
      was settled on (``Case.view_count``; no baseline, no reach trigger).
    """
    if reason not in settled.reasons:
        return "new_reason"
    if source in TRUSTED_SOURCES:
        return "trusted_source"
    baseline = settled.view_count
    if baseline and view_count is not None and view_count >= growth_factor * baseline:
        return "reach_growth"
    return None


def flag_ingest(
    *,
    platform: Platform,
    data: FlagCreated,
    observed_at: datetime,
    delivery: DeliveryRecorder,
    now: datetime | None = None,
) -> FlagIngested:
    """Upsert the video, store the flag, and join it to the video's open case or open one.

    A flag on a video whose latest case is settled (decided or closed) is attached to that case
    without reopening it, unless ``reopen_trigger`` says otherwise: then a new case opens with
    ``reopened_from`` pointing at the settled one.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _video_lock(platform.pk, data.video.id)
        case = _case_for_video_locked(platform, data.video.id)
        video = case.video if case is not None else _video_find(platform, data.video.id)
        raw_event_id = delivery.record()
        if video is None:
            video = _video_create(platform, data.video, observed_at)
        elif changed := video_fields_apply(video, data.video, observed_at):
            row_update(video, changed)

        if case is not None and case.is_open:
            return _flag_join(platform, data, video, case, raw_event_id, now)
        if case is None:
            return _case_open(platform, data, video, raw_event_id, now, reopened_from=None)
        trigger = reopen_trigger(
            settled=case,
            reason=data.reason,
            source=data.source,
            view_count=video.view_count,
            growth_factor=tuning()["reopen.reach_growth_factor"],
        )
        if trigger is not None:
            return _case_open(
                platform, data, video, raw_event_id, now, reopened_from=case, trigger=trigger
            )
        return _flag_attach_to_settled(platform, data, video, case, raw_event_id, now)


# What a flag does to its case, in memory: the same rules for one event (below) and for a
# batch (ingest_batch.py). Each returns what the caller writes: fields, and the audit event.


def flag_audit_fields(data: FlagCreated) -> dict[str, object]:
    return {"flag": data.flag_id, "reason": data.reason, "source": data.source}


def case_for_first_flag(
    *,
    platform_id: int,
    video: Video,
    data: FlagCreated,
    now: datetime,
    reopened_from: Case | None,
    trigger: str | None,
) -> tuple[Case, FlagSummary, str, dict[str, object]]:
    """A new case for this flag, not saved: due date and priority set. With it, the flags
    summary for the priority, and the audit action and ``after`` of its opening."""
    case = Case(
        platform_id=platform_id,
        video=video,
        status=CaseStatus.NEW,
        flag_count=1,
        reasons=[data.reason],
        language=video.language,
        opened_at=now,
        last_flag_at=data.flagged_at,
        view_count=video.view_count,
        reopened_from=reopened_from,
    )
    case.due_at = due_at(case, now)
    flags = NO_FLAGS.plus(data)
    priority_apply(case, video=video, flags=flags, now=now)
    after: dict[str, object] = {
        "status": case.status,
        "priority": case.priority,
        "due_at": case.due_at.isoformat() if case.due_at else None,
        **flag_audit_fields(data),
    }
    if reopened_from is not None:
        after |= {"reopened_from": reopened_from.pk, "trigger": trigger}
    action = AuditAction.CASE_REOPEN if reopened_from is not None else AuditAction.CASE_OPEN
    return case, flags, action, after


def case_flag_joined(
    case: Case, *, video: Video, data: FlagCreated, flags: FlagSummary, now: datetime
) -> tuple[list[str], dict[str, object], dict[str, object]]:
    """Add a flag to an open case (``flags``: its flags with this one): the changed fields and
    the audit event's before and after."""
    next_status(case.status, CaseEvent.FLAG_JOIN)  # an open case only; the status stays
    before: dict[str, object] = {"flag_count": case.flag_count, "priority": case.priority}
    fields = ["flag_count", "last_flag_at", "view_count", "updated_at"]
    case.flag_count += 1
    case.last_flag_at = max(filter(None, (case.last_flag_at, data.flagged_at)))
    case.view_count = video.view_count
    if data.reason not in case.reasons:
        # A new reason is new information for whoever is deciding: bump the version, so that
        # a decision taken on the old picture gets a stale-version answer. The SLA may tighten.
        before["reasons"] = list(case.reasons)
        case.reasons = [*case.reasons, data.reason]
        case.due_at = due_at(case, now)
        case.version += 1
        fields += ["reasons", "due_at", "version"]
    if priority_apply(case, video=video, flags=flags, now=now):
        fields += ["priority", "priority_breakdown"]
    after: dict[str, object] = {
        "flag_count": case.flag_count,
        "priority": case.priority,
        **({"reasons": list(case.reasons)} if "reasons" in before else {}),
        **flag_audit_fields(data),
    }
    return fields, before, after


def case_flag_attached(
    case: Case, *, data: FlagCreated
) -> tuple[list[str], dict[str, object], dict[str, object]]:
    """Count a flag on a settled case without reopening it: changed fields, before, after."""
    before: dict[str, object] = {"flag_count": case.flag_count}
    case.flag_count += 1
    case.last_flag_at = max(filter(None, (case.last_flag_at, data.flagged_at)))
    after = {"flag_count": case.flag_count, "settled": case.status, **flag_audit_fields(data)}
    return ["flag_count", "last_flag_at"], before, after


def _case_open(
    platform: Platform,
    data: FlagCreated,
    video: Video,
    raw_event_id: int,
    now: datetime,
    *,
    reopened_from: Case | None,
    trigger: str | None = None,
) -> FlagIngested:
    case, _, action, after = case_for_first_flag(
        platform_id=platform.pk,
        video=video,
        data=data,
        now=now,
        reopened_from=reopened_from,
        trigger=trigger,
    )
    case.save(force_insert=True)
    flag = _flag_insert(
        platform=platform, data=data, video=video, case=case, raw_event_id=raw_event_id, now=now
    )
    audit_record(
        action=action, obj=case, case=case, actor=None, actor_kind=ActorKind.PLATFORM, after=after
    )
    outcome = FlagOutcome.REOPENED if reopened_from is not None else FlagOutcome.OPENED
    return FlagIngested(flag=flag, case=case, outcome=outcome, reopen_trigger=trigger)


def _flag_join(
    platform: Platform,
    data: FlagCreated,
    video: Video,
    case: Case,
    raw_event_id: int,
    now: datetime,
) -> FlagIngested:
    next_status(case.status, CaseEvent.FLAG_JOIN)  # refused before anything is written
    flag = _flag_insert(
        platform=platform, data=data, video=video, case=case, raw_event_id=raw_event_id, now=now
    )
    fields, before, after = case_flag_joined(
        case, video=video, data=data, flags=flag_summary(case), now=now
    )
    row_update(case, fields)
    audit_record(
        action=AuditAction.CASE_FLAG_JOIN,
        obj=flag,
        case=case,
        actor=None,
        actor_kind=ActorKind.PLATFORM,
        before=before,
        after=after,
    )
    return FlagIngested(flag=flag, case=case, outcome=FlagOutcome.JOINED)


def _flag_attach_to_settled(
    platform: Platform,
    data: FlagCreated,
    video: Video,
    case: Case,
    raw_event_id: int,
    now: datetime,
) -> FlagIngested:
    flag = _flag_insert(
        platform=platform, data=data, video=video, case=case, raw_event_id=raw_event_id, now=now
    )
    fields, before, after = case_flag_attached(case, data=data)
    row_update(case, fields)
    audit_record(
        action=AuditAction.CASE_FLAG_JOIN,
        obj=flag,
        case=case,
        actor=None,
        actor_kind=ActorKind.PLATFORM,
        before=before,
        after=after,
    )
    return FlagIngested(flag=flag, case=case, outcome=FlagOutcome.ATTACHED_TO_SETTLED)


# --- video.updated -----------------------------------------------------------------------------


def video_update(
    *,
    platform: Platform,
    data: VideoUpdated,
    observed_at: datetime,
    delivery: DeliveryRecorder,
    now: datetime | None = None,
) -> Video:
    """Refresh a video's metadata and reach; recompute the priority of its open case.
    An unknown video is stored, with no case."""
    now = now or timezone.now()
    with transaction.atomic():
        _video_lock(platform.pk, data.video.id)
        video = _video_find(platform, data.video.id)
        case = _open_case_locked(video) if video is not None else None
        delivery.record()
        if video is None:
            return _video_create(platform, data.video, observed_at)
        changed = video_fields_apply(video, data.video, observed_at)
        if changed:
            row_update(video, changed)
        if case is None or "view_count" not in changed:
            return video
        before = {"priority": case.priority, "view_count": case.view_count}
        case.view_count = video.view_count
        fields = ["view_count", "updated_at"]
        if priority_apply(case, video=video, flags=flag_summary(case), now=now):
            fields += ["priority", "priority_breakdown"]
        row_update(case, fields)
        if "priority" in fields:
            audit_record(
                action=AuditAction.CASE_PRIORITY_UPDATE,
                obj=case,
                case=case,
                actor=None,
                actor_kind=ActorKind.PLATFORM,
                before=before,
                after={
                    "priority": case.priority,
                    "view_count": case.view_count,
                    "breakdown": case.priority_breakdown,
                },
            )
    return video


# --- video.removed -----------------------------------------------------------------------------


def video_remove(
    *,
    platform: Platform,
    data: VideoRemoved,
    delivery: DeliveryRecorder,
    now: datetime | None = None,
) -> Video | None:
    """Close the video's open cases (reason: removed by author / by platform) and mark it
    removed. An unknown video: nothing to close, the raw event is kept."""
    now = now or timezone.now()
    reason = REMOVAL_CLOSE_REASONS[data.by]
    with transaction.atomic():
        _video_lock(platform.pk, data.video_id)
        video = _video_find(platform, data.video_id)
        closed: list[Case] = []
        if video is not None:
            for case in Case.objects.filter(video=video, status__in=OPEN_CASE_STATUSES):
                # case_close locks the case (and its platform row) itself.
                closed.append(case_close(case=case, user=None, reason=reason, now=now))
        delivery.record()
        if video is None or video.removed_at is not None:
            return video
        video.removed_at = data.removed_at
        video.removed_by = data.by
        video.save(update_fields=["removed_at", "removed_by", "updated_at"])
        audit_record(
            action=AuditAction.VIDEO_REMOVE,
            obj=video,
            case=closed[0] if closed else None,
            actor=None,
            actor_kind=ActorKind.PLATFORM,
            after={
                "removed_at": data.removed_at.isoformat(),
                "by": data.by,
                "closed_cases": [c.pk for c in closed],
            },
        )
    return video


# --- appeal.created ----------------------------------------------------------------------------


def appeal_ingest(
    *,
    platform: Platform,
    data: AppealCreated,
    delivery: DeliveryRecorder,
    now: datetime | None = None,
) -> Appeal:
    """Open the appeal (the case goes back to a queue for a second reviewer).

    InvalidInput / Conflict (from appeal_open) when the decision is unknown to this platform or
    cannot be appealed; DuplicateEvent when the appeal_id is known.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Concurrent copies of one appeal: the second waits, then finds it and is a duplicate.
        _ingest_lock("appeal", platform.pk, data.decision_id)
        decision = (
            Decision.objects.select_related("case")
            .filter(pk=data.decision_id, case__platform=platform)
            .first()
        )
        if decision is None:
            raise InvalidInput(
                f"decision {data.decision_id} is unknown",
                errors={"data.decision_id": f"no decision {data.decision_id} for this platform"},
            )
        try:
            appeal, created = appeal_open(
                platform=platform,
                appeal_id=data.appeal_id,
                decision=decision,
                statement=data.statement,
                created_at=data.created_at,
                now=now,
            )
        except ModerationError as exc:
            message = f"decision {data.decision_id} cannot be appealed: {exc.detail}"
            raise InvalidInput(message, errors={"data.decision_id": message}) from exc
        if not created:
            raise DuplicateEvent(data.appeal_id)
        delivery.record()
    return appeal


# --- Dispatch and the sweep --------------------------------------------------------------------


def event_process(
    *, platform: Platform, envelope: Envelope, delivery: DeliveryRecorder, now: datetime
) -> None:
    """Run the service for a handled event type. DuplicateEvent, ModerationError and
    DatabaseError propagate; the transaction of the service is rolled back for each."""
    data = envelope.data
    if isinstance(data, FlagCreated):
        flag_ingest(
            platform=platform,
            data=data,
            observed_at=envelope.timestamp,
            delivery=delivery,
            now=now,
        )
    elif isinstance(data, VideoUpdated):
        video_update(
            platform=platform,
            data=data,
            observed_at=envelope.timestamp,
            delivery=delivery,
            now=now,
        )
    elif isinstance(data, VideoRemoved):
        video_remove(platform=platform, data=data, delivery=delivery, now=now)
    elif isinstance(data, AppealCreated):
        appeal_ingest(platform=platform, data=data, delivery=delivery, now=now)
    else:  # pragma: no cover - envelope.handled is checked by the callers
        raise ValueError(f"no handler for {envelope.type}")


# A raw event whose processing keeps failing on a database error is given up after this many
# attempts (status failed, visible to operators in the admin, replayable by hand).
RAW_EVENT_MAX_ATTEMPTS = 20


def raw_event_process(*, raw_event_id: int, now: datetime | None = None) -> str | None:
    """Process one stored raw event in status ``received``, in one transaction with its
    effects; its new status, or None if another worker has it or it is done. Idempotent and
    safe to run concurrently: the row is claimed with SKIP LOCKED and its status re-checked.

    On failure the transaction rolls back whole (no savepoints on the hot path), and the
    outcome is written to the row in a second, short transaction.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    _RAW_EVENT_CLAIM,
                    [settings.SARING["INGEST_LOCK_TIMEOUT"], raw_event_id, RawEventStatus.RECEIVED],
                )
                row = cursor.fetchone()
            if row is None:
                return None
            platform_id, body, *_ = row
            event_process(
                platform=platform_by_id(platform_id),
                envelope=envelope_parse(body.encode()),
                delivery=StoredDelivery(raw_event_id),
                now=now,
            )
            with connection.cursor() as cursor:
                cursor.execute(_RAW_EVENT_PROCESSED, [RawEventStatus.PROCESSED, now, raw_event_id])
            return RawEventStatus.PROCESSED
    except DuplicateEvent:
        outcome, error = RawEventStatus.IGNORED, "duplicate: seen before"
    except PayloadInvalid as exc:
        outcome, error = RawEventStatus.FAILED, f"no longer valid: {exc}"
    except ModerationError as exc:
        outcome, error = RawEventStatus.FAILED, f"rejected: {exc.detail}"
    except DatabaseError as exc:
        outcome, error = RawEventStatus.RECEIVED, f"{type(exc).__name__}: {exc}"[:2000]
    return _raw_event_outcome(raw_event_id, outcome, error, now)


# Claiming the row also sets this transaction's lock timeout (SARING["INGEST_LOCK_TIMEOUT"]: a
# lock held elsewhere for longer makes processing fail and retry later, it never stalls), and
# turns off synchronous commit for this transaction only. That is safe
# here, and only here: the raw event is already durable (the request committed it before its
# 2xx), and its status changes in the same transaction as the effects, so a commit lost in a
# crash leaves the event 'received' and it is processed again. The request's INSERT keeps the
# server's synchronous commit.
_RAW_EVENT_CLAIM = f"""
    SELECT platform_id, body, set_config('synchronous_commit', 'off', true),
        set_config('lock_timeout', %s, true)
    FROM {RawEvent._meta.db_table}
    WHERE id = %s AND status = %s
    FOR UPDATE SKIP LOCKED
"""  # noqa: S608 (table name from the model, values are parameters)
_RAW_EVENT_PROCESSED = f"""
    UPDATE {RawEvent._meta.db_table}
    SET status = %s, processed_at = %s, last_error = '', attempts = attempts + 1
    WHERE id = %s
"""  # noqa: S608 (table name from the model, values are parameters)


def _raw_event_outcome(raw_event_id: int, outcome: str, error: str, now: datetime) -> str | None:
    """Record a failed or skipped processing attempt; a database error is retried later, up
    to RAW_EVENT_MAX_ATTEMPTS."""
    with transaction.atomic():
        raw = (
            RawEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=raw_event_id, status=RawEventStatus.RECEIVED)
            .first()
        )
        if raw is None:
            return None
        raw.attempts += 1
        raw.last_error = error
        if outcome == RawEventStatus.RECEIVED and raw.attempts >= RAW_EVENT_MAX_ATTEMPTS:
            outcome = RawEventStatus.FAILED
        raw.status = outcome
        if outcome != RawEventStatus.RECEIVED:
            raw.processed_at = now
        raw.save(update_fields=["status", "attempts", "last_error", "processed_at"])
    if outcome == RawEventStatus.FAILED:
        logger.error("raw event %s failed: %s", raw_event_id, error)
    else:
        logger.warning("raw event %s: %s", raw_event_id, error)
    return outcome


def raw_events_process(
    *, batch: int = 500, max_seconds: float = 150.0, gather_seconds: float = 0.0
) -> int:
    """Process raw events in status ``received``, oldest first, until none is left (or the
    time budget is spent: the next run goes on). How many were handled. Several workers may
    run it at once; each event is claimed by one of them.

    ``gather_seconds``: after a look that found less than a full batch, wait this long before
    the next one. Under a steady stream of deliveries the batches are then bigger, and a batch
    costs a dozen statements whatever its size.

    Consecutive flag.created events are processed together (moderation/services/ingest_batch.py),
    everything else one by one, in id order. A batch that fails on a database error is rolled
    back and its events are processed one by one, which records each one's error.
    """
    from moderation.services.ingest_batch import flags_batch_process

    started = time.monotonic()
    handled = 0
    gathered = False
    failed_ids: set[int] = set()

    def one_by_one(ids: list[int]) -> None:
        nonlocal handled
        for pk in ids:
            status = raw_event_process(raw_event_id=pk)
            if status is not None:
                handled += 1
            if status == RawEventStatus.RECEIVED:
                failed_ids.add(pk)  # retried on the next run, not in a tight loop now

    while time.monotonic() - started < max_seconds:
        rows = list(
            RawEvent.objects.filter(status=RawEventStatus.RECEIVED)
            .exclude(pk__in=failed_ids)
            .order_by("pk")
            .values_list("pk", "event_type")[:batch]
        )
        if not rows:
            break
        if gather_seconds and len(rows) < batch and not gathered:
            time.sleep(gather_seconds)  # then look again, and take what is there
            gathered = True
            continue
        gathered = False
        for is_flag, run in _runs(rows):
            if not is_flag:
                one_by_one(run)
                continue
            try:
                result = flags_batch_process(run, now=timezone.now())
            except DatabaseError as exc:
                logger.warning("batch of %d raw events failed (%s); one by one", len(run), exc)
                one_by_one(run)
                continue
            handled += len(result.processed)
            one_by_one(result.left)
    return handled


def _runs(rows: list[tuple[int, str]]) -> list[tuple[bool, list[int]]]:
    """Split (id, event type) rows, in order, into runs of flag.created and runs of the rest."""
    runs: list[tuple[bool, list[int]]] = []
    for pk, event_type in rows:
        is_flag = event_type == WebhookEventType.FLAG_CREATED
        if runs and runs[-1][0] == is_flag:
            runs[-1][1].append(pk)
        else:
            runs.append((is_flag, [pk]))
    return runs

"""flag.created in batches: what ``flag_ingest`` does for one flag, done for up to a few hundred
stored raw events in one transaction with a fixed number of statements.

Per event, ``flag_ingest`` runs about eleven statements and most of its CPU goes to issuing them.
Here the same decisions are taken in memory, event by event in raw-event id order, with the same
helpers (``video_fields_apply``, ``reopen_trigger``, ``due_at``, ``priority_apply``), and the
results are written with one statement per table:

1. claim the raw events (``FOR UPDATE SKIP LOCKED``, status re-checked);
2. take every video's ingest lock, in key order (two batches never wait on each other in a
   cycle);
3. read the videos, then lock each video's open (else latest) case, as ``flag_ingest`` does;
4. read the flag summaries of those cases (for priority);
5. write: new videos, changed videos, new cases, changed cases, flags, audit events, and the raw
   events' status.

The locking order is that of moderation/services/ingest.py: ingest locks, then case rows, and
no write before the last lock. So a batch does not deadlock with a single-event service or with
the case services.

The result is what processing the same events one by one gives, case for case and audit event
for audit event (tests/moderation/test_ingest_batch.py runs both on the same events and compares).
Anything unusual is left to the one-by-one path: a body that no longer parses, another event
type, or a database error in the batch (the batch rolls back whole, and the caller processes its
events one at a time).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from moderation.choices import (
    OPEN_CASE_STATUSES,
    ActorKind,
    AuditAction,
    RawEventStatus,
)
from moderation.intake.json_body import PayloadInvalid
from moderation.intake.parsing import Envelope, FlagCreated, envelope_parse
from moderation.intake.policy import tuning
from moderation.intake.rows import (
    columns,
    ids_reserve,
    instance_from_row,
    rows_copy,
    rows_update_many,
)
from moderation.intake.rules import (
    case_flag_attached,
    case_flag_joined,
    case_for_first_flag,
    reopen_trigger,
)
from moderation.intake.storage import flag_for, flags_copy, ingest_lock_key, video_fields_apply
from moderation.models import AuditEvent, Case, Flag, RawEvent, Video
from moderation.oversight.audit import audit_columns
from moderation.priority import NO_FLAGS, FlagSummary

# The same as _RAW_EVENT_CLAIM in ingest.py (and the same reasoning for synchronous commit off),
# for many rows at once.
_CLAIM = f"""
    SELECT id, platform_id, body, set_config('synchronous_commit', 'off', true),
        set_config('lock_timeout', %s, true)
    FROM {RawEvent._meta.db_table}
    WHERE id = ANY(%s) AND status = %s
    ORDER BY id
    FOR UPDATE SKIP LOCKED
"""  # noqa: S608 (table name from the model, values are parameters)

_LOCK_VIDEOS = "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k"

_VIDEOS = f"""
    SELECT {columns(Video, "v")}
    FROM {Video._meta.db_table} v
    JOIN unnest(%s::bigint[], %s::text[]) AS k(platform_id, platform_video_id)
      ON v.platform_id = k.platform_id AND v.platform_video_id = k.platform_video_id
"""  # noqa: S608 (names from the models, values are parameters)

# Per video, the row _CASE_FOR_VIDEO (ingest.py) locks: the open case, else the latest.
_CASES = f"""
    SELECT {columns(Case, "c")}
    FROM unnest(%s::bigint[]) AS v(id)
    CROSS JOIN LATERAL (
        SELECT * FROM {Case._meta.db_table} c0
        WHERE c0.video_id = v.id
        ORDER BY (c0.status = ANY(%s)) DESC, c0.opened_at DESC, c0.id DESC
        LIMIT 1
        FOR NO KEY UPDATE
    ) c
"""  # noqa: S608 (names from the models, values are parameters)

_FLAG_SUMMARIES = f"""
    SELECT case_id, count(*), coalesce(array_agg(DISTINCT source), '{{}}'), max(confidence)
    FROM {Flag._meta.db_table} WHERE case_id = ANY(%s)
    GROUP BY case_id
"""  # noqa: S608 (table name from the model, values are parameters)

_PROCESSED = f"""
    UPDATE {RawEvent._meta.db_table}
    SET status = %s, processed_at = %s, last_error = '', attempts = attempts + 1
    WHERE id = ANY(%s)
"""  # noqa: S608 (table name from the model, values are parameters)


@dataclass
class _Claimed:
    raw_event_id: int
    platform_id: int
    envelope: Envelope
    data: FlagCreated  # envelope.data


@dataclass
class _CaseState:
    case: Case
    is_new: bool
    flags: FlagSummary | None = None  # open cases: the flags so far, for the priority
    changed: set[str] = field(default_factory=set)


@dataclass
class _AuditSpec:
    raw_event_id: int  # written in raw-event order, as one-by-one processing would
    action: str
    obj: Flag | Case
    case: Case
    before: dict[str, object]
    after: dict[str, object]


@dataclass
class _Writes:
    new_videos: list[Video] = field(default_factory=list)
    changed_videos: dict[int, Video] = field(default_factory=dict)
    video_fields: set[str] = field(default_factory=set)
    new_cases: list[tuple[int, Case]] = field(default_factory=list)  # (raw event id, case)
    changed_cases: dict[int, _CaseState] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    audit: list[_AuditSpec] = field(default_factory=list)


@dataclass(frozen=True)
class BatchResult:
    processed: list[int]  # raw events processed here
    left: list[int]  # claimed but not for this path (other type, no longer valid): one by one


def flags_batch_process(raw_event_ids: list[int], *, now: datetime) -> BatchResult:
    """Process the given raw events, where they are flag.created and still ``received``, in one
    transaction. Raw events another worker holds are skipped (neither processed nor left).
    DatabaseError propagates with everything rolled back."""
    with transaction.atomic():
        claimed, left = _claim(raw_event_ids)
        if not claimed:
            return BatchResult(processed=[], left=left)
        groups: dict[tuple[int, str], list[_Claimed]] = defaultdict(list)
        for event in claimed:
            groups[(event.platform_id, event.data.video.id)].append(event)
        _videos_lock(list(groups))
        videos = _videos_read(list(groups))
        cases = _cases_lock([video.pk for video in videos.values()])
        summaries = _flag_summaries([c.pk for c in cases.values() if c.is_open])

        writes = _Writes()
        growth_factor = tuning()["reopen.reach_growth_factor"]
        for key, events in groups.items():
            video = videos.get(key)
            current = None
            if video is not None and video.pk in cases:
                case = cases[video.pk]
                current = _CaseState(case, is_new=False, flags=summaries.get(case.pk, NO_FLAGS))
            for event in events:
                video, current = _flag_apply(
                    event, video, current, writes, now=now, growth_factor=growth_factor
                )
        _write(writes, [event.raw_event_id for event in claimed], now=now)
    return BatchResult(processed=[event.raw_event_id for event in claimed], left=left)


def _claim(raw_event_ids: list[int]) -> tuple[list[_Claimed], list[int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM,
            [settings.SARING["INGEST_LOCK_TIMEOUT"], raw_event_ids, RawEventStatus.RECEIVED],
        )
        rows = cursor.fetchall()
    claimed: list[_Claimed] = []
    left: list[int] = []
    for raw_event_id, platform_id, body, *_ in rows:
        try:
            envelope = envelope_parse(body.encode())
        except PayloadInvalid:
            left.append(raw_event_id)
            continue
        if isinstance(envelope.data, FlagCreated):
            claimed.append(_Claimed(raw_event_id, platform_id, envelope, envelope.data))
        else:
            left.append(raw_event_id)
    return claimed, left


def _videos_lock(keys: list[tuple[int, str]]) -> None:
    lock_keys = sorted({ingest_lock_key("video", platform_id, vid) for platform_id, vid in keys})
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_VIDEOS, [lock_keys])


def _videos_read(keys: list[tuple[int, str]]) -> dict[tuple[int, str], Video]:
    with connection.cursor() as cursor:
        cursor.execute(_VIDEOS, [[k[0] for k in keys], [k[1] for k in keys]])
        rows = cursor.fetchall()
    videos = (instance_from_row(Video, row) for row in rows)
    return {(video.platform_id, video.platform_video_id): video for video in videos}


def _cases_lock(video_ids: list[int]) -> dict[int, Case]:
    if not video_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_CASES, [sorted(video_ids), list(OPEN_CASE_STATUSES)])
        rows = cursor.fetchall()
    cases = (instance_from_row(Case, row) for row in rows)
    return {case.video_id: case for case in cases}


def _flag_summaries(case_ids: list[int]) -> dict[int, FlagSummary]:
    if not case_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_FLAG_SUMMARIES, [case_ids])
        rows = cursor.fetchall()
    return {
        case_id: FlagSummary(count=count, sources=frozenset(sources), max_confidence=confidence)
        for case_id, count, sources, confidence in rows
    }


# --- One event, in memory ----------------------------------------------------------------------


def _flag_apply(
    event: _Claimed,
    video: Video | None,
    current: _CaseState | None,
    writes: _Writes,
    *,
    now: datetime,
    growth_factor: float,
) -> tuple[Video, _CaseState]:
    """flag_ingest's decisions for one event; the video and the case the next event sees."""
    data = event.data
    if video is None:
        video = Video(platform_id=event.platform_id, platform_video_id=data.video.id)
        video_fields_apply(video, data.video, event.envelope.timestamp)
        writes.new_videos.append(video)
    elif (changed := video_fields_apply(video, data.video, event.envelope.timestamp)) and (
        video.pk is not None  # else inserted at the end, as it is then
    ):
        writes.changed_videos[video.pk] = video
        writes.video_fields.update(changed)

    if current is not None and current.case.is_open:
        _flag_join(event, video, current, writes, now=now)
        return video, current
    if current is None:
        return video, _case_open(event, video, writes, now=now, reopened_from=None)
    trigger = reopen_trigger(
        settled=current.case,
        reason=data.reason,
        source=data.source,
        view_count=video.view_count,
        growth_factor=growth_factor,
    )
    if trigger is not None:
        return video, _case_open(
            event, video, writes, now=now, reopened_from=current.case, trigger=trigger
        )
    _flag_attach_to_settled(event, video, current, writes, now=now)
    return video, current


def _flag_new(event: _Claimed, video: Video, case: Case, now: datetime) -> Flag:
    return flag_for(
        platform_id=event.platform_id,
        data=event.data,
        video=video,
        case=case,
        raw_event_id=event.raw_event_id,
        now=now,
    )


def _case_open(
    event: _Claimed,
    video: Video,
    writes: _Writes,
    *,
    now: datetime,
    reopened_from: Case | None,
    trigger: str | None = None,
) -> _CaseState:
    case, flags, action, after = case_for_first_flag(
        platform_id=event.platform_id,
        video=video,
        data=event.data,
        now=now,
        reopened_from=reopened_from,
        trigger=trigger,
    )
    writes.new_cases.append((event.raw_event_id, case))
    writes.flags.append(_flag_new(event, video, case, now))
    writes.audit.append(_AuditSpec(event.raw_event_id, action, case, case, {}, after))
    return _CaseState(case, is_new=True, flags=flags)


def _case_changed(state: _CaseState, writes: _Writes, fields: list[str]) -> None:
    state.changed.update(fields)
    if not state.is_new:
        writes.changed_cases[state.case.pk] = state


def _flag_join(
    event: _Claimed, video: Video, state: _CaseState, writes: _Writes, *, now: datetime
) -> None:
    state.flags = (state.flags or NO_FLAGS).plus(
        source=event.data.source, confidence=event.data.confidence
    )
    fields, before, after = case_flag_joined(
        state.case, video=video, data=event.data, flags=state.flags, now=now
    )
    flag = _flag_new(event, video, state.case, now)
    writes.flags.append(flag)
    _case_changed(state, writes, fields)
    writes.audit.append(
        _AuditSpec(event.raw_event_id, AuditAction.CASE_FLAG_JOIN, flag, state.case, before, after)
    )


def _flag_attach_to_settled(
    event: _Claimed, video: Video, state: _CaseState, writes: _Writes, *, now: datetime
) -> None:
    fields, before, after = case_flag_attached(state.case, data=event.data)
    flag = _flag_new(event, video, state.case, now)
    writes.flags.append(flag)
    _case_changed(state, writes, fields)
    writes.audit.append(
        _AuditSpec(event.raw_event_id, AuditAction.CASE_FLAG_JOIN, flag, state.case, before, after)
    )


# --- The writes --------------------------------------------------------------------------------


def _write(writes: _Writes, raw_event_ids: list[int], *, now: datetime) -> None:
    if writes.new_videos:
        Video.objects.bulk_create(writes.new_videos)
    rows_update_many(Video, list(writes.changed_videos.values()), sorted(writes.video_fields))
    if writes.new_cases:
        # Ids in the order the events came, as one-by-one processing gives them.
        Case.objects.bulk_create([case for _, case in sorted(writes.new_cases, key=_first)])
    changed = list(writes.changed_cases.values())
    case_fields = sorted(set().union(*(state.changed for state in changed))) if changed else []
    rows_update_many(Case, [state.case for state in changed], case_fields)
    flags_copy(writes.flags)
    writes.audit.sort(key=lambda spec: spec.raw_event_id)  # stable: an event's own order stays
    _audit_copy(writes.audit)
    with connection.cursor() as cursor:
        cursor.execute(_PROCESSED, [RawEventStatus.PROCESSED, now, raw_event_ids])


def _first(pair: tuple[int, Case]) -> int:
    return pair[0]


# Audit events, one per event, are written with COPY and ids drawn from their sequence first
# (flags likewise: storage.flags_copy).
# Every column of the audit table, from the model: a column added there without a value here
# fails the COPY loudly (KeyError) instead of being left out. Generated columns (the free-text
# search vector) are PostgreSQL's to fill.
_AUDIT_COLUMNS: tuple[str, ...] = tuple(
    str(f.column) for f in AuditEvent._meta.concrete_fields if not f.generated
)


def _audit_copy(specs: list[_AuditSpec]) -> None:
    base = audit_columns(action="", object_type=None, actor=None, actor_kind=ActorKind.PLATFORM)
    rows = []
    for spec, pk in zip(specs, ids_reserve(AuditEvent, len(specs)), strict=True):
        row = {
            "id": pk,
            "created_at": timezone.now(),
            "actor_id": base["actor_id"],
            "actor_kind": base["actor_kind"],
            "actor_organisation_id": base["actor_organisation_id"],
            "action": spec.action,
            "object_type": spec.obj._meta.model_name,
            "object_id": str(spec.obj.pk),
            "case_id": spec.case.pk,
            "before": Jsonb(spec.before),
            "after": Jsonb(spec.after),
            "ip_address": base["ip_address"],
            "request_id": base["request_id"],
            "client_request_id": base["client_request_id"],
        }
        rows.append(tuple(row[column] for column in _AUDIT_COLUMNS))
    rows_copy(AuditEvent, _AUDIT_COLUMNS, rows)

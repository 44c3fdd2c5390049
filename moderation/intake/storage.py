"""The rows ingest writes and the locks it takes, shared by the one-event path (events.py) and
the batch path (batch.py): the per-video advisory lock, the video's case locked, the video
upserted, the flag row."""

import hashlib
from datetime import datetime

from django.db import connection

from moderation.choices import (
    OPEN_CASE_STATUSES,
)
from moderation.intake.parsing import FlagCreated, VideoData
from moderation.intake.receipts import DuplicateEvent
from moderation.intake.rows import columns, ids_reserve, instance_from_row, rows_copy
from moderation.models import Case, Flag, Platform, Video


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


# A batch writes its flags with COPY (batch.py), ids drawn from their sequence first (its
# audit events name their flag by id). The columns are listed here, not
# derived from the models, to keep the ORM's per-value work out of the loop;
# tests/moderation/test_ingest_batch.py reads back through the ORM what one-by-one writes.
_FLAG_COLUMNS = (
    "id",
    "platform_id",
    "platform_flag_id",
    "video_id",
    "case_id",
    "raw_event_id",
    "reason",
    "source",
    "confidence",
    "note",
    "flagged_at",
    "received_at",
)


def flags_copy(flags: list[Flag]) -> None:
    """Insert new flags with COPY; each gets its id first."""
    for flag, pk in zip(flags, ids_reserve(Flag, len(flags)), strict=True):
        flag.pk = pk
    rows_copy(
        Flag,
        _FLAG_COLUMNS,
        (
            (
                flag.pk,
                flag.platform_id,
                flag.platform_flag_id,
                flag.video.pk,
                flag.case.pk if flag.case else None,
                flag.raw_event_id,
                flag.reason,
                flag.source,
                flag.confidence,
                flag.note,
                flag.flagged_at,
                flag.received_at,
            )
            for flag in flags
        ),
    )

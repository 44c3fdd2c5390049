"""Platform events into cases (contract §2): flag_ingest, video_update, video_remove and
appeal_ingest, dispatched by event_process for a stored or a new receipt.

Each service takes the event's data (already validated by parsing.py) and a ``receipt``: the
raw event to record. Processing and recording happen in ONE transaction, so a committed raw
event in status ``processed`` always has its effects, and a duplicate (same webhook-id, same
flag_id, same appeal_id) rolls everything back and changes nothing.

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

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import (
    OPEN_CASE_STATUSES,
    ActorKind,
    AuditAction,
    CaseEvent,
    CloseReason,
)
from moderation.errors import InvalidInput, ModerationError
from moderation.intake.parsing import (
    AppealCreated,
    Envelope,
    FlagCreated,
    VideoRemoved,
    VideoUpdated,
    envelope_parse,
)
from moderation.intake.policy import flag_summary, priority_apply, tuning
from moderation.intake.receipts import (
    DuplicateEvent,
    NewReceipt,
    ReceiptRecorder,
    WebhookReceipt,
    natural_key,
)
from moderation.intake.rows import row_update
from moderation.intake.rules import (
    case_flag_attached,
    case_flag_joined,
    case_for_first_flag,
    reopen_trigger,
)
from moderation.intake.storage import (
    _case_for_video_locked,
    _flag_insert,
    _ingest_lock,
    _open_case_locked,
    _video_create,
    _video_find,
    _video_lock,
    video_fields_apply,
)
from moderation.models import Appeal, Case, Decision, Flag, Platform, Video
from moderation.oversight.audit import audit_record
from moderation.review.appeals import appeal_open
from moderation.review.cases import case_close
from moderation.transitions import next_status

logger = logging.getLogger("saring.ingest")


REMOVAL_CLOSE_REASONS = {
    "author": CloseReason.VIDEO_REMOVED_BY_AUTHOR,
    "platform": CloseReason.VIDEO_REMOVED_BY_PLATFORM,
}


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


def flag_ingest(
    *,
    platform: Platform,
    data: FlagCreated,
    observed_at: datetime,
    receipt: ReceiptRecorder,
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
        raw_event_id = receipt.record()
        if video is None:
            video = _video_create(platform, data.video, observed_at)
        elif changed := video_fields_apply(video, data.video, observed_at):
            row_update(video, changed)

        if case is not None and case.is_open:
            return _flag_add(platform, data, video, case, raw_event_id, now)
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
        return _flag_add(platform, data, video, case, raw_event_id, now)


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


def _flag_add(
    platform: Platform,
    data: FlagCreated,
    video: Video,
    case: Case,
    raw_event_id: int,
    now: datetime,
) -> FlagIngested:
    """A flag joins the video's open case, or is counted on its settled one (not reopened)."""
    if case.is_open:
        next_status(case.status, CaseEvent.FLAG_JOIN)  # refused before anything is written
    flag = _flag_insert(
        platform=platform, data=data, video=video, case=case, raw_event_id=raw_event_id, now=now
    )
    if case.is_open:
        flags = flag_summary(case)
        fields, before, after = case_flag_joined(case, video=video, data=data, flags=flags, now=now)
        outcome = FlagOutcome.JOINED
    else:
        fields, before, after = case_flag_attached(case, data=data)
        outcome = FlagOutcome.ATTACHED_TO_SETTLED
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
    return FlagIngested(flag=flag, case=case, outcome=outcome)


def video_update(
    *,
    platform: Platform,
    data: VideoUpdated,
    observed_at: datetime,
    receipt: ReceiptRecorder,
    now: datetime | None = None,
) -> Video:
    """Refresh a video's metadata and reach; recompute the priority of its open case.
    An unknown video is stored, with no case."""
    now = now or timezone.now()
    with transaction.atomic():
        _video_lock(platform.pk, data.video.id)
        video = _video_find(platform, data.video.id)
        case = _open_case_locked(video) if video is not None else None
        receipt.record()
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


def video_remove(
    *,
    platform: Platform,
    data: VideoRemoved,
    receipt: ReceiptRecorder,
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
        receipt.record()
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


def appeal_ingest(
    *,
    platform: Platform,
    data: AppealCreated,
    receipt: ReceiptRecorder,
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
                _("keputusan %(id)s tidak dikenal") % {"id": data.decision_id},
                errors={
                    "data.decision_id": _("tidak ada keputusan %(id)s untuk platform ini")
                    % {"id": data.decision_id}
                },
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
            message = _("keputusan %(id)s tidak dapat dibanding: %(why)s") % {
                "id": data.decision_id,
                "why": exc.detail,
            }
            raise InvalidInput(message, errors={"data.decision_id": message}) from exc
        if not created:
            raise DuplicateEvent(data.appeal_id)
        receipt.record()
    return appeal


def event_process(
    *, platform: Platform, envelope: Envelope, receipt: ReceiptRecorder, now: datetime
) -> None:
    """Run the service for a handled event type. DuplicateEvent, ModerationError and
    DatabaseError propagate; the transaction of the service is rolled back for each."""
    data = envelope.data
    if isinstance(data, FlagCreated):
        flag_ingest(
            platform=platform,
            data=data,
            observed_at=envelope.timestamp,
            receipt=receipt,
            now=now,
        )
    elif isinstance(data, VideoUpdated):
        video_update(
            platform=platform,
            data=data,
            observed_at=envelope.timestamp,
            receipt=receipt,
            now=now,
        )
    elif isinstance(data, VideoRemoved):
        video_remove(platform=platform, data=data, receipt=receipt, now=now)
    elif isinstance(data, AppealCreated):
        appeal_ingest(platform=platform, data=data, receipt=receipt, now=now)
    else:  # pragma: no cover - envelope.handled is checked by the callers
        raise ValueError(f"no handler for {envelope.type}")


def event_replay(*, platform: Platform, body: str, webhook_id: str, now: datetime) -> None:
    """Process one event body exactly as the webhook would, with ``now`` as its time: parsed
    and validated the same way (PayloadInvalid), stored as a raw event (DuplicateEvent when its
    webhook-id or flag_id was seen) and processed in one transaction. For the demo data and
    for operators who replay a platform's events from a file."""
    envelope = envelope_parse(body.encode())
    receipt = WebhookReceipt(
        platform_id=platform.pk,
        webhook_id=webhook_id,
        event_type=envelope.type,
        body=body,
        webhook_timestamp=envelope.timestamp,
        received_at=now,
        natural_key=natural_key(envelope),
    )
    event_process(platform=platform, envelope=envelope, receipt=NewReceipt(receipt, now), now=now)

"""Processing stored raw events: one at a time (``raw_event_process``), or a run over everything
waiting (``raw_events_process``) that takes consecutive flag.created events in batches
(batch.py) and the rest one by one, in id order."""

import time
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from moderation.choices import (
    RawEventStatus,
    WebhookEventType,
)
from moderation.errors import ModerationError
from moderation.intake.events import event_process, logger
from moderation.intake.json_body import PayloadInvalid
from moderation.intake.parsing import envelope_parse
from moderation.intake.policy import (
    platform_by_id,
)
from moderation.intake.receipts import DuplicateEvent, StoredReceipt
from moderation.models import RawEvent

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
                receipt=StoredReceipt(raw_event_id),
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
    the next one. Under a steady stream of receipts the batches are then bigger, and a batch
    costs a dozen statements whatever its size.

    Consecutive flag.created events are processed together (moderation/services/ingest_batch.py),
    everything else one by one, in id order. A batch that fails on a database error is rolled
    back and its events are processed one by one, which records each one's error.
    """
    from moderation.intake.batch import flags_batch_process

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

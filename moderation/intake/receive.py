"""What the webhook view does once a receipt is verified and valid: store it, then have it
processed right after.

The contract's promise is "a 2xx is never lost": the 2xx goes out only after the raw event is
committed. For flag.created, video.updated and video.removed that single INSERT is all the
request does. One statement also answers "seen before": ON CONFLICT on the webhook-id or on the
flag_id (RawEvent.natural_key). Processing (video, flag, case, priority, audit) happens right
after, in a Celery task: flag.created in batches, one transaction per batch
(moderation/services/ingest_batch.py), other types one event per transaction
(moderation/services/ingest.py).

Triggering is coalesced: the first receipt after a drain started sets a flag in Redis
(cache.add) and enqueues one ``raw_events_process`` task; the task clears the flag before it
looks for work, so a receipt committed while it runs triggers the next one. Nothing depends on
Redis for durability: if Redis is down, beat's sweep (the same task, every minute) processes
whatever is still in status ``received`` once it is back.

appeal.created is processed in the request, in the transaction that stores it: whether a
decision can be appealed depends on our state, and the platform should hear "no" as a 400.
"""

import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import DatabaseError, connection
from redis.exceptions import RedisError

from moderation.choices import RawEventStatus
from moderation.intake.events import event_process
from moderation.intake.parsing import AppealCreated, Envelope
from moderation.intake.processing import raw_events_process
from moderation.intake.receipts import DuplicateEvent, NewReceipt, WebhookReceipt, raw_event_store
from moderation.jobs import BROKER_ERRORS, TaskName, task_send
from moderation.models import Platform, PlatformSecret

logger = logging.getLogger("saring.ingest")

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
IGNORED = "ignored"

# How many secrets are tried: the current one and those still in their rotation grace period.
MAX_ACTIVE_SECRETS = 5
# Set while a processing run is queued and has not started yet (see the module docstring).
PROCESSING_REQUESTED = "ingest:raw-events-processing-requested"
PROCESSING_REQUEST_TTL = 60
PROCESSING_REQUEST_THROTTLE = 0.25  # seconds, per process
# How long a processing run waits for more receipts before a batch that is not full, and how
# long one run lasts at most (the task's soft time limit is 200 s).
PROCESSING_GATHER_SECONDS = 0.25
DRAIN_SECONDS = 150.0
_last_request = float("-inf")


@dataclass(frozen=True)
class WebhookPlatform:
    platform_id: int
    secrets: list[str]


# Known platforms and their secrets (with expiry), per process, for PLATFORM_CACHE_SECONDS:
# every receipt needs them and they change a few times a year. Expiry is checked on each
# request, so a secret's grace period ends on time; a new, rotated or removed secret, or a
# disabled platform, reaches every process within the TTL (at once in the process that made the
# change). Unknown slugs are not cached.
PLATFORM_CACHE_SECONDS = 5.0
_platform_cache: dict[str, tuple[float, int, list[tuple[str, datetime | None]]]] = {}

_WEBHOOK_PLATFORM = f"""
    SELECT p.id, s.secret, s.expires_at
    FROM {Platform._meta.db_table} p
    LEFT JOIN {PlatformSecret._meta.db_table} s ON s.platform_id = p.id
    WHERE p.slug = %s AND p.enabled
    ORDER BY s.created_at DESC, s.id DESC
"""  # noqa: S608 (table names from the models, values are parameters)


def webhook_platform(slug: str, *, now: datetime) -> WebhookPlatform | None:
    """The enabled platform with this slug and its secrets valid at ``now``, newest first."""
    clock = time.monotonic()
    hit = _platform_cache.get(slug)
    if hit is None or hit[0] <= clock:
        with connection.cursor() as cursor:
            cursor.execute(_WEBHOOK_PLATFORM, [slug])
            rows = cursor.fetchall()
        if not rows:
            _platform_cache.pop(slug, None)
            return None
        secrets = [(secret, expires_at) for _, secret, expires_at in rows if secret]
        hit = (clock + PLATFORM_CACHE_SECONDS, rows[0][0], secrets)
        _platform_cache[slug] = hit
    _, platform_id, secrets = hit
    valid = [secret for secret, expires_at in secrets if expires_at is None or expires_at > now]
    return WebhookPlatform(platform_id=platform_id, secrets=valid[:MAX_ACTIVE_SECRETS])


def webhook_platforms_forget() -> None:
    """Drop this process's platform cache (the platform services call it after a change)."""
    _platform_cache.clear()


def receipt_ingest(*, receipt: WebhookReceipt, envelope: Envelope, now: datetime) -> str:
    """Store one receipt (and process it, for appeals): ``accepted``, ``duplicate`` or
    ``ignored``.

    ModerationError (an appeal on a decision that cannot be appealed) propagates with nothing
    stored; the view answers 400. OperationalError / InterfaceError propagate when the raw
    event cannot be stored; the view answers 503.
    """
    if not envelope.handled:
        stored = raw_event_store(receipt, status=RawEventStatus.IGNORED, now=now)
        return IGNORED if stored else DUPLICATE
    if isinstance(envelope.data, AppealCreated):
        platform = Platform.objects.get(pk=receipt.platform_id)
        return _appeal_ingest(platform=platform, receipt=receipt, envelope=envelope, now=now)
    if raw_event_store(receipt, status=RawEventStatus.RECEIVED, now=now) is None:
        return DUPLICATE
    processing_request()
    return ACCEPTED


def _appeal_ingest(
    *, platform: Platform, receipt: WebhookReceipt, envelope: Envelope, now: datetime
) -> str:
    try:
        event_process(
            platform=platform, envelope=envelope, receipt=NewReceipt(receipt, now), now=now
        )
    except DuplicateEvent:
        return DUPLICATE
    except DatabaseError as exc:
        # Rolled back (a deadlock, a lock timeout). Keep the receipt; processing retries it.
        logger.warning("appeal %s failed (%s); stored for retry", receipt.webhook_id, exc)
        stored = raw_event_store(
            receipt,
            status=RawEventStatus.RECEIVED,
            now=now,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            attempts=1,
        )
        if stored is None:
            return DUPLICATE
        processing_request()
    return ACCEPTED


def processing_request() -> None:
    """Have stored raw events processed soon: one queued task for any number of receipts.
    Best effort: if Redis is down, beat's sweep finds the rows later.

    A process asks Redis at most once per PROCESSING_REQUEST_THROTTLE seconds. A receipt it
    stored without asking is still seen: the run that its last request queued starts after that
    request, and raw_events_drain looks once more PROCESSING_REQUEST_THROTTLE after it found
    nothing, which is after this receipt committed.
    """
    global _last_request
    now = time.monotonic()
    if now - _last_request < PROCESSING_REQUEST_THROTTLE:
        return
    _last_request = now
    try:
        if cache.add(PROCESSING_REQUESTED, 1, timeout=PROCESSING_REQUEST_TTL):
            task_send(TaskName.RAW_EVENTS_DRAIN)
    except (RedisError, *BROKER_ERRORS) as exc:
        logger.warning("could not queue raw event processing (%s); beat's sweep will", exc)
        with contextlib.suppress(RedisError, OSError):  # else it expires by itself
            cache.delete(PROCESSING_REQUESTED)


def raw_events_drain() -> int:
    """The task's body: clear the request flag first (a receipt committed from now on queues
    the next run), process everything pending, and look once more after the throttle window
    (see processing_request).

    While receipts keep coming, the run goes on, gathering what arrived for
    PROCESSING_GATHER_SECONDS between batches, for at most DRAIN_SECONDS in all (then the next
    run takes over: a receipt since this run started has queued it)."""
    try:
        cache.delete(PROCESSING_REQUESTED)
    except (RedisError, OSError):
        logger.warning("could not clear %s; it expires by itself", PROCESSING_REQUESTED)
    started = time.monotonic()
    handled = raw_events_process(
        max_seconds=DRAIN_SECONDS, gather_seconds=PROCESSING_GATHER_SECONDS
    )
    time.sleep(PROCESSING_REQUEST_THROTTLE)
    left = DRAIN_SECONDS - (time.monotonic() - started)
    return handled + raw_events_process(max_seconds=max(left, 1.0))

"""Callbacks to platforms (contract §3): written as outbox rows, then sent one attempt at a
time: claim the row, sign, POST, record the outcome.

``delivery_enqueue`` writes a row in the caller's transaction and, on commit, asks for a
drain: one ``deliveries_drain`` task (coalesced through a Redis flag, like the raw-event drain)
claims the due rows in batches, sends a batch's POSTs side by side over this process's pooled
connections, and records the outcomes (the delivered ones in one statement). Every row keeps its
own webhook-id, its own claim and its own retry schedule: a batch is only how many are claimed
and recorded at once. ``delivery_send`` sends one row (what the sweep queues for a row the
broker lost); both are idempotent because they claim before sending (outbox.py).

Outcomes (contract §3):

- 2xx: delivered.
- 410: the platform's callback is disabled (an operator turns it back on), its waiting
  deliveries are paused, and the administrators are told.
- 429 / 503 with ``Retry-After``: the next attempt waits that long.
- anything else, a timeout (15 s) or a network error: retried with exponential backoff and
  jitter (``retry.CALLBACK_RETRY``) for at least 24 hours, then failed (the dead letter),
  which operators see and can send again.
"""

import contextlib
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import RedisError
from standardwebhooks.webhooks import Webhook

from moderation.choices import DeliveryStatus
from moderation.jobs import BROKER_ERRORS, TaskName, task_send
from moderation.models import OutboundDelivery, Platform, database_now
from moderation.outbound.operations import platform_callback_disable
from moderation.outbound.outbox import (
    CALLBACKS,
    outbox_claim,
    outbox_claim_due,
    outbox_fail,
    outbox_retry_later,
    outbox_sweep,
)
from moderation.outbound.payloads import callback_body, utc_rfc3339
from moderation.outbound.retry import parse_retry_after
from moderation.oversight.notifications import notify_delivery_failed

logger = logging.getLogger("saring.callbacks")
# httpx logs every request at INFO; our own line per outcome says more and no URL twice.
logging.getLogger("httpx").setLevel(logging.WARNING)

USER_AGENT = "Saring-Callbacks/1.0 (+https://saring.kpu.go.id)"
ERROR_TEXT_LIMIT = 500


def callback_timeout() -> float:
    """Seconds to wait for the platform's answer (contract §3: 15 s)."""
    return float(settings.SARING.get("CALLBACK_TIMEOUT_SECONDS", 15))


class _HttpClient:
    """One connection pool per worker process (created after the prefork fork)."""

    client: httpx.Client | None = None
    pid: int = 0

    @classmethod
    def get(cls) -> httpx.Client:
        if cls.client is None or cls.pid != os.getpid():
            cls.client = httpx.Client(
                follow_redirects=False,
                headers={"user-agent": USER_AGENT},
                limits=httpx.Limits(
                    max_connections=DRAIN_THREADS, max_keepalive_connections=DRAIN_THREADS
                ),
            )
            cls.pid = os.getpid()
        return cls.client


@dataclass(frozen=True)
class SignedRequest:
    body: bytes
    headers: dict[str, str]


def sign_callback(*, delivery: OutboundDelivery, secret: str, now: datetime) -> SignedRequest:
    """Standard Webhooks 1.0: v1 HMAC-SHA256 over "{id}.{timestamp}.{body}"."""
    body = callback_body(delivery.payload)
    sent_at = now.astimezone(UTC)
    signature = Webhook(secret).sign(delivery.webhook_id, sent_at, body)
    return SignedRequest(
        body=body.encode(),
        headers={
            "content-type": "application/json",
            "webhook-id": delivery.webhook_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": signature,
        },
    )


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str
    retry_after: str | None = None


def _post(url: str, request: SignedRequest) -> Answer:
    timeout = callback_timeout()
    try:
        response = _HttpClient.get().post(
            url, content=request.body, headers=request.headers, timeout=timeout
        )
    except httpx.TimeoutException:
        return Answer(None, f"no answer within {timeout:g} s")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}"[:ERROR_TEXT_LIMIT])
    error = ""
    if not response.is_success:
        error = f"HTTP {response.status_code}: {response.text[:ERROR_TEXT_LIMIT]}".strip()
    return Answer(response.status_code, error, response.headers.get("retry-after"))


def _callback_usable(platform: Platform) -> bool:
    return bool(platform.enabled and platform.callback_enabled and platform.callback_url)


def delivery_send(*, delivery_id: int) -> str:
    """Try to send one delivery now. Returns what happened, for the task log."""
    now = database_now()
    delivery = OutboundDelivery.objects.select_related("platform").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status != DeliveryStatus.PENDING or delivery.next_attempt_at > now:
        return f"skipped ({delivery.status})"
    platform = delivery.platform
    if not _callback_usable(platform):
        paused = OutboundDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.PAUSED, locked_until=None)
        return "paused" if paused else "skipped"
    if not outbox_claim(CALLBACKS, delivery_id, now):
        return "skipped (claimed elsewhere)"
    return _record(delivery=delivery, attempt=delivery.attempts + 1, answer=_attempt(delivery, now))


def _record(*, delivery: OutboundDelivery, attempt: int, answer: Answer) -> str:
    now = database_now()
    code = answer.status_code
    if code is not None and 200 <= code < 300:
        # Delivered is delivered, whoever holds the row now.
        OutboundDelivery.objects.filter(
            pk=delivery.pk, status__in=[DeliveryStatus.SENDING, DeliveryStatus.PENDING]
        ).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=now,
            last_status_code=code,
            last_error="",
            locked_until=None,
        )
        logger.info("callback %s delivered (HTTP %s)", delivery.webhook_id, code)
        return "delivered"
    if code == 410:
        with transaction.atomic():
            OutboundDelivery.objects.filter(
                pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=attempt
            ).update(
                status=DeliveryStatus.PAUSED,
                last_status_code=code,
                last_error=answer.error,
                locked_until=None,
            )
            platform_callback_disable(
                platform=delivery.platform,
                user=None,
                reason=f"HTTP 410 Gone dari {delivery.platform.callback_url} "
                f"({timezone.localtime(now):%Y-%m-%d %H:%M} WIB)",
            )
        logger.warning("callback %s: 410, platform callback disabled", delivery.webhook_id)
        return "gone"
    if CALLBACKS.retry.exhausted(attempts=attempt, created_at=delivery.created_at, now=now):
        return _fail(delivery=delivery, attempt=attempt, answer=answer)
    wait = parse_retry_after(answer.retry_after, now=now) if code in (429, 503) else None
    wait = outbox_retry_later(
        CALLBACKS,
        delivery.pk,
        attempt=attempt,
        error=answer.error,
        now=now,
        wait=wait,
        last_status_code=code,
    )
    logger.info(
        "callback %s attempt %d failed (%s); next in %ds",
        delivery.webhook_id,
        attempt,
        answer.error,
        wait.total_seconds(),
    )
    return "retry"


def _fail(*, delivery: OutboundDelivery, attempt: int, answer: Answer) -> str:
    with transaction.atomic():
        failed = outbox_fail(
            CALLBACKS,
            delivery.pk,
            attempt=attempt,
            error=answer.error,
            last_status_code=answer.status_code,
        )
        if failed:
            delivery.refresh_from_db()
            notify_delivery_failed(delivery=delivery)
    logger.error("callback %s failed for good after %d attempts", delivery.webhook_id, attempt)
    return "failed"


# --- Sending in batches ----------------------------------------------------------------------

DRAIN_REQUESTED = "outbound:callbacks-drain-requested"
DRAIN_REQUEST_TTL = 60
# Rows claimed at once. A batch is sent one POST after another over the pooled connections
# (threads cost more CPU than they save when the platform answers at once), until the batch
# has taken SEQUENTIAL_SECONDS: then the platform is slow and the rest of the batch goes out
# side by side, DRAIN_THREADS at a time, so that even a platform that answers nothing holds a
# batch for about two callback timeouts (15 s each), not one per row. The drain stops claiming
# after DRAIN_SECONDS, so it ends within its task's soft time limit (60 s).
DRAIN_BATCH = 32
DRAIN_THREADS = DRAIN_BATCH
SEQUENTIAL_SECONDS = 0.5
DRAIN_SECONDS = 25.0


def deliveries_drain_request() -> None:
    """Have the due callbacks sent soon: one queued drain for any number of new rows. Best
    effort: if Redis is down the rows wait for the sweep."""
    try:
        if cache.add(DRAIN_REQUESTED, 1, timeout=DRAIN_REQUEST_TTL):
            task_send(TaskName.DELIVERIES_DRAIN)
    except (RedisError, *BROKER_ERRORS) as exc:
        logger.warning("could not queue the callbacks drain (%s); the sweep will", exc)
        with contextlib.suppress(RedisError, OSError):
            cache.delete(DRAIN_REQUESTED)


def _usable_q() -> Q:
    return Q(platform__enabled=True, platform__callback_enabled=True) & ~Q(
        platform__callback_url=""
    )


def _attempt(delivery: OutboundDelivery, now: datetime) -> Answer:
    """Sign and POST one claimed row (no database: safe in a sending thread)."""
    platform = delivery.platform
    try:
        request = sign_callback(delivery=delivery, secret=platform.callback_secret, now=now)
    except ValueError as exc:  # a malformed callback secret: retried, and visible to operators
        return Answer(None, f"cannot sign with the callback secret: {type(exc).__name__}")
    return _post(platform.callback_url, request)


def deliveries_drain(*, batch: int = DRAIN_BATCH, max_seconds: float = DRAIN_SECONDS) -> int:
    """Send every due callback, a batch at a time, until none is due or the time is spent
    (then the next drain goes on: the flag is cleared first, so a row committed meanwhile asks
    for it). How many rows were attempted."""
    try:
        cache.delete(DRAIN_REQUESTED)
    except (RedisError, OSError):
        logger.warning("could not clear %s; it expires by itself", DRAIN_REQUESTED)
    # Rows of a platform whose callbacks are off wait, paused, for an operator.
    OutboundDelivery.objects.filter(status=DeliveryStatus.PENDING).exclude(_usable_q()).update(
        status=DeliveryStatus.PAUSED, locked_until=None
    )
    started = time.monotonic()
    attempted = 0
    with ThreadPoolExecutor(max_workers=max(1, min(batch, DRAIN_THREADS))) as pool:
        while time.monotonic() - started < max_seconds:
            now = database_now()
            ids = outbox_claim_due(CALLBACKS, now=now, limit=batch, only=_usable_q())
            if not ids:
                break
            rows = list(OutboundDelivery.objects.select_related("platform").filter(pk__in=ids))
            _record_batch(rows, _send_batch(pool, rows, now))
            attempted += len(rows)
    return attempted


def _send_batch(
    pool: ThreadPoolExecutor, rows: list[OutboundDelivery], now: datetime
) -> list[Answer]:
    """One POST after another while the platform answers quickly; once the batch has taken
    SEQUENTIAL_SECONDS, the rest side by side."""
    started = time.monotonic()
    answers: list[Answer] = []
    for index, row in enumerate(rows):
        if time.monotonic() - started > SEQUENTIAL_SECONDS:
            rest = rows[index:]
            answers.extend(pool.map(_attempt, rest, [now] * len(rest)))
            break
        answers.append(_attempt(row, now))
    return answers


def _record_batch(rows: list[OutboundDelivery], answers: list[Answer]) -> None:
    """The delivered rows in one statement; every other outcome as one row's would be."""
    delivered = [
        (row, answer)
        for row, answer in zip(rows, answers, strict=True)
        if answer.status_code is not None and 200 <= answer.status_code < 300
    ]
    if delivered:
        OutboundDelivery.objects.filter(
            pk__in=[row.pk for row, _ in delivered],
            status__in=[DeliveryStatus.SENDING, DeliveryStatus.PENDING],
        ).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=database_now(),
            # One batch, one platform answer code per row would need a CASE; 2xx is 2xx.
            last_status_code=200,
            last_error="",
            locked_until=None,
        )
        logger.info("%d callbacks delivered", len(delivered))
    done = {row.pk for row, _ in delivered}
    for row, answer in zip(rows, answers, strict=True):
        if row.pk not in done:
            _record(delivery=row, attempt=row.attempts, answer=answer)


def delivery_sweep(*, now: datetime | None = None, new_row_grace: timedelta | None = None) -> int:
    """Send again the callbacks that are due or whose worker died (the outbox's sweep)."""
    return outbox_sweep(CALLBACKS, now=now, new_row_grace=new_row_grace)


def delivery_enqueue(
    *, platform: Platform, event_type: str, data: dict[str, Any], subject: str = ""
) -> OutboundDelivery:
    """Write a callback row in the caller's transaction; its send is queued on commit."""
    now = database_now()
    delivery = OutboundDelivery.objects.create(
        platform=platform,
        event_type=event_type,
        next_attempt_at=now,
        created_at=now,
        subject=subject,
        payload={"type": event_type, "timestamp": utc_rfc3339(now), "data": data},
    )
    transaction.on_commit(deliveries_drain_request)
    return delivery

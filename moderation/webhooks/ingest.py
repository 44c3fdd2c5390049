"""What the webhook view does once a delivery is verified and valid: store and process it.

The contract's promise is "a 2xx is never lost": we answer 2xx only after the raw event is
committed. In the common case it is committed together with its effects (one transaction, see
moderation/services/ingest.py). If processing fails on a database error (a deadlock, a lock
timeout), the raw event is stored alone in status ``received``; a Celery task retries it a few
seconds later, and the beat sweep (``raw_events_sweep``) picks up anything the task missed, for
example because Redis was down.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError
from django.db.models import Q

from moderation.choices import RawEventStatus
from moderation.models import Platform, PlatformSecret
from moderation.services.ingest import (
    Delivery,
    DuplicateEvent,
    NewDelivery,
    event_process,
    raw_event_store,
)
from moderation.webhooks.parsing import Envelope

logger = logging.getLogger("saring.ingest")

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
IGNORED = "ignored"

# How many secrets are tried: the current one and those still in their rotation grace period.
MAX_ACTIVE_SECRETS = 5


@dataclass(frozen=True)
class WebhookPlatform:
    platform: Platform
    secrets: list[str]


def webhook_platform(slug: str, *, now: datetime) -> WebhookPlatform | None:
    """The enabled platform with this slug and its unexpired inbound secrets, newest first.
    One query when the platform has a secret (always, after platform_add)."""
    rows = list(
        PlatformSecret.objects.filter(platform__slug=slug, platform__enabled=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("platform")
        .order_by("-created_at", "-pk")[:MAX_ACTIVE_SECRETS]
    )
    if rows:
        return WebhookPlatform(platform=rows[0].platform, secrets=[r.secret for r in rows])
    platform = Platform.objects.filter(slug=slug, enabled=True).first()
    return WebhookPlatform(platform=platform, secrets=[]) if platform else None


def delivery_ingest(
    *, platform: Platform, delivery: Delivery, envelope: Envelope, now: datetime
) -> str:
    """Store and process one delivery: ``accepted``, ``duplicate`` or ``ignored``.

    ModerationError (an appeal on a decision that cannot be appealed) propagates with nothing
    stored; the view answers 400. OperationalError / InterfaceError propagate when even the
    raw event cannot be stored; the view answers 503.
    """
    if not envelope.handled:
        stored = raw_event_store(delivery, status=RawEventStatus.IGNORED, now=now)
        return IGNORED if stored else DUPLICATE
    try:
        event_process(
            platform=platform, envelope=envelope, delivery=NewDelivery(delivery, now), now=now
        )
    except DuplicateEvent:
        return DUPLICATE
    except DatabaseError as exc:
        # Rolled back. Keep the delivery and retry it outside the request.
        logger.warning(
            "processing %s %s failed (%s); stored for retry",
            delivery.event_type,
            delivery.webhook_id,
            type(exc).__name__,
        )
        raw_event_id = raw_event_store(
            delivery,
            status=RawEventStatus.RECEIVED,
            now=now,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        if raw_event_id is None:
            return DUPLICATE
        _retry_soon(raw_event_id)
    return ACCEPTED


def _retry_soon(raw_event_id: int) -> None:
    """Best effort: if the broker is down too, the beat sweep finds the row later."""
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import RedisError

    from moderation.tasks import raw_event_retry

    try:
        raw_event_retry.apply_async(args=[raw_event_id], retry=False)
    except (KombuOperationalError, RedisError, OSError):
        logger.warning("broker unavailable; raw event %s left for the sweep", raw_event_id)

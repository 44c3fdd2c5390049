"""Writes callback rows in the caller's transaction. The sender (moderation/callbacks/) picks
them up: the task is enqueued on commit, and a periodic sweep re-enqueues what was lost."""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from moderation.models import OutboundDelivery, Platform

logger = logging.getLogger("saring.outbox")


def delivery_enqueue(
    *, platform: Platform, event_type: str, data: dict[str, Any], subject: str = ""
) -> OutboundDelivery:
    now = timezone.now()
    delivery = OutboundDelivery(
        platform=platform,
        event_type=event_type,
        next_attempt_at=now,
        created_at=now,
        subject=subject,
        payload={},
    )
    delivery.payload = {
        "type": event_type,
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": data,
    }
    delivery.save()
    transaction.on_commit(lambda: _send_soon(delivery.pk))
    return delivery


def _send_soon(delivery_id: int) -> None:
    # Best effort: if the broker is down, the sweeper finds the row later.
    from moderation.tasks import delivery_send

    try:
        delivery_send.apply_async(args=[delivery_id], queue="callbacks", retry=False)
    except (KombuOperationalError, OSError):
        logger.warning("broker unavailable; delivery %s left for the sweeper", delivery_id)

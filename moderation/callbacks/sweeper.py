"""The sweeper (Celery beat, every 10 s): the rows are the truth, the broker only a hint.

It finds what the broker lost and hands it to the workers again:

- a delivery whose worker died mid-send ('sending' with an expired lock) goes back to pending;
- a pending delivery that is due is enqueued. A new row (no attempt yet) is left alone for
  ``NEW_ROW_GRACE``, because the commit that wrote it enqueued it already; a row that was
  enqueued by a sweep is marked (``locked_until``) and not enqueued again for ``REQUEUE_AFTER``.

Running it twice, or on two beats by mistake, enqueues at most a duplicate message, which the
sender's claim turns into a no-op.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from moderation.choices import DeliveryStatus
from moderation.models import OutboundDelivery

logger = logging.getLogger("saring.callbacks")

NEW_ROW_GRACE = timedelta(seconds=30)
REQUEUE_AFTER = timedelta(seconds=60)
LOST_WORKER_ERROR = "worker berhenti sebelum platform menjawab (kunci kedaluwarsa)"


def deliveries_enqueue(delivery_ids: list[int]) -> int:
    """Publish one ``delivery_send`` message per id over one broker connection.

    Returns how many were published; stops at the first broker error (the rest stay rows).
    """
    from moderation.tasks import delivery_send

    published = 0
    if not delivery_ids:
        return 0
    try:
        with delivery_send.app.producer_or_acquire() as producer:
            for delivery_id in delivery_ids:
                delivery_send.apply_async(
                    args=[delivery_id], queue="callbacks", retry=False, producer=producer
                )
                published += 1
    except (KombuOperationalError, OSError):
        logger.warning(
            "broker unavailable; %d deliveries left for the next sweep",
            len(delivery_ids) - published,
        )
    return published


def delivery_sweep(
    *,
    now: datetime | None = None,
    new_row_grace: timedelta = NEW_ROW_GRACE,
    batch: int = 1000,
) -> int:
    """Re-enqueue what is due or was lost. Returns how many messages were published.

    ``new_row_grace=timedelta(0)`` sweeps brand-new rows at once (an operator who knows the
    broker was down when they were written, and the tests).
    """
    now = now or timezone.now()
    with transaction.atomic():
        lost = OutboundDelivery.objects.filter(
            status=DeliveryStatus.SENDING, locked_until__lt=now
        ).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            locked_until=None,
            last_error=LOST_WORKER_ERROR,
        )
        if lost:
            logger.warning("%d deliveries lost their worker mid-send; sending again", lost)
        due = list(
            OutboundDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .filter(Q(attempts__gt=0) | Q(next_attempt_at__lte=now - new_row_grace))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:batch]
        )
        if due:
            OutboundDelivery.objects.filter(pk__in=due).update(locked_until=now + REQUEUE_AFTER)
    published = deliveries_enqueue(due)
    if published < len(due):
        # Not in the broker: let the next sweep pick them up without waiting REQUEUE_AFTER.
        OutboundDelivery.objects.filter(
            pk__in=due[published:], status=DeliveryStatus.PENDING
        ).update(locked_until=None)
    return published

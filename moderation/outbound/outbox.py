"""The one outbox: everything we send (platform callbacks, staff e-mails) is first a row,
written in the transaction of the change it reports. The rows are the truth, the broker only a
hint. The same four moves serve both kinds of row:

- ``outbox_publish`` queues one send task per row (on commit, or from the sweep);
- ``outbox_claim`` takes a due row for one attempt (pending -> sending, with a lock), so two
  workers holding the same message, or a message the broker delivered twice, never send one
  row twice at the same time, and a sent row is never sent again;
- ``outbox_retry_later`` / ``outbox_fail`` record a failed attempt by the row's
  ``RetrySchedule`` (retry.py);
- ``outbox_sweep`` (beat) returns rows whose worker died mid-send to pending and queues the due
  rows the broker lost. A new row is left alone for ``new_row_grace`` (its commit queued it),
  and a row the sweep queued is not queued again for ``requeue_after``. Running it twice, or on
  two beats by mistake, queues at most a duplicate message, which the claim makes a no-op.

The statuses pending, sending and failed are spelled the same in ``DeliveryStatus`` (callbacks)
and ``EmailStatus`` (e-mails); this module uses ``DeliveryStatus`` for both.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q

from moderation.choices import DeliveryStatus
from moderation.jobs import TaskName, tasks_send
from moderation.models import EmailDelivery, OutboundDelivery, database_now
from moderation.outbound.retry import CALLBACK_RETRY, EMAIL_RETRY, RetrySchedule

logger = logging.getLogger("saring.outbox")

LOST_WORKER_ERROR = "worker berhenti sebelum penerima menjawab (kunci kedaluwarsa)"


def callback_lock() -> timedelta:
    """How long a claimed callback stays locked. Longer than the task's hard time limit, so a
    lock only expires when its worker is gone; then the sweep sends the row again."""
    return timedelta(seconds=int(settings.SARING.get("CALLBACK_LOCK_SECONDS", 90)))


def email_lock() -> timedelta:
    return timedelta(minutes=3)


@dataclass(frozen=True)
class Outbox:
    """One kind of outbound row and how it is sent, retried and swept."""

    name: str
    model: type[models.Model]
    task: TaskName
    lock: Callable[[], timedelta]
    retry: RetrySchedule
    new_row_grace: timedelta
    requeue_after: timedelta

    @property
    def rows(self) -> models.QuerySet[Any]:
        return self.model._default_manager.all()


CALLBACKS = Outbox(
    name="callbacks",
    model=OutboundDelivery,
    task=TaskName.DELIVERY_SEND,
    lock=callback_lock,
    retry=CALLBACK_RETRY,
    new_row_grace=timedelta(seconds=30),
    requeue_after=timedelta(seconds=60),
)
EMAILS = Outbox(
    name="emails",
    model=EmailDelivery,
    task=TaskName.EMAIL_DELIVERY_SEND,
    lock=email_lock,
    retry=EMAIL_RETRY,
    new_row_grace=timedelta(0),
    requeue_after=timedelta(minutes=2),
)


def outbox_publish(outbox: Outbox, ids: list[int]) -> int:
    """Queue one send per row over one broker connection; how many were queued. Rows the broker
    did not take are unmarked, so the next sweep takes them without waiting."""
    if not ids:
        return 0
    sent = tasks_send(outbox.task, ids)
    if sent < len(ids):
        logger.warning(
            "broker unavailable; %d %s left for the next sweep", len(ids) - sent, outbox.name
        )
        outbox.rows.filter(pk__in=ids[sent:], status=DeliveryStatus.PENDING).update(
            locked_until=None
        )
    return sent


def outbox_publish_on_commit(outbox: Outbox, ids: list[int]) -> None:
    """Queue the sends once the transaction that wrote the rows commits (best effort)."""
    if ids:
        transaction.on_commit(lambda: outbox_publish(outbox, list(ids)))


def outbox_claim(outbox: Outbox, row_id: int, now: datetime) -> bool:
    """pending and due -> sending, atomically. False if another worker has it or it is done."""
    claimed = outbox.rows.filter(
        pk=row_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(
        status=DeliveryStatus.SENDING,
        locked_until=now + outbox.lock(),
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def outbox_claim_due(
    outbox: Outbox, *, now: datetime, limit: int, only: Q | None = None
) -> list[int]:
    """Claim up to ``limit`` due rows at once (pending and due -> sending, oldest first, the
    rows another worker holds skipped); their ids. Each row is claimed as ``outbox_claim``
    claims one, in one statement and one commit for the lot."""
    with transaction.atomic():
        ids = list(
            outbox.rows.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(only or Q())
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            outbox.rows.filter(pk__in=ids).update(
                status=DeliveryStatus.SENDING,
                locked_until=now + outbox.lock(),
                attempts=F("attempts") + 1,
            )
    return ids


def _this_attempt(outbox: Outbox, row_id: int, attempt: int) -> models.QuerySet[Any]:
    """The row, if it is still in the hands of this attempt."""
    return outbox.rows.filter(pk=row_id, status=DeliveryStatus.SENDING, attempts=attempt)


def outbox_retry_later(
    outbox: Outbox,
    row_id: int,
    *,
    attempt: int,
    error: str,
    now: datetime,
    wait: timedelta | None = None,
    **fields: Any,
) -> timedelta:
    """Put a failed attempt back to pending, due after ``wait`` (by default the schedule's)."""
    wait = wait if wait is not None else outbox.retry.wait(attempt)
    _this_attempt(outbox, row_id, attempt).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now + wait,
        last_error=error,
        locked_until=None,
        **fields,
    )
    return wait


def outbox_fail(outbox: Outbox, row_id: int, *, attempt: int, error: str, **fields: Any) -> bool:
    """Give a row up for good (the dead letter operators see and can send again)."""
    failed = _this_attempt(outbox, row_id, attempt).update(
        status=DeliveryStatus.FAILED, last_error=error, locked_until=None, **fields
    )
    return failed == 1


def outbox_sweep(
    outbox: Outbox,
    *,
    now: datetime | None = None,
    new_row_grace: timedelta | None = None,
    batch: int = 1000,
) -> int:
    """Send again what is due or was lost; how many sends were queued.

    ``new_row_grace=timedelta(0)`` sweeps brand-new rows at once (an operator who knows the
    broker was down when they were written, and the tests).
    """
    now = now or database_now()
    grace = outbox.new_row_grace if new_row_grace is None else new_row_grace
    with transaction.atomic():
        lost = outbox.rows.filter(status=DeliveryStatus.SENDING, locked_until__lt=now).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            locked_until=None,
            last_error=LOST_WORKER_ERROR,
        )
        if lost:
            logger.warning("%d %s lost their worker mid-send; sending again", lost, outbox.name)
        due = list(
            outbox.rows.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .filter(Q(attempts__gt=0) | Q(next_attempt_at__lte=now - grace))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:batch]
        )
        if due:
            outbox.rows.filter(pk__in=due).update(locked_until=now + outbox.requeue_after)
    return outbox_publish(outbox, due)

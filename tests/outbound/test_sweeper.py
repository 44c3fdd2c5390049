"""The sweeper: rows are the truth; it re-enqueues what is due or lost, into the real broker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.choices import DeliveryStatus
from moderation.models import OutboundDelivery
from moderation.outbound.callbacks import delivery_enqueue, delivery_send, delivery_sweep
from moderation.outbound.outbox import CALLBACKS
from tests.outbound.support import celery_broker, free_port

pytestmark = pytest.mark.django_db


def enqueue(platform):
    return delivery_enqueue(
        platform=platform, event_type="decision.recorded", data={"decision_id": 1}
    )


def test_a_new_row_is_left_to_the_commit_that_enqueued_it_then_swept(
    callback_platform, private_redis
):
    delivery = enqueue(callback_platform)
    now = timezone.now()

    assert delivery_sweep(now=now) == 0
    assert delivery_sweep(now=now + CALLBACKS.new_row_grace + timedelta(seconds=1)) == 1
    assert private_redis.queue_length("callbacks") == 1
    delivery.refresh_from_db()
    assert delivery.locked_until is not None  # marked: not enqueued again for a while


def test_a_swept_row_is_not_enqueued_again_until_requeue_after(callback_platform, private_redis):
    enqueue(callback_platform)
    later = timezone.now() + CALLBACKS.new_row_grace + timedelta(seconds=1)

    assert delivery_sweep(now=later) == 1
    assert delivery_sweep(now=later + timedelta(seconds=5)) == 0
    assert delivery_sweep(now=later + CALLBACKS.requeue_after + timedelta(seconds=1)) == 1
    assert private_redis.queue_length("callbacks") == 2


def test_a_due_retry_is_enqueued_at_once_and_a_future_one_is_not(callback_platform):
    due, future = enqueue(callback_platform), enqueue(callback_platform)
    now = timezone.now()
    OutboundDelivery.objects.filter(pk=due.pk).update(attempts=3, next_attempt_at=now)
    OutboundDelivery.objects.filter(pk=future.pk).update(
        attempts=3, next_attempt_at=now + timedelta(minutes=5)
    )
    assert delivery_sweep(now=now) == 1


def test_a_send_whose_worker_died_goes_back_to_pending_and_is_sent(
    callback_platform, platform, private_redis
):
    delivery = enqueue(callback_platform)
    now = timezone.now()
    OutboundDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, locked_until=now - timedelta(seconds=1)
    )

    assert delivery_sweep(now=now) == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "worker" in delivery.last_error
    assert private_redis.queue_length("callbacks") == 1
    assert delivery_send(delivery_id=delivery.pk) == "delivered"
    assert platform.webhook_ids() == [delivery.webhook_id]


def test_a_send_still_locked_is_left_alone(callback_platform):
    delivery = enqueue(callback_platform)
    now = timezone.now()
    OutboundDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, locked_until=now + timedelta(seconds=30)
    )
    assert delivery_sweep(now=now) == 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING


def test_with_the_broker_down_the_sweep_loses_nothing(callback_platform):
    delivery = enqueue(callback_platform)
    later = timezone.now() + CALLBACKS.new_row_grace + timedelta(seconds=1)

    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        assert delivery_sweep(now=later) == 0

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.locked_until is None  # the next sweep tries again at once
    assert delivery_sweep(now=later) == 1


def test_delivered_failed_and_paused_rows_are_never_swept(callback_platform):
    for status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.PAUSED):
        delivery = enqueue(callback_platform)
        OutboundDelivery.objects.filter(pk=delivery.pk).update(status=status, attempts=2)
    assert delivery_sweep(now=timezone.now() + timedelta(hours=1)) == 0

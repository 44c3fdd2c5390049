"""Callbacks sent in batches: a commit asks for one drain, the drain claims the due rows a batch
at a time and sends them side by side. Each row keeps its webhook-id, its claim and its retry
schedule; the platform is a real local HTTP server that checks signatures."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import close_old_connections, transaction

from moderation.choices import DeliveryStatus
from moderation.models import OutboundDelivery
from moderation.outbound.callbacks import (
    DRAIN_REQUESTED,
    deliveries_drain,
    delivery_enqueue,
    delivery_send,
)
from tests.factories import PlatformFactory
from tests.outbound.support import Reply

pytestmark = pytest.mark.django_db


def enqueue(platform, n):
    return [
        delivery_enqueue(
            platform=platform,
            event_type="decision.recorded",
            data={"decision_id": i, "case_id": i, "video_id": str(i)},
            subject=f"decision:{i}",
        )
        for i in range(1, n + 1)
    ]


def test_one_drain_sends_every_due_row_once_with_its_own_webhook_id(callback_platform, platform):
    rows = enqueue(callback_platform, 150)  # more than one batch
    assert deliveries_drain() == 150
    assert sorted(platform.webhook_ids()) == sorted(r.webhook_id for r in rows)
    assert all(r.signature_ok for r in platform.received)
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert set(OutboundDelivery.objects.values_list("attempts", flat=True)) == {1}
    # Nothing is due any more: a second drain sends nothing.
    assert deliveries_drain() == 0
    assert len(platform.received) == 150


def test_a_batch_records_each_outcome_by_the_row_s_own_rules(callback_platform, platform):
    platform.answer(Reply(500), Reply(429, headers={"Retry-After": "120"}))
    rows = enqueue(callback_platform, 4)
    assert deliveries_drain() == 4
    by_status: dict[str, int] = {}
    for row in OutboundDelivery.objects.all():
        by_status[row.status] = by_status.get(row.status, 0) + 1
    assert by_status == {"delivered": 2, "pending": 2}
    waiting = OutboundDelivery.objects.filter(status=DeliveryStatus.PENDING)
    assert {w.last_status_code for w in waiting} == {500, 429}
    assert all(w.attempts == 1 for w in waiting)
    # Retries keep the webhook-id of their row.
    retried = {w.webhook_id for w in waiting}
    assert retried <= {r.webhook_id for r in rows}


def test_rows_of_a_platform_whose_callbacks_are_off_are_paused_not_sent(tiktok, platform):
    tiktok.callback_url = platform.url
    tiktok.callback_enabled = False
    tiktok.save(update_fields=["callback_url", "callback_enabled"])
    enqueue(tiktok, 3)
    assert deliveries_drain() == 0
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"paused"}
    assert platform.received == []


@pytest.mark.django_db(transaction=True)
def test_two_drains_at_once_send_each_row_once(callback_platform, platform):
    rows = enqueue(callback_platform, 120)
    counts: list[int] = []

    def drain() -> None:
        try:
            counts.append(deliveries_drain(batch=16))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 120
    assert sorted(platform.webhook_ids()) == sorted(r.webhook_id for r in rows)
    # A late single-row message for a row the drain sent finds it delivered.
    assert delivery_send(delivery_id=rows[0].pk) == "skipped (delivered)"


@pytest.mark.django_db(transaction=True)
def test_many_commits_ask_for_one_drain(callback_platform, private_redis):
    cache.delete(DRAIN_REQUESTED)
    with transaction.atomic():
        enqueue(callback_platform, 5)
    enqueue(PlatformFactory(callback_url=callback_platform.callback_url), 3)
    assert private_redis.queue_length("callbacks") == 1
    assert cache.get(DRAIN_REQUESTED) == 1


def test_a_platform_that_answers_nothing_costs_one_timeout_per_batch(
    callback_platform, platform, settings
):
    """Once a batch is slow, the rest of it goes out side by side, so a silent platform holds a
    drain for about two callback timeouts per batch, not one per row: a drain stays within its
    task's time limit."""
    settings.SARING = {**settings.SARING, "CALLBACK_TIMEOUT_SECONDS": 1}
    platform.answer(*[Reply(200, delay=5) for _ in range(64)])
    enqueue(callback_platform, 64)  # two batches
    started = time.monotonic()
    assert deliveries_drain() == 64
    elapsed = time.monotonic() - started
    # Two batches of about two timeouts each (1 s); one by one it would take 64 timeouts, and
    # eight at a time 8.
    assert elapsed < 7, elapsed
    waiting = OutboundDelivery.objects.filter(status=DeliveryStatus.PENDING)
    assert waiting.count() == 64
    assert all("no answer within" in w.last_error for w in waiting)

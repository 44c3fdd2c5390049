"""Fault tests with real processes: a redis-server of our own that we stop and start, Celery
worker subprocesses that we SIGKILL, and a platform that checks signatures and misbehaves.

The workers use the test database (committed data: transactional tests) and the private
Redis; this process publishes to the same Redis (``celery_broker``).
"""

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.choices import Action, DeliveryStatus, Ground, NotificationKind, Reason
from moderation.models import Decision, Notification, OutboundDelivery, Platform
from moderation.outbound.callbacks import delivery_sweep
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from tests.factories import CaseFactory, VideoFactory
from tests.outbound.support import (
    PrivateRedis,
    RecordingPlatform,
    Reply,
    celery_broker,
)
from tests.workers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The workers here lock a claimed row for 5 s (not 90 s) and wait 2 s for the platform, so a
# killed worker's delivery comes back within seconds.
FAST_WORKER_ENV = {"CALLBACK_LOCK_SECONDS": "5", "CALLBACK_TIMEOUT_SECONDS": "2"}


@pytest.fixture
def redis_server(settings) -> Iterator[PrivateRedis]:
    """This test's own Redis, broker and cache at once (as in production)."""
    server = PrivateRedis()
    server.start()
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": server.url},
    }
    with celery_broker(server.url):
        yield server
    server.close()


def decide(platform: Platform, moderator) -> Decision:
    case = case_claim(case=CaseFactory(video=VideoFactory(platform=platform)), user=moderator)
    return decision_record(
        case=case,
        user=moderator,
        version=case.version,
        action=Action.NO_ACTION,
        ground=Ground.COMMUNITY_GUIDELINES,
        category=Reason.HOAX,
        statement_of_reasons="Tidak melanggar pedoman komunitas.",
    )


def delivery_of(decision: Decision) -> OutboundDelivery:
    return OutboundDelivery.objects.get(subject=f"decision:{decision.pk}")


def status_of(delivery: OutboundDelivery) -> str:
    delivery.refresh_from_db()
    return delivery.status


def sweep_until(condition, *, timeout: float) -> bool:
    """Run the sweeper (as beat would, every half second) until ``condition()`` holds."""

    def done() -> bool:
        if condition():
            return True
        delivery_sweep(new_row_grace=timedelta(0))
        return False

    return wait_until(done, timeout=timeout, interval=0.5)


def sweep_until_delivered(delivery: OutboundDelivery, *, timeout: float) -> bool:
    return sweep_until(lambda: status_of(delivery) == DeliveryStatus.DELIVERED, timeout=timeout)


def test_redis_down_when_the_decision_commits(
    callback_platform, moderator, platform: RecordingPlatform, redis_server, celery_worker
):
    worker = celery_worker(broker_url=redis_server.url, name="w-redis", env=FAST_WORKER_ENV)
    redis_server.stop()

    decision = decide(callback_platform, moderator)

    # The decision committed although the broker was gone; its callback waits as a row.
    assert Decision.objects.filter(pk=decision.pk).exists()
    delivery = delivery_of(decision)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)

    redis_server.start()  # empty: the message the commit tried to publish never existed
    assert delivery_sweep(new_row_grace=timedelta(0)) == 1

    assert wait_until(lambda: platform.received, timeout=90), worker.output()[-3000:]
    assert wait_until(lambda: status_of(delivery) == DeliveryStatus.DELIVERED, timeout=10)
    [received] = platform.received
    assert received.signature_ok
    assert received.webhook_id == delivery.webhook_id
    assert received.json["data"]["decision_id"] == decision.pk


def test_a_worker_killed_mid_delivery_costs_at_most_a_repeat_of_the_same_webhook_id(
    callback_platform, moderator, platform: RecordingPlatform, redis_server, celery_worker
):
    hanging = threading.Event()
    platform.answer(Reply(200, hold=hanging, delay=120))  # the first answer never comes in time
    first = celery_worker(broker_url=redis_server.url, name="w-first", env=FAST_WORKER_ENV)

    decision = decide(callback_platform, moderator)
    delivery = delivery_of(decision)
    assert wait_until(lambda: platform.received, timeout=30), first.output()[-3000:]
    assert status_of(delivery) == DeliveryStatus.SENDING

    first.kill()  # SIGKILL, main process and pool child at once
    second = celery_worker(broker_url=redis_server.url, name="w-second", env=FAST_WORKER_ENV)

    assert sweep_until_delivered(delivery, timeout=60), second.output()[-3000:]
    hanging.set()
    ids = platform.webhook_ids()
    assert set(ids) == {delivery.webhook_id}
    assert len(ids) == 2  # the lost attempt and the one that completed
    assert all(r.signature_ok for r in platform.received)
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_a_failing_platform_through_a_real_worker(
    callback_platform,
    moderator,
    platform_admin,
    platform: RecordingPlatform,
    redis_server,
    celery_worker,
):
    celery_worker(broker_url=redis_server.url, name="w-fail", env=FAST_WORKER_ENV)
    platform.answer(
        Reply(500),
        Reply(429, headers={"Retry-After": "3"}),
        Reply(200, delay=4),  # no answer within the worker's 2 s timeout
        Reply(200),
    )
    delivery = delivery_of(decide(callback_platform, moderator))

    def attempts_done(n: int) -> bool:
        delivery.refresh_from_db()
        return delivery.attempts == n and delivery.status == DeliveryStatus.PENDING

    # 500: exponential backoff, first wait 15 s (+ jitter). Move the clock instead of waiting.
    assert wait_until(lambda: attempts_done(1), timeout=30)
    assert delivery.last_status_code == 500
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=10) < wait <= timedelta(seconds=20)
    OutboundDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    delivery_sweep()

    # 429 with Retry-After: 3: honoured, the sweeper sends it once that is due.
    assert wait_until(lambda: attempts_done(2), timeout=30)
    assert delivery.last_status_code == 429
    assert delivery.next_attempt_at - timezone.now() <= timedelta(seconds=3)

    # No answer within the timeout: backoff again.
    assert sweep_until(lambda: attempts_done(3), timeout=30)
    assert delivery.last_error == "no answer within 2 s"
    OutboundDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert sweep_until_delivered(delivery, timeout=30)

    assert platform.webhook_ids() == [delivery.webhook_id] * 4
    assert all(r.signature_ok for r in platform.received)

    # 410: the callback URL goes off, the administrators hear of it, nothing more is sent.
    platform.answer(Reply(410))
    gone = delivery_of(decide(callback_platform, moderator))
    assert wait_until(lambda: status_of(gone) == DeliveryStatus.PAUSED, timeout=30)
    callback_platform.refresh_from_db()
    assert not callback_platform.callback_enabled
    assert Notification.objects.filter(
        kind=NotificationKind.CALLBACK_DISABLED, recipient=platform_admin
    ).exists()
    later = delivery_of(decide(callback_platform, moderator))
    delivery_sweep(new_row_grace=timedelta(0))
    assert wait_until(lambda: status_of(later) == DeliveryStatus.PAUSED, timeout=30)
    assert len(platform.received) == 5

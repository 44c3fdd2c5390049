"""One attempt against a real local platform: 2xx, 500, timeouts, 429/503, 410, exhaustion,
and the claim that keeps two workers from sending one delivery at once."""

import itertools
import threading
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.db import connection
from django.utils import timezone

from moderation.choices import AuditAction, DeliveryStatus, NotificationKind, Role
from moderation.models import AuditEvent, Notification, OutboundDelivery
from moderation.outbound import callbacks as sender
from moderation.outbound.callbacks import delivery_enqueue, delivery_send
from moderation.outbound.outbox import CALLBACKS, outbox_claim
from moderation.outbound.retry import CALLBACK_RETRY
from tests.factories import PlatformFactory, UserFactory
from tests.outbound.support import Reply

pytestmark = pytest.mark.django_db


def enqueue(platform, n=1):
    return [
        delivery_enqueue(
            platform=platform,
            event_type="decision.recorded",
            data={"decision_id": i, "case_id": i, "video_id": str(i)},
            subject=f"decision:{i}",
        )
        for i in range(1, n + 1)
    ]


def make_due(delivery):
    OutboundDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_2xx_is_delivered_and_never_sent_again(callback_platform, platform):
    [delivery] = enqueue(callback_platform)
    platform.answer(Reply(204))

    assert delivery_send(delivery_id=delivery.pk) == "delivered"
    assert delivery_send(delivery_id=delivery.pk) == "skipped (delivered)"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.delivered_at is not None
    assert (delivery.attempts, delivery.last_status_code, delivery.locked_until) == (1, 204, None)
    assert len(platform.received) == 1


def test_500_is_retried_with_backoff_and_the_same_webhook_id(callback_platform, platform):
    [delivery] = enqueue(callback_platform)
    platform.answer(Reply(500), Reply(200))
    before = timezone.now()

    assert delivery_send(delivery_id=delivery.pk) == "retry"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code == 500
    assert delivery.last_error.startswith("HTTP 500")
    wait = delivery.next_attempt_at - before
    first = CALLBACK_RETRY.first_wait
    assert first <= wait <= first * (1 + CALLBACK_RETRY.jitter) + timedelta(seconds=2)
    # Not due yet: a duplicate message sends nothing.
    assert delivery_send(delivery_id=delivery.pk).startswith("skipped")

    make_due(delivery)
    assert delivery_send(delivery_id=delivery.pk) == "delivered"

    first, second = platform.received
    assert first.webhook_id == second.webhook_id == delivery.webhook_id
    assert first.body == second.body
    assert first.signature_ok
    assert second.signature_ok


def test_the_backoff_grows_exponentially_up_to_an_hour():
    waits = [CALLBACK_RETRY.base_wait(n) for n in range(1, 12)]
    assert waits[:4] == [timedelta(seconds=s) for s in (15, 30, 60, 120)]
    assert waits[-1] == timedelta(hours=1)
    assert all(a <= b for a, b in itertools.pairwise(waits))
    jittered = [CALLBACK_RETRY.wait(3).total_seconds() for _ in range(50)]
    assert min(jittered) >= 60
    assert max(jittered) <= 60 * (1 + CALLBACK_RETRY.jitter)
    assert len(set(jittered)) > 1


def test_no_answer_within_the_timeout_is_retried(callback_platform, platform, settings):
    settings.SARING = {**settings.SARING, "CALLBACK_TIMEOUT_SECONDS": 1}
    [delivery] = enqueue(callback_platform)
    platform.answer(Reply(200, delay=3))

    assert delivery_send(delivery_id=delivery.pk) == "retry"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error == "no answer within 1 s"


def test_a_refused_connection_is_retried(callback_platform):
    callback_platform.callback_url = "http://127.0.0.1:9/kpu/callbacks"
    callback_platform.save(update_fields=["callback_url"])
    [delivery] = enqueue(callback_platform)

    assert delivery_send(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("ConnectError")


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds_is_honoured(callback_platform, platform, status):
    [delivery] = enqueue(callback_platform)
    platform.answer(Reply(status, headers={"Retry-After": "120"}))
    before = timezone.now()

    assert delivery_send(delivery_id=delivery.pk) == "retry"

    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 119 <= wait <= 122
    assert delivery.last_status_code == status


def test_retry_after_as_an_http_date_is_honoured(callback_platform, platform):
    [delivery] = enqueue(callback_platform)
    when = timezone.now() + timedelta(minutes=10)
    platform.answer(Reply(503, headers={"Retry-After": format_datetime(when, usegmt=True)}))

    delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert abs((delivery.next_attempt_at - when).total_seconds()) <= 2


def test_429_without_retry_after_falls_back_to_backoff(callback_platform, platform):
    [delivery] = enqueue(callback_platform)
    platform.answer(Reply(429))
    before = timezone.now()
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - before >= CALLBACK_RETRY.first_wait


def test_410_disables_the_callback_pauses_deliveries_and_alerts_administrators(
    callback_platform, platform, platform_admin, supervisor
):
    gone, waiting = enqueue(callback_platform, n=2)
    other = PlatformFactory(slug="metube", name="MeTube", callback_url=platform.url)
    [elsewhere] = enqueue(other)
    platform.answer(Reply(410))

    assert delivery_send(delivery_id=gone.pk) == "gone"

    callback_platform.refresh_from_db()
    assert callback_platform.callback_enabled is False
    assert "410" in callback_platform.callback_disabled_reason
    gone.refresh_from_db()
    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (gone.status, gone.last_status_code) == (DeliveryStatus.PAUSED, 410)
    assert waiting.status == DeliveryStatus.PAUSED
    assert elsewhere.status == DeliveryStatus.PENDING
    audit = AuditEvent.objects.get(action=AuditAction.PLATFORM_CALLBACK_DISABLE)
    assert audit.actor is None
    assert audit.object_id == str(callback_platform.pk)
    alert = Notification.objects.get(kind=NotificationKind.CALLBACK_DISABLED)
    assert alert.recipient == platform_admin
    assert alert.platform == callback_platform
    # Nothing more reaches the platform while the callback is off.
    assert delivery_send(delivery_id=waiting.pk) == "skipped (paused)"
    assert len(platform.received) == 1


def test_a_second_410_alerts_nobody_again(callback_platform, platform_admin):
    first, second = enqueue(callback_platform, n=2)
    now = timezone.now()
    # Both were in flight when the platform started answering 410.
    assert outbox_claim(CALLBACKS, first.pk, now)
    assert outbox_claim(CALLBACKS, second.pk, now)
    gone = sender.Answer(410, "HTTP 410: gone")
    for delivery in (first, second):
        delivery.refresh_from_db()
        assert sender._record(delivery=delivery, attempt=1, answer=gone) == "gone"

    assert Notification.objects.filter(kind=NotificationKind.CALLBACK_DISABLED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.PLATFORM_CALLBACK_DISABLE).count() == 1
    assert set(OutboundDelivery.objects.values_list("status", flat=True)) == {"paused"}


def test_a_delivery_fails_for_good_only_after_24_hours_of_the_whole_schedule(
    callback_platform, platform, platform_admin
):
    young, old = enqueue(callback_platform, n=2)
    now = timezone.now()
    OutboundDelivery.objects.filter(pk=young.pk).update(
        attempts=CALLBACK_RETRY.min_attempts + 5, created_at=now - timedelta(hours=23)
    )
    OutboundDelivery.objects.filter(pk=old.pk).update(
        attempts=CALLBACK_RETRY.min_attempts - 1, created_at=now - timedelta(hours=25)
    )
    platform.answer(Reply(500), Reply(500))

    assert delivery_send(delivery_id=young.pk) == "retry"
    assert delivery_send(delivery_id=old.pk) == "failed"

    old.refresh_from_db()
    assert old.status == DeliveryStatus.FAILED
    assert old.attempts == CALLBACK_RETRY.min_attempts
    assert old.last_error.startswith("HTTP 500")
    alert = Notification.objects.get(kind=NotificationKind.DELIVERY_FAILED)
    assert alert.recipient == platform_admin
    assert "decision:2" in alert.body


def test_the_schedule_spans_at_least_24_hours_before_giving_up():
    table = CALLBACK_RETRY.table()
    assert table[-1][0] == CALLBACK_RETRY.min_attempts
    assert table[-1][2] >= timedelta(hours=24)
    assert table[-2][2] < timedelta(hours=24)


def test_a_disabled_platform_pauses_instead_of_sending(callback_platform, platform):
    [delivery] = enqueue(callback_platform)
    callback_platform.callback_enabled = False
    callback_platform.save(update_fields=["callback_enabled"])

    assert delivery_send(delivery_id=delivery.pk) == "paused"
    assert platform.received == []


def test_a_missing_row_is_nothing_to_do():
    assert delivery_send(delivery_id=987654321) == "missing"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_delivery_once(callback_platform, platform):
    UserFactory(username="admin-x", roles=[Role.ADMINISTRATOR])
    [delivery] = enqueue(callback_platform)
    platform.answer(Reply(200, delay=1))
    results: list[str] = []
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        try:
            results.append(delivery_send(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results).count("delivered") == 1
    assert len(platform.received) == 1


def test_a_malformed_callback_secret_is_an_error_not_a_stuck_row(callback_platform, platform):
    callback_platform.callback_secret = "whsec_not base64!"
    callback_platform.save(update_fields=["callback_secret"])
    [delivery] = enqueue(callback_platform)

    assert delivery_send(delivery_id=delivery.pk) == "retry"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("cannot sign")
    assert platform.received == []

"""A worker whose clock is wrong (found by the shift, bench/shift: one worker 5 minutes ahead
under libfaketime). It must neither schedule a retry nor hold a claim by its own clock, nor
sign a callback with a timestamp the platform rejects: the outbox goes by PostgreSQL's clock.

The skew is real: the send runs in a subprocess with libfaketime preloaded (Debian's faketime
package), against the test database and a real local platform."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection

from moderation.choices import DeliveryStatus
from moderation.models import OutboundDelivery, database_now
from moderation.outbound.callbacks import delivery_enqueue
from moderation.outbound.retry import CALLBACK_RETRY
from tests.outbound.support import Reply

FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
ROOT = Path(__file__).resolve().parents[2]
SKEW = timedelta(minutes=5)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(FAKETIME).exists(), reason="libfaketime is not installed"),
]


def send_with_skewed_clock(delivery_id: int, *extra: str) -> str:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "pemilu.settings",
        "PYTHONPATH": str(ROOT),
        "LD_PRELOAD": FAKETIME,
        "FAKETIME": f"+{int(SKEW.total_seconds())}s",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }
    code = (
        "import django; django.setup()\n"
        "from moderation.outbound.callbacks import delivery_send\n"
        f"print(delivery_send(delivery_id={delivery_id}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_worker_ahead_schedules_the_retry_by_the_database_clock(callback_platform, platform):
    delivery = delivery_enqueue(
        platform=callback_platform,
        event_type="decision.recorded",
        data={"decision_id": 1, "case_id": 1, "video_id": "1"},
        subject="decision:1",
    )
    platform.answer(Reply(500))

    assert send_with_skewed_clock(delivery.pk) == "retry"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    # Due after the schedule's first wait (15 s plus jitter) by the database's clock, not five
    # minutes later because the worker's clock runs ahead.
    wait = delivery.next_attempt_at - database_now()
    assert wait <= CALLBACK_RETRY.wait(1) * 1.5, wait
    assert wait < SKEW
    # And the platform can verify the signature: its timestamp is the true time.
    [received] = platform.received
    assert abs(int(received.headers["webhook-timestamp"]) - time.time()) < 60
    assert received.signature_ok


def test_a_worker_ahead_does_not_take_rows_before_they_are_due(callback_platform, platform):
    delivery = delivery_enqueue(
        platform=callback_platform,
        event_type="decision.recorded",
        data={"decision_id": 2, "case_id": 2, "video_id": "2"},
        subject="decision:2",
    )
    # A retry due in two minutes (a 429's Retry-After, say): not yet, whatever the worker's
    # clock says.
    OutboundDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=database_now() + timedelta(minutes=2)
    )

    assert send_with_skewed_clock(delivery.pk).startswith("skipped")
    assert platform.received == []

"""Exactly one beat sends the periodic tasks: the schedule and its lock live in Redis
(celery-redbeat). A second beat says it waits, and takes over when the first is gone; a beat
whose store was wiped stops instead of idling. Real beats, real Redis (a private server)."""

from collections.abc import Iterator

import pytest

from tests.outbound.support import PrivateRedis, wait_until
from tests.oversight.support import Beat

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LOCK_SECONDS = 30  # redbeat_lock_timeout in pemilu/celery.py


@pytest.fixture
def beats(job_records: PrivateRedis) -> Iterator[list[Beat]]:
    started: list[Beat] = []
    yield started
    for beat in started:
        beat.stop()


def test_a_second_beat_waits_and_takes_over_when_the_first_is_killed(job_records, beats):
    first = Beat(broker_url=job_records.url, name="beat-a").start()
    beats.append(first)
    second = Beat(broker_url=job_records.url, name="beat-b").start(wait_for_lock=False)
    beats.append(second)
    assert wait_until(lambda: "another beat holds the lock" in second.output(), timeout=60), (
        second.output()[-2000:]
    )
    assert wait_until(lambda: first.sent("delivery-sweep") >= 2, timeout=30)
    assert second.sent("delivery-sweep") == 0
    assert not second.holds_lock()

    first.kill()  # SIGKILL: no chance to release the lock
    assert wait_until(second.holds_lock, timeout=LOCK_SECONDS + 15), second.output()[-2000:]
    assert wait_until(lambda: second.sent("delivery-sweep") >= 1, timeout=15)
    assert second.returncode() is None


def test_a_beat_whose_store_is_wiped_stops_loudly_instead_of_idling(job_records, beats):
    beat = Beat(broker_url=job_records.url, name="beat-wiped").start()
    beats.append(beat)
    job_records.flush()  # the schedule and the lock are gone
    assert wait_until(lambda: beat.returncode() is not None, timeout=30), beat.output()[-2000:]
    assert beat.returncode() != 0
    assert "beat raised exception" in beat.output()


def test_a_beat_that_loses_redis_exits_with_an_error(job_records, beats):
    """Redis down is the broker down: beat cannot send anyway, and with its lock unverifiable
    it exits (compose restarts it; make run stops and says so) rather than send twice."""
    beat = Beat(broker_url=job_records.url, name="beat-outage").start()
    beats.append(beat)
    job_records.stop()
    try:
        assert wait_until(lambda: beat.returncode() is not None, timeout=30), beat.output()[-2000:]
    finally:
        job_records.start()
    assert beat.returncode() != 0
    assert "beat raised exception" in beat.output()
    assert "ConnectionError" in beat.output()

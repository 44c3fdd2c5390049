"""When the outside world fails: PostgreSQL down (503), Redis down (stored, processed later by
the sweep), processing that fails on a database error (kept, retried).

Failures are real: a connection to a port where nothing listens, a lock held by another
session so that ``lock_timeout`` fires. Only the outside world is redirected, never our code."""

from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from moderation.choices import CaseStatus, RawEventStatus
from moderation.intake.receive import PROCESSING_REQUESTED
from moderation.intake.storage import ingest_lock_key
from moderation.models import Case, Flag, RawEvent
from moderation.tasks import raw_events_drain as raw_events_drain_task
from tests.factories import DecisionFactory
from tests.intake.helpers import deliver, fixture, flag_event, process

CLOSED_PORT = "1"  # nothing listens on 127.0.0.1:1


@pytest.mark.django_db(transaction=True)
def test_database_down_is_503_with_retry_after(client, secret):
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = CLOSED_PORT
    try:
        response = deliver(client, secret, flag_event())
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert {"type", "title", "detail"} <= set(body)
    assert not RawEvent.objects.exists()
    # Once the database is back, the platform's retry goes through.
    assert deliver(client, secret, flag_event()).status_code == 202


@pytest.fixture
def redis_down(settings):
    """The cache (Redis) points at a closed port for the duration of the test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def broker_down():
    """Celery's broker (Redis) unreachable: new connections go to a closed port."""
    from pemilu.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_deliveries_are_accepted_and_processed_by_the_sweep(
    client, secret, redis_down, broker_down, caplog
):
    response = deliver(client, secret, flag_event(video_id="7399"))

    assert response.status_code == 202
    assert "could not queue raw event processing" in caplog.text
    raw = RawEvent.objects.get()
    assert raw.status == RawEventStatus.RECEIVED
    # Beat's sweep runs the same task once Redis is back; processing itself needs no Redis
    # (tuning values come from the database when the cache is down).
    assert raw_events_drain_task() == 1
    raw.refresh_from_db()
    assert raw.status == RawEventStatus.PROCESSED
    assert Case.objects.get().priority > 0


@contextmanager
def locked_elsewhere(key: int):
    """Another session holds an ingest lock, and this session gives up waiting for a lock
    after 300 ms (processing by its own INGEST_LOCK_TIMEOUT, a request by the session's
    lock_timeout): it fails with a real database error."""
    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    )
    holder.execute("SELECT pg_advisory_lock(%s)", [key])
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    quick = override_settings(SARING={**settings.SARING, "INGEST_LOCK_TIMEOUT": "300ms"})
    try:
        with quick:
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        holder.close()


@pytest.mark.django_db(transaction=True)
def test_a_processing_failure_keeps_the_event_for_the_next_run(client, secret, tiktok):
    event = flag_event(video_id="7399")
    assert deliver(client, secret, event, webhook_id="msg_locked").status_code == 202
    raw = RawEvent.objects.get()

    with locked_elsewhere(ingest_lock_key("video", tiktok.pk, "7399")):
        assert process() == 1
        raw.refresh_from_db()
        assert raw.status == RawEventStatus.RECEIVED
        assert raw.attempts == 1
        assert "OperationalError" in raw.last_error
        assert not Flag.objects.exists()
        # The platform retrying meanwhile gets a duplicate, not a second event.
        assert deliver(client, secret, event, webhook_id="msg_locked").status_code == 200

    assert process() == 1
    raw.refresh_from_db()
    assert raw.status == RawEventStatus.PROCESSED
    assert raw.attempts == 2
    assert Flag.objects.get().raw_event == raw
    # Idempotent: nothing left for a second run.
    assert process() == 0
    assert Flag.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_is_processed_one_by_one_and_only_the_stuck_event_waits(
    client, secret, tiktok
):
    """Flags on three videos are processed as one batch; one video's lock is held elsewhere, so
    the batch fails on a lock timeout and rolls back. Its events are then processed one by one:
    the other two go through, the stuck one is kept for the next run."""
    for video_id in ("7401", "7402", "7403"):
        assert deliver(client, secret, flag_event(video_id=video_id)).status_code == 202

    with locked_elsewhere(ingest_lock_key("video", tiktok.pk, "7402")):
        assert process() == 3

    statuses = dict(RawEvent.objects.values_list("body", "status"))
    stuck = [body for body, status in statuses.items() if status == RawEventStatus.RECEIVED]
    assert len(stuck) == 1
    assert "7402" in stuck[0]
    assert sorted(Case.objects.values_list("video__platform_video_id", flat=True)) == [
        "7401",
        "7403",
    ]
    assert process() == 1
    assert Case.objects.count() == 3
    assert not RawEvent.objects.exclude(status=RawEventStatus.PROCESSED).exists()


@pytest.mark.django_db(transaction=True)
def test_an_appeal_that_fails_in_the_request_is_kept_and_processed_later(client, secret, tiktok):
    decision = DecisionFactory(case__video__platform=tiktok)
    event = fixture("appeal.created")
    event["data"]["decision_id"] = decision.pk

    with locked_elsewhere(ingest_lock_key("appeal", tiktok.pk, decision.pk)):
        response = deliver(client, secret, event)

    assert response.status_code == 202
    raw = RawEvent.objects.get()
    assert raw.status == RawEventStatus.RECEIVED
    assert Case.objects.get().status == CaseStatus.DECIDED
    assert process() == 1
    assert Case.objects.get().status == CaseStatus.APPEALED


@pytest.mark.django_db
def test_deliveries_request_one_processing_run_until_it_starts(client, secret):
    from moderation.intake.receive import raw_events_drain

    cache.delete(PROCESSING_REQUESTED)
    deliver(client, secret, flag_event())
    assert cache.get(PROCESSING_REQUESTED) == 1
    deliver(client, secret, flag_event())  # coalesced: the flag is already up
    assert raw_events_drain() == 2
    assert cache.get(PROCESSING_REQUESTED) is None


@pytest.mark.django_db(transaction=True)
def test_processing_gives_up_on_a_lock_held_too_long_by_its_own_timeout(
    client, secret, tiktok, settings
):
    """No session lock_timeout here: only processing's own (INGEST_LOCK_TIMEOUT) stops it from
    waiting for ever on a transaction stuck holding a video's ingest lock."""
    settings.SARING = {**settings.SARING, "INGEST_LOCK_TIMEOUT": "200ms"}
    assert deliver(client, secret, flag_event(video_id="7601")).status_code == 202
    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    )
    holder.execute("SELECT pg_advisory_lock(%s)", [ingest_lock_key("video", tiktok.pk, "7601")])
    try:
        assert process() == 1
    finally:
        holder.close()
    raw = RawEvent.objects.get()
    assert raw.status == RawEventStatus.RECEIVED
    assert "lock timeout" in raw.last_error
    assert process() == 1
    assert Case.objects.get().flag_count == 1

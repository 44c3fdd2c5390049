"""When the outside world fails: PostgreSQL down (503), Redis down (still processed), and
processing that fails after the delivery was verified (stored, retried, swept).

Failures are real: a connection to a port where nothing listens, a lock held by another
session so that ``lock_timeout`` fires. Only the outside world is redirected, never our code."""

from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection

from moderation.choices import RawEventStatus
from moderation.models import Case, Flag, RawEvent
from moderation.services.ingest import ingest_lock_key, raw_events_sweep
from moderation.tasks import raw_event_retry
from tests.webhooks.helpers import deliver, flag_event

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


@pytest.mark.django_db
def test_redis_down_does_not_stop_ingest(client, secret, redis_down):
    response = deliver(client, secret, flag_event())
    assert response.status_code == 202
    assert RawEvent.objects.get().status == RawEventStatus.PROCESSED
    assert Case.objects.get().priority > 0


@contextmanager
def video_locked_elsewhere(platform, video_id: str = "7399"):
    """Another session holds the ingest lock of the video, and this session gives up waiting
    for a lock after 300 ms: processing fails with a real database error."""
    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    )
    holder.execute("SELECT pg_advisory_lock(%s)", [ingest_lock_key("video", platform.pk, video_id)])
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        holder.close()


@pytest.mark.django_db(transaction=True)
def test_processing_failure_still_stores_the_delivery_for_retry(client, secret, tiktok):
    event = flag_event(video_id="7399")
    with video_locked_elsewhere(tiktok):
        response = deliver(client, secret, event, webhook_id="msg_locked")

        assert response.status_code == 202  # stored: the platform must not retry
        assert response.json() == {"status": "accepted", "webhook_id": "msg_locked"}
        raw = RawEvent.objects.get()
        assert raw.status == RawEventStatus.RECEIVED
        assert raw.attempts == 1
        assert "OperationalError" in raw.last_error
        assert not Flag.objects.exists()

        # A retry of the same delivery while it waits is a duplicate, not a second event.
        again = deliver(client, secret, event, webhook_id="msg_locked")
        assert again.status_code == 200
        assert again.json()["status"] == "duplicate"

        # Still locked elsewhere: the sweep tries, fails, keeps it for the next round.
        assert raw_events_sweep() == 1
        raw.refresh_from_db()
        assert raw.status == RawEventStatus.RECEIVED
        assert raw.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_the_sweep_processes_a_stored_delivery_once(client, secret, tiktok):
    with video_locked_elsewhere(tiktok):
        assert deliver(client, secret, flag_event(video_id="7399")).status_code == 202
    raw = RawEvent.objects.get()
    assert raw.status == RawEventStatus.RECEIVED

    assert raw_events_sweep() == 1
    raw.refresh_from_db()
    assert raw.status == RawEventStatus.PROCESSED
    flag = Flag.objects.get()
    assert flag.raw_event == raw
    assert Case.objects.get().flag_count == 1
    # Idempotent: the task (or a second sweep) finds nothing left to do.
    assert raw_event_retry(raw.pk) is None
    assert raw_events_sweep() == 0
    assert Flag.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_retry_task_processes_a_stored_delivery(client, secret, tiktok):
    with video_locked_elsewhere(tiktok):
        deliver(client, secret, flag_event(video_id="7399"))
    raw = RawEvent.objects.get()
    assert raw_event_retry(raw.pk) == RawEventStatus.PROCESSED
    assert Flag.objects.get().raw_event_id == raw.pk


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
def test_with_redis_down_a_failed_delivery_is_still_accepted_and_swept_later(
    client, secret, tiktok, redis_down, broker_down, caplog
):
    with video_locked_elsewhere(tiktok):
        response = deliver(client, secret, flag_event(video_id="7399"))

    assert "broker unavailable" in caplog.text
    assert response.status_code == 202
    raw = RawEvent.objects.get()
    assert raw.status == RawEventStatus.RECEIVED
    # Redis is back (or not: the sweep needs only PostgreSQL) and beat runs the sweep.
    assert raw_events_sweep() == 1
    raw.refresh_from_db()
    assert raw.status == RawEventStatus.PROCESSED
    assert Case.objects.get().flag_count == 1

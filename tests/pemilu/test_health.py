from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from pemilu.celery import app
from tests.oversight.support import record_beat_start, record_run

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_and_redis(client, job_records):
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"] == "ok"


def test_readyz_is_ok_when_every_periodic_job_ran_on_time(client, job_records):
    now = timezone.now()
    record_beat_start(now - timedelta(hours=2))
    for name in app.conf.beat_schedule:
        record_run(name, started_at=now - timedelta(seconds=5))
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "redis": "ok", "periodic_jobs": "ok"}
    assert [job["name"] for job in body["periodic_jobs"]] == list(app.conf.beat_schedule)
    sweep = body["periodic_jobs"][2]
    assert sweep["name"] == "delivery-sweep"
    assert sweep["schedule"] == "every 10s"
    assert sweep["status"] == "ok"
    assert sweep["last_outcome"] == "succeeded"
    assert sweep["last_duration_ms"] == 20
    assert sweep["last_started_at"] == (now - timedelta(seconds=5)).astimezone(UTC).isoformat()
    digest = next(j for j in body["periodic_jobs"] if j["name"] == "notification-digest-send")
    assert digest["schedule"] == "cron 0 8 * * * (Asia/Jakarta)"


def test_readyz_names_an_overdue_job_but_keeps_serving(client, job_records):
    """An overdue job is the scheduler's or the worker's trouble, not this web server's: 200,
    status degraded, and the job named."""
    now = timezone.now()
    record_beat_start(now - timedelta(hours=2))
    for name in app.conf.beat_schedule:
        record_run(name, started_at=now - timedelta(seconds=5))
    record_run("delivery-sweep", started_at=now - timedelta(minutes=3))
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["periodic_jobs"] == "overdue: delivery-sweep"
    sweep = next(j for j in body["periodic_jobs"] if j["name"] == "delivery-sweep")
    assert sweep["status"] == "overdue"
    assert sweep["due_by"] < now.astimezone(UTC).isoformat()


def test_readyz_says_so_when_no_beat_ever_ran(client, job_records):
    body = client.get("/readyz").json()
    assert body["status"] == "degraded"
    assert body["beat_started_at"] is None
    assert body["checks"]["periodic_jobs"].startswith("overdue: case-leases-expire, ")
    assert {job["status"] for job in body["periodic_jobs"]} == {"overdue"}


def test_readyz_is_503_with_a_reason_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"].startswith("unavailable")
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["periodic_jobs"].startswith("unknown")
    assert body["periodic_jobs"] == []


def test_readyz_is_503_when_the_database_is_down(client, settings):
    from django.db import connections

    conn = connections["default"]
    saved = dict(conn.settings_dict)
    conn.close()
    conn.settings_dict["PORT"] = "1"
    try:
        response = client.get("/readyz")
    finally:
        conn.close()
        conn.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("unavailable")


def test_every_response_carries_our_own_request_id(client):
    """Our id, never the client's: theirs is kept beside ours in the audit log."""
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] != "abc-123"
    assert len(response["X-Request-ID"]) == 32
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"

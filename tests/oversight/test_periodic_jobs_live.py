"""A real beat and a real worker against a real Redis (a private redis-server) and the test
database: every run of a periodic job is recorded, and /readyz shows it."""

import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from django.test import Client

from moderation.oversight.periodic_jobs import JobHealth, JobOutcome, periodic_jobs_overview
from pemilu.celery import app
from tests.outbound.support import PrivateRedis, celery_broker
from tests.oversight.support import Beat
from tests.workers import Worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(job_records: PrivateRedis) -> Iterator[Worker]:
    worker = Worker(broker_url=job_records.url, name="jobs").start()
    yield worker
    worker.stop()


@pytest.fixture
def beat(job_records: PrivateRedis) -> Iterator[Beat]:
    beat = Beat(broker_url=job_records.url, name="beat").start()
    yield beat
    beat.stop()


def sweep_runs() -> list[datetime]:
    job = next(j for j in periodic_jobs_overview().jobs if j.name == "delivery-sweep")
    return [job.last_run.started_at] if job.last_run else []


def test_each_periodic_run_is_recorded_and_shown_in_readyz(worker, beat):
    assert wait_until(lambda: sweep_runs(), timeout=40), beat.output()[-2000:]
    first = sweep_runs()[0]
    assert wait_until(lambda: sweep_runs() and sweep_runs()[0] > first, timeout=25)
    second = sweep_runs()[0]
    # Beat sends it every 10 s.
    assert 8 <= (second - first).total_seconds() <= 13

    def sweep_finished() -> bool:
        job = next(j for j in periodic_jobs_overview().jobs if j.name == "delivery-sweep")
        return job.last_run is not None and job.last_run.outcome == JobOutcome.SUCCEEDED

    assert wait_until(sweep_finished, timeout=10)
    body = Client().get("/readyz").json()
    assert body["status"] == "ok", body
    assert body["checks"]["periodic_jobs"] == "ok"
    assert body["beat_started_at"] is not None
    jobs = {job["name"]: job for job in body["periodic_jobs"]}
    assert set(jobs) == set(app.conf.beat_schedule)
    sweep = jobs["delivery-sweep"]
    assert sweep["status"] == "ok"
    assert sweep["last_outcome"] == "succeeded"
    assert sweep["last_started_at"] <= sweep["last_finished_at"]
    assert isinstance(sweep["last_duration_ms"], int)
    assert sweep["last_duration_ms"] >= 0
    assert sweep["due_by"] > sweep["last_started_at"]
    # The jobs that have not come round yet are due from the start of beat, not overdue.
    assert all(job["status"] == "ok" for job in jobs.values())
    assert "moderation.tasks.delivery_sweep" in worker.output()


def test_a_run_that_fails_because_the_database_is_down_is_recorded_as_failed(job_records):
    """The records live in Redis, so a job that fails for want of PostgreSQL still says so."""
    worker = Worker(
        broker_url=job_records.url,
        name="nodb",
        env={"DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere", "DB_CONNECT_TIMEOUT": "1"},
    ).start()
    try:
        with celery_broker(job_records.url):
            # The message beat sends for this entry (pemilu/celery.py adds the header).
            entry = app.conf.beat_schedule["case-leases-expire"]
            app.send_task(entry["task"], **entry["options"])

        def last_run():
            job = next(j for j in periodic_jobs_overview().jobs if j.name == "case-leases-expire")
            return job if job.last_run and job.last_run.outcome != JobOutcome.RUNNING else None

        assert wait_until(last_run, timeout=30), worker.output()[-3000:]
        job = last_run()
        assert job.last_run.outcome == JobOutcome.FAILED
        assert job.last_run.error.startswith("OperationalError"), job.last_run.error
        assert job.last_succeeded_at is None
        assert job.health == JobHealth.FAILING
        body = Client().get("/readyz").json()
        assert body["status"] == "degraded"
        assert "last run failed: case-leases-expire" in body["checks"]["periodic_jobs"]
        leases = next(j for j in body["periodic_jobs"] if j["name"] == "case-leases-expire")
        assert leases["status"] == "failing"
        assert leases["last_outcome"] == "failed"
        assert leases["last_error"].startswith("OperationalError")
    finally:
        worker.stop()


def test_a_call_of_the_same_task_outside_the_schedule_is_not_recorded(job_records):
    worker = Worker(broker_url=job_records.url, name="ondemand").start()
    try:
        with celery_broker(job_records.url):
            app.send_task("moderation.tasks.delivery_sweep", queue="callbacks")
        assert wait_until(lambda: "succeeded in" in worker.output(), timeout=30)
        time.sleep(0.5)
        assert sweep_runs() == []
    finally:
        worker.stop()


def test_a_periodic_message_that_expired_before_a_worker_took_it_is_noted(job_records):
    """The sweep's message expires after its period: one that waited longer (no worker free)
    is dropped unstarted, and the record says when, so an overdue job shows why."""
    with celery_broker(job_records.url):
        entry = app.conf.beat_schedule["delivery-sweep"]
        app.send_task(entry["task"], **{**entry["options"], "expires": 1})
    time.sleep(2)
    worker = Worker(broker_url=job_records.url, name="late").start()
    try:

        def expired():
            job = next(j for j in periodic_jobs_overview().jobs if j.name == "delivery-sweep")
            return job.last_expired_at

        assert wait_until(expired, timeout=30), worker.output()[-3000:]
        sweep = next(
            j
            for j in Client().get("/readyz").json()["periodic_jobs"]
            if j["name"] == "delivery-sweep"
        )
        assert sweep["last_expired_at"] is not None
        assert sweep["last_started_at"] is None  # it never ran
    finally:
        worker.stop()

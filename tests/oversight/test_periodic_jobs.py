"""The periodic jobs' state as /readyz and the operations page read it: last run, due time,
overdue and failing, and the template fragment for the operations page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from moderation.oversight.periodic_jobs import JobHealth, JobOutcome, periodic_jobs_overview
from pemilu.celery import app
from tests.oversight.support import record_beat_start, record_run

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00 WIB


def job(overview, name):
    return next(j for j in overview.jobs if j.name == name)


def test_every_schedule_entry_is_listed_in_schedule_order(job_records):
    overview = periodic_jobs_overview(now=NOW)
    assert [j.name for j in overview.jobs] == list(app.conf.beat_schedule)
    assert {j.task for j in overview.jobs} == {e["task"] for e in app.conf.beat_schedule.values()}
    assert all(j.task.startswith("moderation.tasks.") for j in overview.jobs)


def test_with_no_beat_and_no_run_on_record_every_job_is_overdue(job_records):
    overview = periodic_jobs_overview(now=NOW)
    assert overview.beat_started_at is None
    assert {j.health for j in overview.jobs} == {JobHealth.OVERDUE}
    assert all(j.last_run is None and j.due_by is None for j in overview.jobs)
    assert not overview.ok


def test_jobs_that_never_ran_are_due_from_the_start_of_beat(job_records):
    record_beat_start(NOW - timedelta(seconds=30))
    overview = periodic_jobs_overview(now=NOW)
    sweep = job(overview, "delivery-sweep")
    # Due 10 s after beat started, plus the minimum grace of a minute.
    assert sweep.due_by == NOW - timedelta(seconds=20) + timedelta(minutes=1)
    assert sweep.health == JobHealth.OK
    assert overview.ok

    later = periodic_jobs_overview(now=NOW + timedelta(minutes=1))
    assert job(later, "delivery-sweep").health == JobHealth.OVERDUE
    # A five-minute job is not overdue yet: due at +4.5 min, grace 2.5 min.
    assert job(later, "audit-log-seal").health == JobHealth.OK
    assert later.overdue_names == "delivery-sweep"


def test_a_job_is_overdue_once_its_next_run_is_late_by_more_than_the_grace(job_records):
    record_beat_start(NOW - timedelta(hours=1))
    record_run("audit-log-seal", started_at=NOW - timedelta(minutes=5))
    seal = job(periodic_jobs_overview(now=NOW), "audit-log-seal")
    assert seal.last_run is not None
    assert seal.last_run.outcome == JobOutcome.SUCCEEDED
    assert seal.last_run.duration == timedelta(milliseconds=20)
    # Every 300 s: due now, grace half the interval.
    assert seal.due_by == NOW + timedelta(seconds=150)
    assert seal.health == JobHealth.OK
    late = periodic_jobs_overview(now=NOW + timedelta(seconds=151))
    assert job(late, "audit-log-seal").health == JobHealth.OVERDUE


def test_the_daily_digest_is_due_at_0800_wib_with_an_hour_of_grace(job_records):
    yesterday_8 = datetime(2026, 11, 29, 1, 0, 2, tzinfo=UTC)  # 08:00:02 WIB
    record_run("notification-digest-send", started_at=yesterday_8)
    half_past_8 = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
    digest = job(periodic_jobs_overview(now=half_past_8), "notification-digest-send")
    assert timezone.localtime(digest.due_by).strftime("%Y-%m-%d %H:%M") == "2026-11-30 09:00"
    assert digest.health == JobHealth.OK
    assert digest.cron == "0 8 * * *"
    late = periodic_jobs_overview(now=datetime(2026, 11, 30, 2, 1, tzinfo=UTC))  # 09:01 WIB
    assert job(late, "notification-digest-send").health == JobHealth.OVERDUE


def test_a_failed_last_run_is_reported_as_failing_with_its_error(job_records):
    record_beat_start(NOW - timedelta(hours=1))
    record_run(
        "case-leases-expire",
        started_at=NOW - timedelta(seconds=20),
        outcome="failed",
        error="OperationalError: connection refused",
    )
    overview = periodic_jobs_overview(now=NOW)
    leases = job(overview, "case-leases-expire")
    assert leases.health == JobHealth.FAILING
    assert leases.last_run.error == "OperationalError: connection refused"
    assert overview.failing == [leases]


def test_without_redis_the_state_is_unknown_not_fine(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    overview = periodic_jobs_overview(now=NOW)
    assert overview.error.startswith("Redis unavailable")
    assert overview.jobs == []
    assert not overview.ok


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "id",
            [
                "Tugas berkala",
                "setiap 10 detik",
                "0 8 * * * (WIB)",
                "terlambat",
                "gagal",
                "belum pernah",
            ],
        ),
        (
            "en",
            ["Periodic jobs", "every 10 seconds", "0 8 * * * (WIB)", "overdue", "failed", "never"],
        ),
    ],
)
def test_the_fragment_shows_each_job_with_its_last_run_in_wib(job_records, language, texts):
    record_beat_start(NOW - timedelta(hours=1))
    record_run("delivery-sweep", started_at=NOW - timedelta(seconds=5))
    record_run(
        "case-leases-expire", started_at=NOW - timedelta(seconds=20), outcome="failed", error="Boom"
    )
    with translation.override(language):
        html = render_to_string(
            "moderation/_periodic_jobs.html", {"periodic_jobs": periodic_jobs_overview(now=NOW)}
        )
    for text in texts:
        assert text in html, text
    assert "09:59:55 WIB" in html  # the sweep's start, 02:59:55 UTC
    assert "Boom" in html
    assert "audit-log-seal" in html  # never ran since beat started an hour ago: overdue
    assert html.count("<tr>") == 1 + len(app.conf.beat_schedule)


def test_the_fragment_says_when_the_state_cannot_be_read(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    html = render_to_string(
        "moderation/_periodic_jobs.html", {"periodic_jobs": periodic_jobs_overview(now=NOW)}
    )
    assert "tidak dapat dibaca" in html

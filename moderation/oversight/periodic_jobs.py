"""The last run of each periodic job (the beat schedule in pemilu/celery.py), and whether one
is overdue.

Celery signal handlers in the worker write each run to a small Redis hash per job: when it
started and finished, its outcome, how long it took and the error if it failed. Redis, not a
table, because Redis is the broker: when Redis is down no job runs at all, while a run that
failed *because* PostgreSQL is down must still be recorded, and a handler that writes to the
database after a task would share (and could break) the task's connection. The records are
small and fixed in number (one hash per schedule entry), so they need no cleanup.

Beat marks each periodic message with the name of its schedule entry (the ``periodic_job``
header), so a run started by beat is told apart from an on-demand call of the same task.

Readers: ``/readyz`` (moderation/health.py) and the operations page, through
``periodic_jobs_overview()`` and ``templates/moderation/_periodic_jobs.html``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import redis
from celery import current_app
from celery.schedules import crontab, maybe_schedule
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("saring.periodic_jobs")

#: The message header that names the schedule entry (set in pemilu/celery.py).
HEADER = "periodic_job"

#: A job is overdue when it has not started by its next due time plus this grace: half its
#: interval, at least a minute (beat ticks, a busy queue) and at most an hour (the daily digest).
MIN_GRACE = timedelta(minutes=1)
MAX_GRACE = timedelta(hours=1)

ERROR_MAX_LENGTH = 300


class JobOutcome(models.TextChoices):
    RUNNING = "running", _("sedang berjalan")
    SUCCEEDED = "succeeded", _("berhasil")
    FAILED = "failed", _("gagal")


class JobHealth(models.TextChoices):
    OK = "ok", _("baik")
    OVERDUE = "overdue", _("terlambat")
    FAILING = "failing", _("gagal terakhir kali")


@dataclass(frozen=True)
class JobRun:
    started_at: datetime
    finished_at: datetime | None
    outcome: JobOutcome
    duration: timedelta | None
    error: str
    worker: str


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    schedule: Any  # celery.schedules.schedule or crontab
    last_run: JobRun | None
    last_succeeded_at: datetime | None
    last_expired_at: datetime | None
    #: The next run should have started by then; None when it cannot be said (no beat yet).
    due_by: datetime | None
    health: JobHealth

    @property
    def overdue(self) -> bool:
        return self.health == JobHealth.OVERDUE

    @property
    def interval_seconds(self) -> int | None:
        if isinstance(self.schedule, interval_schedule):
            return int(self.schedule.run_every.total_seconds())
        return None

    @property
    def cron(self) -> str | None:
        if isinstance(self.schedule, crontab):
            s = self.schedule
            parts = (
                s._orig_minute,
                s._orig_hour,
                s._orig_day_of_month,
                s._orig_month_of_year,
                s._orig_day_of_week,
            )
            return " ".join(str(p) for p in parts)
        return None

    @property
    def schedule_text(self) -> str:
        """Plain and untranslated, for /readyz: "every 10s" or "cron 0 8 * * * (Asia/Jakarta)"."""
        if self.interval_seconds is not None:
            return f"every {self.interval_seconds}s"
        return f"cron {self.cron} ({self.schedule.tz or settings.TIME_ZONE})"


@dataclass(frozen=True)
class PeriodicJobsOverview:
    jobs: list[PeriodicJob]
    #: When the beat that holds the lock started, if one ever did (as far as Redis remembers).
    beat_started_at: datetime | None
    beat_host: str
    #: Set when the records could not be read (Redis down): the jobs are then unknown.
    error: str = ""

    @property
    def overdue(self) -> list[PeriodicJob]:
        return [job for job in self.jobs if job.health == JobHealth.OVERDUE]

    @property
    def overdue_names(self) -> str:
        return ", ".join(job.name for job in self.overdue)

    @property
    def failing(self) -> list[PeriodicJob]:
        return [job for job in self.jobs if job.health == JobHealth.FAILING]

    @property
    def ok(self) -> bool:
        return not self.error and not self.overdue and not self.failing


# --- Storage --------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=1, socket_timeout=2, decode_responses=True
    )


def _redis() -> redis.Redis:
    return _client(settings.REDIS_URL)


def _prefix() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX') or 'saring'}:periodic-jobs"


def run_key(name: str) -> str:
    return f"{_prefix()}:run:{name}"


def beat_key() -> str:
    return f"{_prefix()}:beat"


# Writes a finished run only if the hash still holds this run (a slow run that ends after the
# next one started must not overwrite the newer record).
_FINISH_IF_CURRENT = """
if redis.call('HGET', KEYS[1], 'task_id') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
"""


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- Celery signal handlers (connected in pemilu/celery.py) ---------------------------------

_lock = threading.Lock()
_running: dict[str, tuple[str, float]] = {}  # task id -> (job name, monotonic start)
_errors: dict[str, str] = {}  # task id -> error text, from task_failure until task_postrun


def _job_of(task: Any) -> str | None:
    request = getattr(task, "request", None)
    if request is None or getattr(request, "is_eager", False):
        return None
    name = getattr(request, HEADER, None)
    return name if isinstance(name, str) and name else None


def on_task_prerun(sender: Any = None, task_id: str = "", task: Any = None, **_: Any) -> None:
    job = _job_of(task)
    if job is None:
        return
    with _lock:
        _running[task_id] = (job, time.monotonic())
    try:
        with _redis().pipeline() as pipe:
            pipe.hdel(run_key(job), "finished_at", "duration_ms", "error")
            pipe.hset(
                run_key(job),
                mapping={
                    "task_id": task_id,
                    "started_at": _iso(timezone.now()),
                    "outcome": JobOutcome.RUNNING.value,
                    "worker": str(getattr(task.request, "hostname", "") or ""),
                },
            )
            pipe.execute()
    except (redis.RedisError, OSError) as exc:
        logger.warning("periodic job %s: could not record its start: %s", job, exc)


def on_task_failure(
    sender: Any = None, task_id: str = "", exception: BaseException | None = None, **_: Any
) -> None:
    with _lock:
        if task_id in _running:
            _errors[task_id] = f"{type(exception).__name__}: {exception}"[:ERROR_MAX_LENGTH]


def on_task_postrun(
    sender: Any = None, task_id: str = "", task: Any = None, state: str | None = None, **_: Any
) -> None:
    with _lock:
        started = _running.pop(task_id, None)
        error = _errors.pop(task_id, "")
    if started is None:
        return
    job, started_at = started
    finished_at = timezone.now()
    succeeded = state == "SUCCESS"
    if not succeeded and not error:
        error = f"state {state}"
    fields = {
        "finished_at": _iso(finished_at),
        "outcome": (JobOutcome.SUCCEEDED if succeeded else JobOutcome.FAILED).value,
        "duration_ms": str(round((time.monotonic() - started_at) * 1000)),
        "error": error,
    }
    try:
        client = _redis()
        client.eval(
            _FINISH_IF_CURRENT,
            1,
            run_key(job),
            task_id,
            *[item for pair in fields.items() for item in pair],
        )
        if succeeded:
            client.hset(run_key(job), "succeeded_at", _iso(finished_at))
    except (redis.RedisError, OSError) as exc:
        logger.warning("periodic job %s: could not record its end: %s", job, exc)


def on_task_revoked(request: Any = None, expired: bool = False, **_: Any) -> None:
    """A periodic message that waited past its ``expires`` is dropped by the worker: note when,
    so a job that keeps expiring (a worker too busy to get to it) shows why it is overdue."""
    if not expired or request is None:
        return
    job = getattr(request, HEADER, None)  # the task's Context, built from the message headers
    if not isinstance(job, str) or not job:
        return
    try:
        _redis().hset(run_key(job), "expired_at", _iso(timezone.now()))
    except (redis.RedisError, OSError) as exc:
        logger.warning("periodic job %s: could not record its expiry: %s", job, exc)


def on_beat_init(sender: Any = None, **_: Any) -> None:
    """The beat that holds the schedule lock has started: jobs that never ran are due from now."""
    try:
        _redis().hset(
            beat_key(),
            mapping={
                "started_at": _iso(timezone.now()),
                "host": socket.gethostname(),
                "pid": str(os.getpid()),
            },
        )
    except (redis.RedisError, OSError) as exc:
        logger.warning("beat: could not record its start: %s", exc)


# --- Reading --------------------------------------------------------------------------------


def _next_due(schedule: Any, after: datetime) -> datetime:
    """When ``schedule`` is next due after a run at ``after`` (what beat computes, without
    beat's "now")."""
    if isinstance(schedule, crontab):
        start, delta, _now = schedule.remaining_delta(after)
        return start + delta
    return after + schedule.run_every


def _grace(schedule: Any, due: datetime) -> timedelta:
    if isinstance(schedule, crontab):  # cron is minute-grained: the occurrence after this one
        interval = _next_due(schedule, due + timedelta(minutes=1)) - due
    else:
        interval = schedule.run_every
    return min(max(MIN_GRACE, interval / 2), MAX_GRACE)


def _run_from(record: dict[str, str]) -> JobRun | None:
    started_at = _parse(record.get("started_at"))
    if started_at is None:
        return None
    duration_ms = record.get("duration_ms")
    return JobRun(
        started_at=started_at,
        finished_at=_parse(record.get("finished_at")),
        outcome=JobOutcome(record.get("outcome") or JobOutcome.RUNNING),
        duration=timedelta(milliseconds=int(duration_ms)) if duration_ms else None,
        error=record.get("error", ""),
        worker=record.get("worker", ""),
    )


def periodic_jobs_overview(*, now: datetime | None = None) -> PeriodicJobsOverview:
    """Every entry of the beat schedule with its last run and whether it is overdue.

    A job is overdue when it has not started by its next due time (after its last start, or
    after the current beat started if it never ran) plus a grace. With no run and no beat on
    record, every job is overdue: nothing is scheduling them.
    """
    now = now or timezone.now()
    entries = current_app.conf.beat_schedule
    try:
        with _redis().pipeline(transaction=False) as pipe:
            pipe.hgetall(beat_key())
            for name in entries:
                pipe.hgetall(run_key(name))
            beat, *records = pipe.execute()
    except (redis.RedisError, OSError) as exc:
        return PeriodicJobsOverview(
            jobs=[],
            beat_started_at=None,
            beat_host="",
            error=f"Redis unavailable: {type(exc).__name__}",
        )
    beat_started_at = _parse(beat.get("started_at"))
    jobs = []
    for (name, entry), record in zip(entries.items(), records, strict=True):
        schedule = maybe_schedule(entry["schedule"], app=current_app)
        run = _run_from(record)
        reference = run.started_at if run else beat_started_at
        due_by = None
        if reference is not None:
            due = _next_due(schedule, reference)
            due_by = due + _grace(schedule, due)
        if due_by is None or now > due_by:
            health = JobHealth.OVERDUE
        elif run is not None and run.outcome == JobOutcome.FAILED:
            health = JobHealth.FAILING
        else:
            health = JobHealth.OK
        jobs.append(
            PeriodicJob(
                name=name,
                task=entry["task"],
                schedule=schedule,
                last_run=run,
                last_succeeded_at=_parse(record.get("succeeded_at")),
                last_expired_at=_parse(record.get("expired_at")),
                due_by=due_by,
                health=health,
            )
        )
    return PeriodicJobsOverview(
        jobs=jobs, beat_started_at=beat_started_at, beat_host=beat.get("host", "")
    )


def periodic_job_as_json(job: PeriodicJob) -> dict[str, Any]:
    """One job for /readyz: plain values, ISO times in UTC."""
    run = job.last_run
    return {
        "name": job.name,
        "task": job.task,
        "schedule": job.schedule_text,
        "status": job.health.value,
        "last_started_at": _iso(run.started_at) if run else None,
        "last_finished_at": _iso(run.finished_at) if run and run.finished_at else None,
        "last_outcome": run.outcome.value if run else None,
        "last_duration_ms": (
            round(run.duration.total_seconds() * 1000) if run and run.duration else None
        ),
        "last_error": run.error if run and run.error else None,
        "last_succeeded_at": _iso(job.last_succeeded_at) if job.last_succeeded_at else None,
        # A message for this job that waited past its ``expires`` and was dropped unstarted.
        "last_expired_at": _iso(job.last_expired_at) if job.last_expired_at else None,
        "due_by": _iso(job.due_by) if job.due_by else None,
    }

"""Celery beat as a real subprocess, next to the worker of tests/callbacks/support.py, and a way
to write a periodic job's record as the worker would have written it at some other time."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection

from moderation.oversight import periodic_jobs
from tests.workers import ROOT, wait_until


def subprocess_database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{connection.settings_dict['NAME']}"
    )


class Beat:
    """``celery -A pemilu beat`` against ``broker_url``, in its own process group."""

    def __init__(self, *, broker_url: str, name: str) -> None:
        self.name = name
        self.log = Path(tempfile.mkstemp(prefix=f"saring-{name}-", suffix=".log")[1])
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pemilu.settings",
            "DATABASE_URL": subprocess_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "REDIS_URL": broker_url,
            "SARING_ENV": "test",
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, wait_for_lock: bool = True) -> "Beat":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "pemilu", "beat", "-l", "info"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait_for_lock:
            assert wait_until(self.holds_lock, timeout=60), f"beat did not start:\n{self.output()}"
        return self

    def holds_lock(self) -> bool:
        return "beat: Acquired lock" in self.output()

    def sent(self, entry: str) -> int:
        return self.output().count(f"Sending due task {entry} ")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def kill(self) -> None:
        """SIGKILL: the beat cannot release its lock."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.unlink(missing_ok=True)


def record_run(
    job: str,
    *,
    started_at: datetime,
    outcome: str = "succeeded",
    duration: timedelta = timedelta(milliseconds=20),
    error: str = "",
) -> None:
    """The record a worker leaves after a run that started at ``started_at``."""
    fields = {
        "task_id": f"test-{job}",
        "started_at": started_at.isoformat(),
        "outcome": outcome,
        "worker": "celery@test",
    }
    if outcome != "running":
        finished_at = started_at + duration
        fields |= {
            "finished_at": finished_at.isoformat(),
            "duration_ms": str(round(duration.total_seconds() * 1000)),
            "error": error,
        }
        if outcome == "succeeded":
            fields["succeeded_at"] = finished_at.isoformat()
    periodic_jobs._redis().hset(periodic_jobs.run_key(job), mapping=fields)


def record_beat_start(at: datetime) -> None:
    periodic_jobs._redis().hset(
        periodic_jobs.beat_key(), mapping={"started_at": at.isoformat(), "host": "test-host"}
    )

"""Real Celery workers for the tests: ``celery -A pemilu worker`` subprocesses on this run's
broker and test database (the ``celery_worker`` fixture in tests/conftest.py starts them)."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def wait_until(predicate: Callable[[], object], *, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


class Worker:
    """``celery -A pemilu worker`` as a subprocess in its own process group."""

    def __init__(
        self,
        *,
        broker_url: str,
        name: str,
        queues: str = "callbacks,email,default",
        env: dict[str, str] | None = None,
    ):
        self.name = name
        self.queues = queues
        self.log = Path(tempfile.mkstemp(prefix=f"saring-{name}-", suffix=".log")[1])
        db = settings.DATABASES["default"]
        database_url = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{connection.settings_dict['NAME']}"
        )
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "REDIS_URL": broker_url,
            "SARING_ENV": "test",
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, concurrency: int = 1) -> "Worker":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "pemilu",
                    "worker",
                    "-Q",
                    self.queues,
                    "-c",
                    str(concurrency),
                    "-n",
                    f"{self.name}@%h",
                    "-l",
                    "info",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert wait_until(self.ready, timeout=60), f"worker did not start:\n{self.output()}"
        return self

    def ready(self) -> bool:
        return " ready." in self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children) at once."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

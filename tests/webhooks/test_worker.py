"""End to end with a real Celery worker process on the real Redis broker and the test
database: a delivery answered 202 is processed right after, without anyone calling a service."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from moderation.choices import RawEventStatus
from moderation.models import Case, RawEvent
from moderation.webhooks.ingest import PROCESSING_REQUESTED
from tests.webhooks.helpers import deliver, flag_event

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    """A worker on the default queue of this test run's Redis database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "SARING_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "pemilu.settings",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pemilu",
            "worker",
            "-Q",
            "default",
            "-c",
            "2",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cache.delete(PROCESSING_REQUESTED)
    yield
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_accepted_flags_are_processed_right_after_by_the_worker(client, secret, worker):
    for _ in range(5):
        assert deliver(client, secret, flag_event(video_id="7311")).status_code == 202

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not RawEvent.objects.filter(status=RawEventStatus.RECEIVED).exists():
            break
        time.sleep(0.2)
    assert RawEvent.objects.filter(status=RawEventStatus.PROCESSED).count() == 5
    case = Case.objects.get()
    assert case.flag_count == 5

"""End to end with a real Celery worker process on the real Redis broker and the test
database: a receipt answered 202 is processed right after, without anyone calling a service."""

import time

import pytest
from django.core.cache import cache

from moderation.choices import RawEventStatus
from moderation.intake.receive import PROCESSING_REQUESTED
from moderation.models import Case, RawEvent
from tests.intake.helpers import deliver, flag_event

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(celery_worker):
    """A worker on the default queue of this test run's broker."""
    cache.delete(PROCESSING_REQUESTED)
    return celery_worker(queues="default", concurrency=2)


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

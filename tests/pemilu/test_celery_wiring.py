"""One real task end to end: a real Celery worker process, the real Redis broker, the real
test database. Lease expiry puts an expired claim back in the queue."""

import os
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from moderation.choices import AuditAction, CaseStatus
from moderation.models import AuditEvent, Case
from moderation.review.claims import case_claim
from moderation.tasks import case_leases_expire
from pemilu.celery import app


def test_celery_is_configured_for_safe_delivery():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_url == settings.CELERY_BROKER_URL
    assert "case-leases-expire" in conf.beat_schedule


@pytest.fixture
def worker(celery_worker):
    """A worker on a queue of its own; the name of the queue."""
    queue = f"wiring-{os.getpid()}"
    celery_worker(queues=queue)
    return queue


@pytest.mark.django_db(transaction=True)
def test_lease_expiry_runs_in_a_real_worker(worker, moderator):
    from tests.factories import CaseFactory

    past = timezone.now() - timedelta(minutes=30)
    case = case_claim(case=CaseFactory(), user=moderator, now=past)
    assert case.assignee == moderator

    case_leases_expire.apply_async(queue=worker)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        case.refresh_from_db()
        if case.assignee_id is None:
            break
        time.sleep(0.3)
    assert case.assignee_id is None, "the worker did not expire the lease within 60 s"
    assert case.status == CaseStatus.NEW
    assert AuditEvent.objects.filter(case=case, action=AuditAction.CASE_LEASE_EXPIRE).count() == 1
    assert Case.objects.filter(assignee__isnull=False).count() == 0


def test_every_task_can_be_scheduled_with_its_time_limits():
    """Celery refuses to send a task whose soft limit exceeds its hard limit (beat would log
    a SchedulingError on every tick)."""
    import moderation.tasks  # noqa: F401 - registers the tasks

    conf = app.conf
    ours = [t for name, t in app.tasks.items() if name.startswith("moderation.")]
    assert len(ours) >= 5
    for task in ours:
        hard = task.time_limit or conf.task_time_limit
        soft = task.soft_time_limit or conf.task_soft_time_limit
        assert soft <= hard, task.name
    for entry in conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]

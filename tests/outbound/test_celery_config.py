"""The Celery configuration the outbox relies on (docs/celery.md)."""

from datetime import timedelta

import pytest
from django.conf import settings

from moderation import tasks
from moderation.outbound.callbacks import callback_timeout, delivery_enqueue
from moderation.outbound.outbox import callback_lock
from pemilu.celery import app


def test_json_only_acks_late_and_requeue_when_a_worker_dies():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_callbacks_and_email_have_their_own_queues():
    routes = app.conf.task_routes
    assert routes["moderation.tasks.delivery_send"] == {"queue": "callbacks"}
    assert routes["moderation.tasks.delivery_sweep"] == {"queue": "callbacks"}
    for name in ("email_delivery_send", "notification_emails_flush", "notification_digest_send"):
        assert routes[f"moderation.tasks.{name}"] == {"queue": "email"}


def test_every_periodic_task_is_scheduled_in_code():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "moderation.tasks.delivery_sweep",
        "moderation.tasks.notification_emails_flush",
        "moderation.tasks.notifications_sla_scan",
        "moderation.tasks.notification_digest_send",
        "moderation.tasks.case_leases_expire",
    } <= scheduled


def test_a_row_lock_outlives_the_send_and_the_visibility_timeout_outlives_every_task():
    # A worker stuck in a send is killed (hard time limit) before its row lock expires, so the
    # sweeper only takes over rows whose worker is really gone.
    assert callback_timeout() == 15
    assert tasks.delivery_send.soft_time_limit > callback_timeout()
    assert timedelta(seconds=tasks.delivery_send.time_limit) < callback_lock()
    # No task runs longer than the visibility timeout, and none is scheduled with a countdown.
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    longest = max(
        [app.conf.task_time_limit]
        + [t.time_limit or 0 for name, t in app.tasks.items() if name.startswith("moderation.")]
    )
    assert visibility > longest
    assert settings.CELERY_BROKER_URL


@pytest.mark.django_db
def test_each_task_runs_its_service(callback_platform, platform):
    delivery = delivery_enqueue(
        platform=callback_platform, event_type="decision.recorded", data={"decision_id": 1}
    )
    assert tasks.delivery_send.apply(args=[delivery.pk]).get() == "delivered"
    assert tasks.delivery_send.apply(args=[delivery.pk]).get() == "skipped (delivered)"
    assert tasks.delivery_sweep.apply().get() == 0
    assert tasks.notifications_sla_scan.apply().get() == 0
    assert tasks.notification_emails_flush.apply().get() == 0
    assert tasks.notification_digest_send.apply().get() == 0
    assert tasks.email_delivery_send.apply(args=[123456]).get() == "skipped"

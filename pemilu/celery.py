"""The Celery app. Broker: Redis from REDIS_URL. Tasks are thin: ids in, a service call out."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pemilu.settings")

app = Celery("pemilu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=300,
    task_soft_time_limit=240,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    # Longer than the longest task (300 s) and the longest countdown we schedule (1 h), so a
    # message held by a worker is not redelivered to a second worker while it still runs.
    broker_transport_options={"visibility_timeout": 2 * 3600},
    timezone="Asia/Jakarta",
    enable_utc=True,
    task_default_queue="default",
)
app.conf.beat_schedule = {
    "case-leases-expire": {
        "task": "moderation.tasks.case_leases_expire",
        "schedule": 60.0,
    },
    # Webhook deliveries stored but not processed (moderation/services/ingest.py).
    "raw-events-sweep": {
        "task": "moderation.tasks.raw_events_sweep",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
}
app.autodiscover_tasks()

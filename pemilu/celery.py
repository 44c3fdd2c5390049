"""The Celery app. Broker: Redis from REDIS_URL. Tasks are thin: ids in, a service call out.

docs/celery.md explains the queues, the beat schedule and why each setting is what it is.
"""

import logging
import os
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, task_failure, task_postrun, task_prerun, task_revoked
from redis.exceptions import RedisError

from moderation.oversight import periodic_jobs

logger = logging.getLogger("celery.beat")

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
    # Longer than the longest task (600 s, the digest) and than any countdown: we schedule none.
    # Retries are rows with next_attempt_at that the sweeper enqueues when due, so a message
    # held by a worker is never redelivered to a second worker while it still runs.
    broker_transport_options={
        "visibility_timeout": 2 * 3600,
        "socket_connect_timeout": 3,
        # A publisher (a request's on-commit hook, the sweeper) gives up on a dead broker in
        # under a second instead of blocking the request: the row is already committed and
        # the sweeper enqueues it once the broker is back. Workers reconnect on their own
        # schedule (broker_connection_retry), which these options do not touch.
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    },
    timezone="Asia/Jakarta",
    enable_utc=True,
    task_default_queue="default",
    # Callbacks and email have their own queues, so a slow mail server never delays a callback.
    task_routes={
        "moderation.tasks.delivery_send": {"queue": "callbacks"},
        "moderation.tasks.deliveries_drain": {"queue": "callbacks"},
        "moderation.tasks.delivery_sweep": {"queue": "callbacks"},
        "moderation.tasks.email_delivery_send": {"queue": "email"},
        "moderation.tasks.notification_emails_flush": {"queue": "email"},
        "moderation.tasks.notification_digest_send": {"queue": "email"},
    },
)
# Beat keeps its schedule in Redis (celery-redbeat) and holds a lock there, so exactly one beat
# sends the periodic tasks: a second one waits until the first stops or its lock expires.
# docs/decisions/0007-beat-schedule-store.md says why not a file or the database.
app.conf.update(
    beat_scheduler="redbeat.RedBeatScheduler",
    redbeat_redis_url=app.conf.broker_url,
    # The lock belongs to the broker: one beat per broker, whatever the cache key prefix.
    redbeat_key_prefix="saring:redbeat:",
    # Socket timeouts so a hung Redis fails a tick instead of blocking beat forever; schedule
    # reads retry a broken connection for up to 20 s. The lock's extension is not retried: with
    # Redis (the broker) gone, beat exits and says so (docs/celery.md).
    redbeat_redis_options={"retry_period": 20, "socket_connect_timeout": 3, "socket_timeout": 5},
    # Beat wakes at least every 5 s and extends its lock to 30 s each time: a beat that was
    # killed frees the lock within 30 s, and a standby beat looks for it every 5 s.
    beat_max_loop_interval=5,
    redbeat_lock_timeout=30,
)
app.conf.beat_schedule = {
    "case-leases-expire": {
        "task": "moderation.tasks.case_leases_expire",
        "schedule": 60.0,
    },
    "audit-log-seal": {
        "task": "moderation.tasks.audit_log_seal",
        "schedule": 300.0,
    },
    # A periodic task that waited longer than its period is dropped (expires): the next run
    # does the same work, so a backlog of sweeps never piles up behind a stopped worker.
    "delivery-sweep": {
        "task": "moderation.tasks.delivery_sweep",
        "schedule": 10.0,
        "options": {"expires": 10},
    },
    "notification-emails-flush": {
        "task": "moderation.tasks.notification_emails_flush",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    "notifications-sla-scan": {
        "task": "moderation.tasks.notifications_sla_scan",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    # Webhook deliveries stored but not processed yet (moderation/webhooks/ingest.py).
    "raw-events-sweep": {
        "task": "moderation.tasks.raw_events_drain",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    # The dashboards' day summaries (moderation/oversight/dashboard_days.py): a page reads them
    # for every past day that has not changed since; a missed run only makes pages slower.
    "dashboard-days-refresh": {
        "task": "moderation.tasks.dashboard_days_refresh",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    # 08:00 in the app timezone (Asia/Jakarta, WIB).
    "notification-digest-send": {
        "task": "moderation.tasks.notification_digest_send",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 3 * 3600},
    },
    # The whole chain is recomputed (about a minute per few million events, see
    # bench/results/audit.md); a run that waited past the next one is dropped.
    "audit-log-verify": {
        "task": "moderation.tasks.audit_log_verify",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
}
# Each periodic message names its schedule entry in a header, so the worker can record the run
# under that name (moderation/oversight/periodic_jobs.py) and tell it from an on-demand call of
# the same task (raw_events_process also runs when a webhook arrives).
for _name, _entry in app.conf.beat_schedule.items():
    _entry.setdefault("options", {}).setdefault("headers", {})[periodic_jobs.HEADER] = _name
# Celery's Django fixup closes the database connection before and after every task, so each
# task paid for a new PostgreSQL connection: most of a callback's cost (see
# bench/results/callbacks.md). Keep connections the way a web request does instead:
# close_old_connections honours CONN_MAX_AGE and CONN_HEALTH_CHECKS and drops a connection that
# saw an error. The fixup then closes connections only once every 1000 tasks.
app.conf.CELERY_DB_REUSE_MAX = 1000


def _close_old_db_connections(sender: Any = None, **kwargs: Any) -> None:
    # Not for a task run in-process (.apply(), eager): that connection belongs to the caller.
    if sender is not None and getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


task_prerun.connect(_close_old_db_connections, weak=False)
task_postrun.connect(_close_old_db_connections, weak=False)


def _say_when_another_beat_holds_the_lock(sender: Any = None, **kwargs: Any) -> None:
    """Runs before redbeat takes its lock: a beat that must wait says so instead of idling."""
    scheduler = getattr(sender, "scheduler", None)
    lock_key = getattr(scheduler, "lock_key", None)
    if not lock_key:
        return
    from redbeat.schedulers import get_redis

    try:
        ttl = get_redis(app).pttl(lock_key)
    except RedisError as exc:
        logger.warning("beat: cannot read the beat lock %s: %s", lock_key, exc)
        return
    if ttl != -2:  # -2: no such key
        logger.warning(
            "beat: another beat holds the lock %s (%.0f s left); this one sends nothing until "
            "that beat stops and the lock is released or expires",
            lock_key,
            max(ttl, 0) / 1000,
        )


# Signal receivers run in the order they were connected: the warning above before redbeat's
# handler that takes the lock (connected when redbeat.schedulers is imported), the record of
# the scheduling beat's start after it.
beat_init.connect(_say_when_another_beat_holds_the_lock, weak=False)
import redbeat.schedulers  # noqa: E402, F401 - connects redbeat's lock handler here, in order

beat_init.connect(periodic_jobs.on_beat_init, weak=False)
# The last run of each periodic job, for /readyz and the operations page.
task_prerun.connect(periodic_jobs.on_task_prerun, weak=False)
task_failure.connect(periodic_jobs.on_task_failure, weak=False)
task_postrun.connect(periodic_jobs.on_task_postrun, weak=False)
task_revoked.connect(periodic_jobs.on_task_revoked, weak=False)


app.autodiscover_tasks()

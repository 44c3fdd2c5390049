"""Asking Celery to run a task, by its name. Services never import tasks.py (tasks.py imports
the services); they put a row in the outbox, or ask for a task here. Every send is best
effort: the caller's rows are the truth, and a periodic sweep sends what a dead broker lost."""

from collections.abc import Iterable
from enum import StrEnum

from celery import current_app
from kombu.exceptions import OperationalError as KombuOperationalError

# What a publish raises when the broker cannot be reached.
BROKER_ERRORS = (KombuOperationalError, OSError)


class TaskName(StrEnum):
    """Every task, by the name it is registered and routed under (pemilu/celery.py)."""

    CASE_LEASES_EXPIRE = "moderation.tasks.case_leases_expire"
    DELIVERY_SEND = "moderation.tasks.delivery_send"
    DELIVERIES_DRAIN = "moderation.tasks.deliveries_drain"
    DELIVERY_SWEEP = "moderation.tasks.delivery_sweep"
    EMAIL_DELIVERY_SEND = "moderation.tasks.email_delivery_send"
    NOTIFICATION_EMAILS_FLUSH = "moderation.tasks.notification_emails_flush"
    NOTIFICATION_DIGEST_SEND = "moderation.tasks.notification_digest_send"
    NOTIFICATIONS_SLA_SCAN = "moderation.tasks.notifications_sla_scan"
    AUDIT_LOG_SEAL = "moderation.tasks.audit_log_seal"
    AUDIT_LOG_VERIFY = "moderation.tasks.audit_log_verify"
    RAW_EVENTS_DRAIN = "moderation.tasks.raw_events_drain"
    DASHBOARD_DAYS_REFRESH = "moderation.tasks.dashboard_days_refresh"


def task_send(name: TaskName, *args: object) -> None:
    """Queue one run of ``name``; raises one of BROKER_ERRORS when the broker is down."""
    current_app.send_task(str(name), args=list(args), retry=False)


def tasks_send(name: TaskName, ids: Iterable[int]) -> int:
    """Queue one run of ``name`` per id over one broker connection. How many were queued: it
    stops at the first broker error and the rest stay where they are (rows for the sweep)."""
    sent = 0
    try:
        with current_app.producer_or_acquire() as producer:
            for pk in ids:
                current_app.send_task(str(name), args=[pk], retry=False, producer=producer)
                sent += 1
    except BROKER_ERRORS:
        pass
    return sent

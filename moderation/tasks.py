"""Thin Celery tasks: ids in, a service call out; each task has the name of the service it
calls. Retry policy lives here; queues and the beat schedule in pemilu/celery.py
(docs/celery.md). The services never import this module: they queue tasks by name
(moderation/jobs.py) or write outbox rows that the sweep sends.

Every task is idempotent: the send tasks claim their row before sending, and the periodic ones
only move rows that still need moving.
"""

from celery import shared_task

from moderation.intake.receive import raw_events_drain as raw_events_drain_service
from moderation.jobs import TaskName
from moderation.outbound.callbacks import deliveries_drain as deliveries_drain_service
from moderation.outbound.callbacks import delivery_send as delivery_send_service
from moderation.outbound.callbacks import delivery_sweep as delivery_sweep_service
from moderation.outbound.emails import email_delivery_send as email_delivery_send_service
from moderation.outbound.emails import (
    notification_digest_send as notification_digest_send_service,
)
from moderation.outbound.emails import (
    notification_emails_flush as notification_emails_flush_service,
)
from moderation.oversight.audit_verification import audit_log_verify_record
from moderation.oversight.dashboard_days import RefreshBusy, dashboard_days_refresh_for
from moderation.oversight.seal import audit_log_seal as audit_log_seal_service
from moderation.oversight.sla import notifications_sla_scan as notifications_sla_scan_service
from moderation.review.claims import case_leases_expire as case_leases_expire_service

# The sender waits 15 s for the platform; these limits stay under the row lock (90 s), so a
# lock expires only when its worker is gone.
DELIVERY_SOFT_TIME_LIMIT = 30
DELIVERY_TIME_LIMIT = 45


@shared_task(name=TaskName.CASE_LEASES_EXPIRE, acks_late=True)
def case_leases_expire() -> int:
    """Beat, every minute: expired claims go back to the queue."""
    return case_leases_expire_service()


@shared_task(
    name=TaskName.DELIVERY_SEND,
    acks_late=True,
    soft_time_limit=DELIVERY_SOFT_TIME_LIMIT,
    time_limit=DELIVERY_TIME_LIMIT,
)
def delivery_send(delivery_id: int) -> str:
    """Send one outbound callback (``outbound.callbacks.delivery_send``)."""
    return delivery_send_service(delivery_id=delivery_id)


@shared_task(name=TaskName.DELIVERIES_DRAIN, acks_late=True, soft_time_limit=60, time_limit=75)
def deliveries_drain() -> int:
    """Queued when callback rows commit (coalesced): send every due callback, in batches
    (``outbound.callbacks.deliveries_drain``)."""
    return deliveries_drain_service()


@shared_task(name=TaskName.DELIVERY_SWEEP, acks_late=True, soft_time_limit=100, time_limit=120)
def delivery_sweep() -> int:
    """Beat, every 10 s: send again the callbacks that are due or whose worker died
    (``outbound.callbacks.delivery_sweep``)."""
    return delivery_sweep_service()


@shared_task(name=TaskName.EMAIL_DELIVERY_SEND, acks_late=True, soft_time_limit=60, time_limit=90)
def email_delivery_send(email_id: int) -> str:
    """Send one grouped notification email (``outbound.emails.email_delivery_send``)."""
    return email_delivery_send_service(email_id=email_id)


@shared_task(name=TaskName.NOTIFICATION_EMAILS_FLUSH, acks_late=True, time_limit=240)
def notification_emails_flush() -> int:
    """Beat, every 30 s: one email per user for what waits, and send again lost emails."""
    return notification_emails_flush_service()


@shared_task(name=TaskName.NOTIFICATION_DIGEST_SEND, acks_late=True, time_limit=600)
def notification_digest_send() -> int:
    """Beat, 08:00 WIB: the daily digest, one email per user."""
    return notification_digest_send_service()


@shared_task(name=TaskName.NOTIFICATIONS_SLA_SCAN, acks_late=True, time_limit=240)
def notifications_sla_scan() -> int:
    """Beat, every minute: cases within 15 minutes of their SLA, or past it."""
    return notifications_sla_scan_service()


@shared_task(name=TaskName.AUDIT_LOG_SEAL, acks_late=True)
def audit_log_seal() -> int:
    """Beat, every five minutes: seal settled audit events into the digest chain."""
    sealed = 0
    while (seal_row := audit_log_seal_service()) is not None:
        sealed += seal_row.event_count
    return sealed


@shared_task(name=TaskName.AUDIT_LOG_VERIFY, acks_late=True)
def audit_log_verify() -> bool:
    """Beat, every hour: recompute the seal chain; on a break, administrators are notified
    (``audit_log_verify_record``). The result is what the audit page shows."""
    return audit_log_verify_record().ok


@shared_task(name=TaskName.RAW_EVENTS_DRAIN, acks_late=True, soft_time_limit=200, time_limit=240)
def raw_events_drain() -> int:
    """Queued when webhook receipts arrive (coalesced), and by beat every minute as the sweep:
    process raw events still in status received (``intake.receive.raw_events_drain``)."""
    return raw_events_drain_service()


@shared_task(
    name=TaskName.DASHBOARD_DAYS_REFRESH, acks_late=True, soft_time_limit=60, time_limit=90
)
def dashboard_days_refresh() -> int:
    """Beat, every minute: summarise the past days marked dirty or never summarised for the
    dashboards (``oversight.dashboard_days``), 31 days a transaction, the most recent first,
    for up to 20 seconds (a whole season after a deploy takes a few runs, not an hour)."""
    try:
        return dashboard_days_refresh_for(seconds=20.0)
    except RefreshBusy:
        return 0  # the run holding the lock does the work

"""Thin Celery tasks: ids in, a service call out. Retry policy lives here.

Every task is idempotent: the callback and email tasks claim their row before sending, and the
periodic ones only move rows that still need moving. Queues and the beat schedule are in
pemilu/celery.py (documented in docs/celery.md).
"""

from celery import shared_task

from moderation.services.cases import case_leases_expire as case_leases_expire_service

# The sender waits 15 s for the platform; these limits stay under the row lock (90 s), so a
# lock expires only when its worker is gone.
DELIVERY_SOFT_TIME_LIMIT = 30
DELIVERY_TIME_LIMIT = 45


@shared_task(name="moderation.tasks.case_leases_expire", acks_late=True)
def case_leases_expire() -> int:
    """Beat, every minute: expired claims go back to the queue."""
    return case_leases_expire_service()


@shared_task(
    name="moderation.tasks.delivery_send",
    acks_late=True,
    soft_time_limit=DELIVERY_SOFT_TIME_LIMIT,
    time_limit=DELIVERY_TIME_LIMIT,
)
def delivery_send(delivery_id: int) -> str:
    """Send one outbound callback (see moderation/callbacks/sender.py)."""
    from moderation.callbacks.sender import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)


@shared_task(
    name="moderation.tasks.delivery_sweep", acks_late=True, soft_time_limit=100, time_limit=120
)
def delivery_sweep() -> int:
    """Beat, every 10 s: re-enqueue callbacks that are due or whose worker died."""
    from moderation.callbacks.sweeper import delivery_sweep as sweep

    return sweep()


@shared_task(
    name="moderation.tasks.email_delivery_send",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def email_delivery_send(email_id: int) -> str:
    """Send one grouped notification email (moderation/services/emails.py)."""
    from moderation.services.emails import email_delivery_attempt

    return email_delivery_attempt(email_id=email_id)


@shared_task(name="moderation.tasks.notification_emails_flush", acks_late=True, time_limit=240)
def notification_emails_flush() -> int:
    """Beat, every 30 s: one email per user for what waits, and re-enqueue lost emails."""
    from moderation.services.emails import notification_emails_flush as flush

    return flush()


@shared_task(name="moderation.tasks.notification_digest_send", acks_late=True, time_limit=600)
def notification_digest_send() -> int:
    """Beat, 08:00 WIB: the daily digest, one email per user."""
    from moderation.services.emails import notification_digest_send as digest

    return digest()


@shared_task(name="moderation.tasks.notifications_sla_scan", acks_late=True, time_limit=240)
def notifications_sla_scan() -> int:
    """Beat, every minute: cases within 15 minutes of their SLA, or past it."""
    from moderation.services.notifications import notifications_sla_scan as scan

    return scan()


@shared_task(name="moderation.tasks.audit_log_seal", acks_late=True)
def audit_log_seal() -> int:
    """Beat, every five minutes: seal settled audit events into the digest chain."""
    from moderation.services.audit_seal import audit_log_seal as seal

    sealed = 0
    while (seal_row := seal()) is not None:
        sealed += seal_row.event_count
    return sealed


@shared_task(
    name="moderation.tasks.raw_events_process",
    acks_late=True,
    soft_time_limit=200,
    time_limit=240,
)
def raw_events_process() -> int:
    """Queued when webhook deliveries arrive (coalesced), and by beat every minute as the sweep:
    process raw events still in status received (moderation/webhooks/ingest.py)."""
    from moderation.webhooks.ingest import raw_events_drain

    return raw_events_drain()

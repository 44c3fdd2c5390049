"""Thin Celery tasks: ids in, a service call out. Retry policy lives here."""

from celery import shared_task

from moderation.services.cases import case_leases_expire as case_leases_expire_service


@shared_task(name="moderation.tasks.case_leases_expire", acks_late=True)
def case_leases_expire() -> int:
    """Beat, every minute: expired claims go back to the queue."""
    return case_leases_expire_service()


@shared_task(name="moderation.tasks.delivery_send", acks_late=True)
def delivery_send(delivery_id: int) -> str:
    """Send one outbound callback (see moderation/callbacks/sender.py)."""
    from moderation.callbacks.sender import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)


@shared_task(name="moderation.tasks.raw_event_retry", acks_late=True, time_limit=120)
def raw_event_retry(raw_event_id: int) -> str | None:
    """A webhook delivery stored without its effects (processing failed in the request)."""
    from moderation.services.ingest import raw_event_retry as retry

    return retry(raw_event_id=raw_event_id)


@shared_task(name="moderation.tasks.raw_events_sweep", acks_late=True, time_limit=240)
def raw_events_sweep() -> int:
    """Beat, every minute: webhook deliveries still in status received (moderation/webhooks)."""
    from moderation.services.ingest import raw_events_sweep as sweep

    return sweep()

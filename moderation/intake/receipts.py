"""Webhook receipts as stored raw events: the row a request writes before its 2xx, and how a
service records it once it holds its locks (moderation/services/ingest.py)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import connection

from moderation.choices import RawEventStatus
from moderation.intake.parsing import Envelope, FlagCreated
from moderation.models import RawEvent


class DuplicateEvent(Exception):
    """Seen before (webhook-id, flag_id or appeal_id): the transaction is rolled back."""


# --- Raw events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookReceipt:
    """A verified, validated receipt not stored yet."""

    platform_id: int
    webhook_id: str
    event_type: str
    body: str
    webhook_timestamp: datetime
    received_at: datetime
    # "flag:<flag_id>" for flag.created (see RawEvent.natural_key), else None.
    natural_key: str | None = None


class ReceiptRecorder(Protocol):
    def record(self) -> int:
        """Store the receipt (or confirm it is stored); its id, or DuplicateEvent."""
        ...


_RAW_EVENT_INSERT = f"""
    INSERT INTO {RawEvent._meta.db_table}
        (platform_id, webhook_id, event_type, body, webhook_timestamp, received_at, status,
         processed_at, attempts, last_error, natural_key)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT DO NOTHING
    RETURNING id
"""  # noqa: S608 (table name from the model, values are parameters)


def raw_event_store(
    receipt: WebhookReceipt, *, status: str, now: datetime, last_error: str = "", attempts: int = 0
) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING: the new raw event's id, or None if its webhook-id or
    its natural key (flag_id) was seen before on this platform. Alone it commits at once
    (autocommit); inside a transaction it commits with it."""
    processed_at = now if status in (RawEventStatus.PROCESSED, RawEventStatus.IGNORED) else None
    with connection.cursor() as cursor:
        cursor.execute(
            _RAW_EVENT_INSERT,
            [
                receipt.platform_id,
                receipt.webhook_id,
                receipt.event_type,
                receipt.body,
                receipt.webhook_timestamp,
                receipt.received_at,
                status,
                processed_at,
                attempts,
                last_error,
                receipt.natural_key,
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class NewReceipt:
    """Records a receipt as processed, in the processing transaction, after the locks (an
    event processed in the request: appeal.created; and the services' tests)."""

    receipt: WebhookReceipt
    now: datetime

    def record(self) -> int:
        raw_event_id = raw_event_store(
            self.receipt, status=RawEventStatus.PROCESSED, now=self.now, attempts=1
        )
        if raw_event_id is None:
            raise DuplicateEvent(self.receipt.webhook_id)
        return raw_event_id


@dataclass(frozen=True)
class StoredReceipt:
    """A raw event already stored by the request; raw_event_process sets its status after."""

    raw_event_id: int

    def record(self) -> int:
        return self.raw_event_id


def natural_key(envelope: Envelope) -> str | None:
    """The RawEvent.natural_key of an event: what else, besides its webhook-id, makes a repeat."""
    if isinstance(envelope.data, FlagCreated):
        return f"flag:{envelope.data.flag_id}"
    return None

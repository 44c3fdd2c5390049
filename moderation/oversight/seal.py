"""Tamper evidence for the audit log.

Triggers already refuse UPDATE and DELETE. Sealing adds evidence against someone who gets
around them (a superuser disabling triggers, a restored backup): every few minutes the events
written since the last seal are hashed, in id order, into a digest chained to the previous
seal's. ``audit_log_verify`` recomputes every seal and reports any range whose events no longer
hash to what was sealed.

Only events older than ``settle`` are sealed, so that a transaction which took its id early but
committed late is not missed (our write transactions last milliseconds; see docs/decisions).
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from moderation.models import AuditEvent, AuditSeal

SETTLE = timedelta(minutes=5)
GENESIS = "0" * 64
_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor_kind",
    "actor_organisation_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "before",
    "after",
    "ip_address",
    "request_id",
    "client_request_id",
)
# Columns added after the first seals were made: hashed only when set, so that the events
# sealed before the column existed (where it is empty) hash as they did.
_LATER_FIELDS = ("client_request_id",)


def _canonical(row: dict[str, object]) -> bytes:
    values = dict(row)
    for name in _LATER_FIELDS:
        if not values.get(name):
            values.pop(name, None)
    created = values["created_at"]
    if isinstance(created, datetime):
        values["created_at"] = created.isoformat()
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str).encode()


def _rows(first_id: int, last_id: int) -> Iterator[dict[str, object]]:
    return (
        AuditEvent.objects.filter(id__gte=first_id, id__lte=last_id)
        .order_by("id")
        .values(*_FIELDS)
        .iterator(chunk_size=2000)
    )


def _digest(previous: str, rows: Iterator[dict[str, object]]) -> tuple[str, int]:
    h = hashlib.sha256(previous.encode())
    count = 0
    for row in rows:
        h.update(hashlib.sha256(_canonical(row)).digest())
        count += 1
    return h.hexdigest(), count


def audit_log_seal(
    *, now: datetime | None = None, settle: timedelta = SETTLE, max_events: int = 50_000
) -> AuditSeal | None:
    """Seal the settled events after the last seal. Idempotent; one sealer at a time."""
    now = now or timezone.now()
    with transaction.atomic():
        # A transaction-level advisory lock: two beat runs never seal the same range.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('saring.audit_seal'))")
        last = AuditSeal.objects.order_by("-last_event_id").first()
        start = (last.last_event_id + 1) if last else 1
        previous = last.digest if last else GENESIS
        settled = AuditEvent.objects.filter(id__gte=start, created_at__lt=now - settle)
        ids = list(settled.order_by("id").values_list("id", flat=True)[:max_events])
        if not ids:
            return None
        end = ids[-1]
        digest, count = _digest(previous, _rows(start, end))
        return AuditSeal.objects.create(
            first_event_id=start,
            last_event_id=end,
            event_count=count,
            digest=digest,
            previous_digest=previous,
            sealed_at=now,
        )


@dataclass
class VerifyResult:
    seals: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)
    last_event_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_log_verify(*, on_seal: Callable[[AuditSeal], None] | None = None) -> VerifyResult:
    """Recompute every seal in chain order. ``problems[0]`` is the first broken link.
    ``on_seal`` is called after each seal is checked (the command's progress bar)."""
    result = VerifyResult()
    previous = GENESIS
    expected_start = 1
    for seal in AuditSeal.objects.order_by("last_event_id").iterator():
        result.seals += 1
        if seal.previous_digest != previous:
            result.problems.append(
                f"seal {seal.first_event_id}-{seal.last_event_id}: chain broken "
                "(previous digest does not match)"
            )
        if seal.first_event_id != expected_start:
            result.problems.append(
                f"seal {seal.first_event_id}-{seal.last_event_id}: gap or overlap after "
                f"event {expected_start - 1}"
            )
        digest, count = _digest(
            seal.previous_digest, _rows(seal.first_event_id, seal.last_event_id)
        )
        result.events += count
        if count != seal.event_count:
            result.problems.append(
                f"events {seal.first_event_id}-{seal.last_event_id}: {count} found, "
                f"{seal.event_count} sealed (rows were added or deleted)"
            )
        elif digest != seal.digest:
            result.problems.append(
                f"events {seal.first_event_id}-{seal.last_event_id}: contents changed since sealed"
            )
        previous = seal.digest
        expected_start = seal.last_event_id + 1
        result.last_event_id = seal.last_event_id
        if on_seal is not None:
            on_seal(seal)
    return result

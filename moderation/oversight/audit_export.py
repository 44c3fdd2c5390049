"""Export of the audit log as CSV or JSON Lines, in constant memory, and itself audited.

``audit_export_record`` writes the export's own audit event (who exported which filter, in
which format, about how many rows) before the first byte leaves. ``audit_export_lines``
yields the file line by line from a server-side cursor (``iterator(chunk_size=...)`` inside a
transaction, so PostgreSQL streams instead of materialising a WITH HOLD cursor), and reports
how many rows it has written to ``on_progress`` after each chunk: the page shows that
against the planner's estimate (``audit_export_progress``).
"""

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, QuerySet

from moderation.choices import AuditAction, AuditExportFormat
from moderation.models import AuditEvent, User
from moderation.oversight.audit import audit_record
from moderation.oversight.audit_search import NO_TEXT, AuditFilter, TextPlan, planned

CHUNK = 2000
COLUMNS = (
    "id",
    "created_at",
    "actor",
    "actor_kind",
    "actor_organisation",
    "action",
    "object_type",
    "object_id",
    "case",
    "before",
    "after",
    "ip_address",
    "request_id",
    "client_request_id",
)
PROGRESS_TTL = 3600


def audit_export_record(
    *, user: User, audit_filter: AuditFilter, export_format: str, estimate: int
) -> AuditEvent:
    with transaction.atomic():
        return audit_record(
            action=AuditAction.AUDIT_EXPORT,
            obj=user,
            actor=user,
            after={
                "format": export_format,
                "filter": audit_filter.as_params(),
                "estimated_rows": estimate,
            },
        )


def _rows(qs: QuerySet[AuditEvent]) -> QuerySet[Any]:
    return qs.values_list(
        "id",
        "created_at",
        F("actor__username"),
        "actor_kind",
        F("actor_organisation__slug"),
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


def audit_export_lines(
    qs: QuerySet[AuditEvent],
    *,
    export_format: str,
    on_progress: Callable[[int, bool], None] | None = None,
    plan: TextPlan = NO_TEXT,
) -> Iterator[str]:
    """The file, a line at a time (CSV with a header row, or one JSON object per line)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    as_csv = export_format == AuditExportFormat.CSV
    if as_csv:
        writer.writerow(COLUMNS)
        yield _take(buffer)
    done = 0
    with transaction.atomic(), planned(plan):
        for row in _rows(qs).iterator(chunk_size=CHUNK):
            values = dict(zip(COLUMNS, row, strict=True))
            values["created_at"] = values["created_at"].isoformat()
            if as_csv:
                values["before"] = json.dumps(values["before"], ensure_ascii=False)
                values["after"] = json.dumps(values["after"], ensure_ascii=False)
                writer.writerow(["" if v is None else v for v in values.values()])
                yield _take(buffer)
            else:
                yield json.dumps(values, ensure_ascii=False, default=str) + "\n"
            done += 1
            if on_progress is not None and done % CHUNK == 0:
                on_progress(done, False)
    if on_progress is not None:
        on_progress(done, True)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


# --- progress, for the page -----------------------------------------------------------------


def _progress_key(user: User, token: str) -> str:
    return f"audit-export:{user.pk}:{token}"


def audit_export_progress_start(*, user: User, token: str, estimate: int) -> None:
    cache.set(
        _progress_key(user, token),
        {"done": 0, "estimate": estimate, "finished": False},
        PROGRESS_TTL,
    )


def audit_export_progress_set(*, user: User, token: str, done: int, finished: bool) -> None:
    state = cache.get(_progress_key(user, token)) or {"estimate": 0}
    state.update(done=done, finished=finished)
    cache.set(_progress_key(user, token), state, PROGRESS_TTL)


def audit_export_progress(*, user: User, token: str) -> dict[str, Any] | None:
    state: dict[str, Any] | None = cache.get(_progress_key(user, token))
    return state

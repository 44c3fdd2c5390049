"""The audit page's reads: the filter, keyset pages, a capped count and the planner's estimate.

Ten million events and more: nothing here counts the whole log or skips with OFFSET.

- Pages are keyset pages over ``(created_at, id)``, newest first: "older" continues after the
  last row shown, "newer" before the first. A cursor is ``<microseconds since epoch>.<id>``.
- The number of matches is counted up to ``COUNT_CAP`` (then shown as "more than 1000") and,
  for the export's progress, estimated by the planner (``EXPLAIN``), never ``COUNT(*)``.
- Free text is PostgreSQL full text over the ``search`` column (``simple`` configuration: ids,
  names and values stay whole), served by the ``audit_search`` GIN index.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.errors import InvalidInput, NotFound, NotPermitted
from moderation.models import AuditEvent, User
from moderation.permissions import audit_events_visible_q, can_read_audit_log

PAGE_SIZE = 50
COUNT_CAP = 1000
# Dates outside this range are refused with a message (a year 9999 would overflow a day later).
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_ID = 2**63 - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AuditFilter:
    """What the page and the export filter by; every field optional."""

    actor_id: int | None = None
    organisation_id: int | None = None
    action: str = ""
    case_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None  # WIB dates, both inclusive
    date_to: date | None = None
    text: str = ""

    def as_params(self) -> dict[str, Any]:
        """The filter as it is written into an export's audit event."""
        return {
            key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in self.__dict__.items()
            if value not in (None, "")
        }


def wib_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def audit_events_filtered(*, user: User, audit_filter: AuditFilter) -> QuerySet[AuditEvent]:
    """The events ``user`` may read that match ``audit_filter``, newest first."""
    if not can_read_audit_log(user):
        raise NotPermitted()
    f = audit_filter
    qs = AuditEvent.objects.filter(audit_events_visible_q(user))
    if f.actor_id is not None:
        qs = qs.filter(actor_id=f.actor_id)
    if f.organisation_id is not None:
        qs = qs.filter(actor_organisation_id=f.organisation_id)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.case_id is not None:
        qs = qs.filter(case_id=f.case_id)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.date_from is not None:
        qs = qs.filter(created_at__gte=wib_day_start(f.date_from))
    if f.date_to is not None:
        qs = qs.filter(created_at__lt=wib_day_start(f.date_to + timedelta(days=1)))
    if f.text:
        qs = qs.filter(search=SearchQuery(f.text, config="simple", search_type="websearch"))
    return qs.order_by("-created_at", "-id")


# --- free text: the plan that fits the word ---------------------------------------------------

# A word with at least this many matches is "common": walking the time index newest first
# finds a page of them at once. Fewer, and the GIN index's matches are fetched and sorted.
# One more than the count's cap, so that a common word alone is known to be "more than
# COUNT_CAP" (exactly COUNT_CAP matches is not more).
TEXT_COMMON = COUNT_CAP + 1


def text_matches_capped(text: str, cap: int = TEXT_COMMON) -> int:
    """How many events match ``text`` (up to ``cap``), from the GIN index alone.

    The planner's own guess is no help here: for a word that is not in the log at all it may
    expect thousands of rows and walk the whole time index looking for them (seconds at ten
    million events). Building the GIN bitmap is milliseconds even for a common word."""
    with planned(GIN_ONLY), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM moderation_auditevent "
            "WHERE search @@ websearch_to_tsquery('simple', %s) LIMIT %s) AS hits",
            [text, cap],
        )
        return int(cursor.fetchone()[0])


@dataclass(frozen=True)
class TextPlan:
    """How to run a query with free text: which planner settings to use, and whether the word
    is common (then "more than 1000" is already known, without counting)."""

    settings: tuple[tuple[str, str], ...] = ()
    common: bool = False


NO_TEXT = TextPlan()
# Matches from the GIN index alone (counting a word's matches).
GIN_ONLY = TextPlan(settings=(("enable_seqscan", "off"), ("enable_indexscan", "off")))


def text_plan(text: str) -> TextPlan:
    """A common word is found by walking an ordered index newest first, in this process (no
    bitmap of millions of rows to sort, no scan of the whole table: the planner underestimates
    phrases like ``terms_of_service``, and parallel workers cost more than they save on a
    LIMIT 51); a rare one through the GIN index (no walk through millions of rows that do not
    match)."""
    if not text:
        return NO_TEXT
    if text_matches_capped(text) >= TEXT_COMMON:
        return TextPlan(
            settings=(
                ("enable_bitmapscan", "off"),
                ("enable_seqscan", "off"),
                ("max_parallel_workers_per_gather", "0"),
            ),
            common=True,
        )
    return TextPlan(settings=(("enable_indexscan", "off"),))


@contextmanager
def planned(plan: TextPlan) -> Iterator[None]:
    """Run the block's queries in one transaction with the plan's planner settings."""
    if not plan.settings:
        yield
        return
    # Transaction-local settings (set_config(..., true)): they end with the block's transaction,
    # so nothing needs resetting (and a reset after a failed query would hide its error).
    with transaction.atomic(), connection.cursor() as cursor:
        for name, value in plan.settings:
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        yield


# --- keyset pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: int

    def encode(self) -> str:
        micros = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.id}"


def cursor_decode(raw: str) -> Cursor:
    """A cursor from a URL, or InvalidInput (garbage, a huge number, a time out of range)."""
    refusal = InvalidInput.of({"cursor": _("Penanda halaman tidak valid. Muat ulang halaman.")})
    micros_text, dot, id_text = raw.strip().partition(".")
    if not dot or not micros_text.lstrip("-").isdigit() or not id_text.isdigit():
        raise refusal
    if len(micros_text) > 20 or len(id_text) > 19:
        raise refusal
    micros, pk = int(micros_text), int(id_text)
    if not 0 < pk <= MAX_ID:
        raise refusal
    try:
        created_at = _EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        raise refusal from None
    if not wib_day_start(EARLIEST) <= created_at <= wib_day_start(LATEST):
        raise refusal
    return Cursor(created_at=created_at, id=pk)


@dataclass
class AuditPage:
    events: list[AuditEvent] = field(default_factory=list)
    newer: str = ""  # cursors for the links; empty when there is nothing that way
    older: str = ""


def audit_page(
    qs: QuerySet[AuditEvent], *, after: str = "", before: str = "", size: int = PAGE_SIZE
) -> AuditPage:
    """One page of ``qs`` (newest first). ``after``: the page of rows older than that cursor;
    ``before``: the page of rows newer than it. Neither: the newest page."""
    rows = qs.select_related("actor", "actor_organisation")
    if before:
        c = cursor_decode(before)
        newer_q = Q(created_at__gt=c.created_at) | Q(created_at=c.created_at, id__gt=c.id)
        chunk = list(
            rows.filter(newer_q, created_at__gte=c.created_at).order_by("created_at", "id")[
                : size + 1
            ]
        )
        has_more_newer = len(chunk) > size
        events = list(reversed(chunk[:size]))
        page = AuditPage(events=events)
        if events:
            page.older = _cursor(events[-1])
            if has_more_newer:
                page.newer = _cursor(events[0])
        return page
    if after:
        c = cursor_decode(after)
        older_q = Q(created_at__lt=c.created_at) | Q(created_at=c.created_at, id__lt=c.id)
        rows = rows.filter(older_q, created_at__lte=c.created_at)
    chunk = list(rows[: size + 1])
    events = chunk[:size]
    page = AuditPage(events=events)
    if events:
        if len(chunk) > size:
            page.older = _cursor(events[-1])
        if after:
            page.newer = _cursor(events[0])
    return page


def _cursor(event: AuditEvent) -> str:
    return Cursor(created_at=event.created_at, id=event.pk).encode()


# --- how many -------------------------------------------------------------------------------


def audit_count_capped(qs: QuerySet[AuditEvent], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(n, more): the number of matches up to ``cap``, and whether there are more."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def audit_estimate(qs: QuerySet[AuditEvent]) -> int:
    """The planner's estimate of the number of rows ``qs`` returns (no COUNT(*))."""
    sql, params = qs.order_by().values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def audit_matches(qs: QuerySet[AuditEvent], *, known_more: bool = False) -> tuple[int, bool, int]:
    """(counted, more, estimate): exact up to the cap; beyond it the planner's estimate.
    ``known_more``: the caller already knows there are more than the cap (a common word alone)."""
    if known_more:
        return COUNT_CAP, True, max(audit_estimate(qs), COUNT_CAP)
    n, more = audit_count_capped(qs)
    return n, more, (max(audit_estimate(qs), n) if more else n)


# --- one event ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    key: str
    before: str
    after: str
    changed: bool
    only_before: bool
    only_after: bool


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_diff(event: AuditEvent) -> list[DiffRow]:
    """Every key of before and after, side by side; changed ones marked."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        rows.append(
            DiffRow(
                key=key,
                before=_shown(old) if key in before else "",
                after=_shown(new) if key in after else "",
                changed=old != new,
                only_before=key in before and key not in after,
                only_after=key in after and key not in before,
            )
        )
    return rows


def audit_event_for_user(*, user: User, event_id: int) -> AuditEvent:
    """One event the user may read, or NotPermitted / NotFound (an event outside the user's
    platform is "not found": its existence is not confirmed)."""

    if not can_read_audit_log(user):
        raise NotPermitted()
    if not 0 < event_id <= MAX_ID:
        raise NotFound()
    event = (
        AuditEvent.objects.filter(audit_events_visible_q(user), pk=event_id)
        .select_related("actor", "actor_organisation", "case")
        .first()
    )
    if event is None:
        raise NotFound()
    return event

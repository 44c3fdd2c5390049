# ruff: noqa: S608 - the SQL is built from constant fragments; every value is a bound parameter.
"""The dashboards' per-day summaries: every figure's additive parts per platform and WIB day.

``day_facts_compute`` reads them from the tables for a run of days; ``dashboard_days_refresh``
(the periodic task) stores them in ``DashboardDay`` for past days that are missing or marked
dirty; ``day_facts_for`` gives a page the facts of its range: the stored rows that are still
true, and the rest (today, days marked dirty since, days never summarised, and days whose SLA
split still depends on the clock) computed from the tables. So the figures are the same with
or without summaries, only faster with them (tests/oversight/test_dashboard.py runs each figure
both ways). docs/decisions/0014-dashboard-days.md.
"""

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from moderation.choices import ApprovalState
from moderation.models import DashboardDay, DashboardDirtyDay, Platform

WIB = ZoneInfo("Asia/Jakarta")
EPOCH_WIB = date(1970, 1, 1)
# A decision counts once it took effect: not held, or held and approved.
EFFECTIVE_APPROVAL_STATES: tuple[str, ...] = (ApprovalState.NOT_REQUIRED, ApprovalState.APPROVED)
WAITING = ("pending", "sending")
# A day is summarised only this long after it ended, so a write whose transaction began
# before midnight (its trigger took the day for today and marked nothing) has committed.
SETTLE_GRACE = timedelta(minutes=15)
REFRESH_LOCK = 0x5A_0D_A5_B0  # pg_advisory_xact_lock key: one refresh at a time


def day_sql(column: str) -> str:
    """The WIB calendar day of a timestamp as days since 1970-01-01: WIB is UTC+7 all year (no
    daylight saving since 1964), and integer arithmetic on date_part (a double) is cheaper per
    row than AT TIME ZONE or EXTRACT (a numeric). ``day_of`` turns it back into a date."""
    return f"floor((date_part('epoch', {column}) + 25200) / 86400)::int"


def day_of(number: int) -> date:
    return EPOCH_WIB + timedelta(days=int(number))


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=WIB)


@dataclass
class DayFacts:
    """What the figures count on one platform on one WIB day.

    Cases opened that day: ``opened``; SLA ``met``, ``breached_settled`` (settled after the due
    time) and ``unsettled_dues`` (the due times of those not settled, epoch seconds, sorted),
    of which ``running`` are not yet due at the reader's clock (``split``); ``minutes`` to first
    decision (sorted); ``reasons``: reason -> [met, breached_settled] and ``reason_dues``;
    ``subjects``: pair/party id -> [cases, flags, removals, labels] and ``subject_minutes``.
    Cases settled that day: ``settled``. Decisions that took effect, recorded that day, by
    ``actions``, ``categories`` and ``deciders`` (user id). Callbacks written that day:
    ``callbacks`` status -> count, ``callbacks_oldest_waiting``."""

    platform_id: int
    day: date
    opened: int = 0
    settled: int = 0
    met: int = 0
    breached_settled: int = 0
    unsettled_dues: list[float] = field(default_factory=list)
    minutes: list[float] = field(default_factory=list)
    reasons: dict[str, list[int]] = field(default_factory=dict)
    reason_dues: dict[str, list[float]] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    deciders: dict[int, int] = field(default_factory=dict)
    callbacks: dict[str, int] = field(default_factory=dict)
    callbacks_oldest_waiting: datetime | None = None
    subjects: dict[str, list[int]] = field(default_factory=dict)
    subject_minutes: dict[str, list[float]] = field(default_factory=dict)
    # Set by ``split``: the unsettled cases not yet due, in all and per reason.
    running: int = 0
    reason_running: dict[str, int] = field(default_factory=dict)

    def split(self, now: datetime) -> "DayFacts":
        """Count the unsettled cases not yet due at ``now`` (``due_at >= now``)."""
        moment = now.timestamp()
        self.running = len(self.unsettled_dues) - bisect_left(self.unsettled_dues, moment)
        self.reason_running = {
            reason: len(dues) - bisect_left(dues, moment)
            for reason, dues in self.reason_dues.items()
        }
        return self

    @property
    def breached(self) -> int:
        """Settled after the due time, or unsettled and past it."""
        return self.breached_settled + len(self.unsettled_dues) - self.running

    def reason_counts(self) -> Iterator[tuple[str, int, int, int]]:
        """Per reason: met, breached, running (after ``split``)."""
        for reason, (met, late) in self.reasons.items():
            due = len(self.reason_dues.get(reason, ()))
            running = self.reason_running.get(reason, 0)
            yield reason, met, late + due - running, running

    def stored_facts(self) -> dict[str, Any]:
        oldest = self.callbacks_oldest_waiting
        return {
            "met": self.met,
            "breached_settled": self.breached_settled,
            "reasons": self.reasons,
            "actions": self.actions,
            "categories": self.categories,
            "deciders": {str(k): n for k, n in self.deciders.items()},
            "callbacks": self.callbacks,
            "callbacks_oldest_waiting": oldest.isoformat() if oldest else None,
            "subjects": self.subjects,
            # The order and length of the runs in the row's binary columns.
            "subject_minutes": [[k, len(v)] for k, v in self.subject_minutes.items()],
            "reason_dues": [[k, len(v)] for k, v in self.reason_dues.items()],
        }

    def stored_row(self, now: datetime) -> DashboardDay:
        return DashboardDay(
            platform_id=self.platform_id,
            day=self.day,
            opened=self.opened,
            settled=self.settled,
            minutes=floats_bytes(self.minutes),
            unsettled_dues=floats_bytes(self.unsettled_dues),
            reason_dues=floats_bytes(m for v in self.reason_dues.values() for m in v),
            subject_minutes=floats_bytes(m for v in self.subject_minutes.values() for m in v),
            facts=self.stored_facts(),
            computed_at=now,
        )

    @classmethod
    def from_row(cls, row: DashboardDay) -> "DayFacts":
        facts = row.facts
        oldest = facts.get("callbacks_oldest_waiting")
        return cls(
            platform_id=row.platform_id,
            day=row.day,
            opened=row.opened,
            settled=row.settled,
            met=facts.get("met", 0),
            breached_settled=facts.get("breached_settled", 0),
            unsettled_dues=floats_of(row.unsettled_dues),
            minutes=floats_of(row.minutes),
            reasons=facts.get("reasons", {}),
            reason_dues=_runs_of(floats_of(row.reason_dues), facts.get("reason_dues", [])),
            actions=facts.get("actions", {}),
            categories=facts.get("categories", {}),
            deciders={int(k): n for k, n in facts.get("deciders", {}).items()},
            callbacks=facts.get("callbacks", {}),
            callbacks_oldest_waiting=parse_datetime(oldest) if oldest else None,
            subjects=facts.get("subjects", {}),
            subject_minutes=_runs_of(
                floats_of(row.subject_minutes), facts.get("subject_minutes", [])
            ),
        )


def floats_bytes(values: Iterable[float]) -> bytes:
    """Doubles as stored (native byte order: the summaries are read where they were written,
    and the refresh rewrites them)."""
    return array("d", values).tobytes()


def floats_of(data: bytes | memoryview | None) -> list[float]:
    out = array("d")
    if data:
        out.frombytes(bytes(data))
    return out.tolist()


def _runs_of(values: list[float], index: list[list[Any]]) -> dict[str, list[float]]:
    out, start = {}, 0
    for key, count in index:
        out[str(key)] = values[start : start + count]
        start += count
    return out


# A case is settled at the first of its first effective decision and its close: the cases
# settled in [start, end), each counted by whichever came first (two index range scans).
SETTLED_BY_DECISION = (
    "first_decided_at >= %(start)s AND first_decided_at < %(end)s"
    " AND (closed_at IS NULL OR closed_at >= first_decided_at)"
)
SETTLED_BY_CLOSE = (
    "closed_at >= %(start)s AND closed_at < %(end)s"
    " AND (first_decided_at IS NULL OR first_decided_at > closed_at)"
)


def sql_rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def runs_of(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    out: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if out and out[-1][1] + timedelta(days=1) == day:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def day_facts_compute(
    first: date, last: date, platform_ids: Iterable[int] | None
) -> dict[tuple[int, date], DayFacts]:
    """Every (platform, day) of the days ``first`` to ``last`` (WIB, inclusive) that has
    anything, read from the tables (before ``split``)."""
    platforms = None if platform_ids is None else list(platform_ids)
    params = {
        "start": day_start(first),
        "end": day_start(last + timedelta(days=1)),
        "platforms": platforms or [],
        "effective": list(EFFECTIVE_APPROVAL_STATES),
        "waiting": list(WAITING),
    }

    def only(column: str) -> str:
        return "" if platforms is None else f" AND {column} = ANY(%(platforms)s)"

    out: dict[tuple[int, date], DayFacts] = {}

    def facts(platform_id: int, day_number: int) -> DayFacts:
        key = (platform_id, day_of(day_number))
        if key not in out:
            out[key] = DayFacts(platform_id=platform_id, day=key[1])
        return out[key]

    settled_at = "LEAST(first_decided_at, closed_at)"
    minutes = "date_part('epoch', first_decided_at - opened_at) / 60.0"
    due = "date_part('epoch', due_at)"
    # Cases opened: read from the covering index case_opened_dashboard alone.
    for platform, day, n, met, late, dues, mins in sql_rows(
        f"SELECT platform_id, {day_sql('opened_at')}, count(*),"
        f" count(*) FILTER (WHERE {settled_at} <= due_at),"
        f" count(*) FILTER (WHERE {settled_at} > due_at),"
        f" array_agg({due} ORDER BY {due})"
        f"   FILTER (WHERE due_at IS NOT NULL AND {settled_at} IS NULL),"
        f" array_agg({minutes} ORDER BY {minutes}) FILTER (WHERE first_decided_at IS NOT NULL)"
        " FROM moderation_case WHERE opened_at >= %(start)s AND opened_at < %(end)s"
        f"{only('platform_id')} GROUP BY 1, 2",
        params,
    ):
        row = facts(platform, day)
        row.opened, row.met, row.breached_settled = int(n), int(met), int(late)
        row.unsettled_dues, row.minutes = list(dues or []), list(mins or [])
    for platform, day, reason, met, late, dues in sql_rows(
        f"SELECT platform_id, {day_sql('opened_at')}, r.reason,"
        f" count(*) FILTER (WHERE {settled_at} <= due_at),"
        f" count(*) FILTER (WHERE {settled_at} > due_at),"
        f" array_agg({due} ORDER BY {due}) FILTER (WHERE {settled_at} IS NULL)"
        " FROM moderation_case CROSS JOIN LATERAL unnest(reasons) AS r(reason)"
        " WHERE opened_at >= %(start)s AND opened_at < %(end)s AND due_at IS NOT NULL"
        f"{only('platform_id')} GROUP BY 1, 2, 3",
        params,
    ):
        row = facts(platform, day)
        row.reasons[reason] = [int(met), int(late)]
        if dues:
            row.reason_dues[reason] = list(dues)
    for platform, day, n in sql_rows(
        f"SELECT platform_id, {day_sql('t')}, count(*) FROM ("
        " SELECT platform_id, first_decided_at AS t FROM moderation_case"
        f" WHERE {SETTLED_BY_DECISION}{only('platform_id')}"
        " UNION ALL SELECT platform_id, closed_at FROM moderation_case"
        f" WHERE {SETTLED_BY_CLOSE}{only('platform_id')}"
        ") s GROUP BY 1, 2",
        params,
    ):
        facts(platform, day).settled = int(n)
    for platform, day, action, category, decider, n in sql_rows(
        f"SELECT c.platform_id, {day_sql('d.decided_at')}, d.action, d.category,"
        " d.decided_by_id, count(*) FROM moderation_decision d"
        " JOIN moderation_case c ON c.id = d.case_id"
        " WHERE d.decided_at >= %(start)s AND d.decided_at < %(end)s"
        f" AND d.approval_state = ANY(%(effective)s){only('c.platform_id')}"
        " GROUP BY 1, 2, 3, 4, 5",
        params,
    ):
        row = facts(platform, day)
        row.actions[action] = row.actions.get(action, 0) + int(n)
        row.categories[category] = row.categories.get(category, 0) + int(n)
        row.deciders[decider] = row.deciders.get(decider, 0) + int(n)
    for platform, day, status, n, oldest in sql_rows(
        f"SELECT platform_id, {day_sql('created_at')}, status, count(*),"
        " min(created_at) FILTER (WHERE status = ANY(%(waiting)s))"
        " FROM moderation_outbounddelivery WHERE created_at >= %(start)s"
        f" AND created_at < %(end)s{only('platform_id')} GROUP BY 1, 2, 3",
        params,
    ):
        row = facts(platform, day)
        row.callbacks[status] = int(n)
        if oldest is not None and (
            row.callbacks_oldest_waiting is None or oldest < row.callbacks_oldest_waiting
        ):
            row.callbacks_oldest_waiting = oldest
    for platform, day, subject, n, flags, mins in sql_rows(
        f"SELECT cs.case_platform_id, {day_sql('cs.case_opened_at')}, cs.subject_id, count(*),"
        " sum(c.flag_count),"
        " array_agg(date_part('epoch', c.first_decided_at - c.opened_at) / 60.0"
        "   ORDER BY date_part('epoch', c.first_decided_at - c.opened_at) / 60.0)"
        "   FILTER (WHERE c.first_decided_at IS NOT NULL)"
        " FROM moderation_casesubject cs JOIN moderation_case c ON c.id = cs.case_id"
        " WHERE cs.case_opened_at >= %(start)s AND cs.case_opened_at < %(end)s"
        # The same range on the case (the same value) reads its side from the index alone.
        " AND c.opened_at >= %(start)s AND c.opened_at < %(end)s"
        f"{only('cs.case_platform_id')} GROUP BY 1, 2, 3",
        params,
    ):
        row = facts(platform, day)
        row.subjects[str(subject)] = [int(n), int(flags or 0), 0, 0]
        if mins:
            row.subject_minutes[str(subject)] = list(mins)
    for platform, day, subject, action, n in sql_rows(
        f"SELECT c.platform_id, {day_sql('d.decided_at')}, cs.subject_id, d.action, count(*)"
        " FROM moderation_decision d JOIN moderation_casesubject cs ON cs.case_id = d.case_id"
        " JOIN moderation_case c ON c.id = d.case_id"
        " WHERE d.decided_at >= %(start)s AND d.decided_at < %(end)s"
        " AND d.approval_state = ANY(%(effective)s) AND d.action IN ('remove', 'label')"
        f"{only('c.platform_id')} GROUP BY 1, 2, 3, 4",
        params,
    ):
        counts = facts(platform, day).subjects.setdefault(str(subject), [0, 0, 0, 0])
        counts[2 if action == "remove" else 3] = int(n)
    return out


def day_facts_for(
    since: date, until: date, platform_ids: tuple[int, ...] | None, now: datetime
) -> list[DayFacts]:
    """The facts of every (platform, day) from ``since`` to ``until`` (WIB) with anything in
    it, up to today: stored rows that still hold, the other days computed from the tables."""
    today = now.astimezone(WIB).date()
    last = min(until, today)
    if last < since:
        return []
    stored = _stored_rows(since, last, platform_ids)
    clean = {key: DayFacts.from_row(row) for key, row in stored.items() if key[1] < today}
    visible = _visible_platforms(platform_ids)
    live_days = [
        day
        for day in _days(since, last)
        if any((platform, day) not in clean for platform in visible)
    ]
    out = [f for key, f in clean.items() if key[1] not in live_days]
    for first, end in runs_of(live_days):
        out.extend(day_facts_compute(first, end, platform_ids).values())
    return [f.split(now) for f in out]


def opened_minus_settled_before(
    day: date, platform_ids: tuple[int, ...] | None, now: datetime
) -> int:
    """The backlog when ``day`` began (WIB): the cases opened before it less those settled
    before it, from the stored rows that hold and, for the other days, the tables."""
    (first,) = sql_rows("SELECT min(opened_at) FROM moderation_case", {})[0]
    if first is None or first >= day_start(day):
        return 0
    first_day = first.astimezone(WIB).date()
    summed = {
        (platform, d): (opened, settled)
        for platform, d, opened, settled in _clean_rows(platform_ids)
        .filter(day__lt=day)
        .values_list("platform_id", "day", "opened", "settled")
    }
    visible = _visible_platforms(platform_ids)
    today = now.astimezone(WIB).date()
    total = 0
    live: list[date] = []
    for d in _days(first_day, day - timedelta(days=1)):
        if d < today and all((p, d) in summed for p in visible):
            total += sum(summed[(p, d)][0] - summed[(p, d)][1] for p in visible)
        else:
            live.append(d)
    for run_first, run_last in runs_of(live):
        total += _opened_minus_settled(run_first, run_last, platform_ids)
    return total


def _opened_minus_settled(first: date, last: date, platform_ids: tuple[int, ...] | None) -> int:
    only = "" if platform_ids is None else " AND platform_id = ANY(%(platforms)s)"
    params = {
        "start": day_start(first),
        "end": day_start(last + timedelta(days=1)),
        "platforms": list(platform_ids or []),
    }
    opened, settled = sql_rows(
        "SELECT (SELECT count(*) FROM moderation_case WHERE opened_at >= %(start)s"
        f"   AND opened_at < %(end)s{only}),"
        f" (SELECT count(*) FROM moderation_case WHERE {SETTLED_BY_DECISION}{only})"
        f" + (SELECT count(*) FROM moderation_case WHERE {SETTLED_BY_CLOSE}{only})",
        params,
    )[0]
    return int(opened) - int(settled)


def _stored_rows(
    since: date, until: date, platform_ids: tuple[int, ...] | None
) -> dict[tuple[int, date], DashboardDay]:
    rows = _clean_rows(platform_ids).filter(day__gte=since, day__lte=until)
    return {(row.platform_id, row.day): row for row in rows}


def _clean_rows(platform_ids: tuple[int, ...] | None) -> QuerySet[DashboardDay]:
    """The stored days no dirty mark names, of the given platforms (None: all)."""
    dirty = DashboardDirtyDay.objects.filter(
        platform_id=OuterRef("platform_id"), day=OuterRef("day")
    )
    rows = DashboardDay.objects.filter(~Exists(dirty))
    if platform_ids is not None:
        rows = rows.filter(platform_id__in=platform_ids)
    return rows


def _visible_platforms(platform_ids: tuple[int, ...] | None) -> list[int]:
    if platform_ids is not None:
        return list(platform_ids)
    return list(Platform.objects.order_by("pk").values_list("pk", flat=True))


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# --- The refresh (a periodic task) -----------------------------------------------------------


class RefreshBusy(Exception):
    """Another refresh holds the lock."""


@dataclass
class RefreshResult:
    days: int
    remaining: int


def dashboard_days_refresh(*, now: datetime | None = None, max_days: int = 31) -> RefreshResult:
    """Summarise up to ``max_days`` past days that are marked dirty or were never summarised
    (the most recent first), for every platform. One transaction: the dirty marks are taken
    first (waiting for nothing: marks are plain inserts), so a write that commits after the
    day is read marks it again and the next refresh recomputes it."""
    now = now or timezone.now()
    last = (now - SETTLE_GRACE).astimezone(WIB).date() - timedelta(days=1)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
            (locked,) = cursor.fetchone()
        if not locked:
            return RefreshResult(days=0, remaining=-1)
        wanted = _days_wanted(last)
        todo = sorted(wanted, reverse=True)[:max_days]
        if not todo:
            return RefreshResult(days=0, remaining=0)
        sql_rows(
            "DELETE FROM moderation_dashboarddirtyday WHERE day = ANY(%(days)s) RETURNING 1",
            {"days": todo},
        )
        platforms = list(Platform.objects.values_list("pk", flat=True))
        computed: dict[tuple[int, date], DayFacts] = {}
        for first, end in runs_of(todo):
            computed.update(day_facts_compute(first, end, None))
        DashboardDay.objects.filter(day__in=todo).delete()
        DashboardDay.objects.bulk_create(
            [
                (computed.get((platform, day)) or DayFacts(platform, day)).stored_row(now)
                for platform in platforms
                for day in todo
            ],
            batch_size=500,
        )
    return RefreshResult(days=len(todo), remaining=len(wanted) - len(todo))


def dashboard_days_refresh_for(
    *,
    seconds: float,
    batch: int = 31,
    on_batch: Callable[[int, RefreshResult], None] | None = None,
) -> int:
    """``dashboard_days_refresh`` a batch at a time (each its own transaction) until nothing is
    left or ``seconds`` have passed; how many days were summarised. ``on_batch(done, result)``
    after each batch. Raises ``RefreshBusy`` if another refresh holds the lock."""
    started = monotonic()
    done = 0
    while True:
        result = dashboard_days_refresh(max_days=batch)
        if result.remaining < 0:
            raise RefreshBusy()
        done += result.days
        if on_batch is not None and result.days:
            on_batch(done, result)
        if result.days == 0 or result.remaining == 0 or monotonic() - started >= seconds:
            return done


def _days_wanted(last: date) -> set[date]:
    """Past days up to ``last`` marked dirty, or missing a row for some platform, from the
    first day anything was opened."""
    (first,) = sql_rows("SELECT min(opened_at) FROM moderation_case", {})[0]
    if first is None:
        return set()
    first_day = first.astimezone(WIB).date()
    dirty = {
        d
        for (d,) in sql_rows(
            "SELECT DISTINCT day FROM moderation_dashboarddirtyday WHERE day <= %(last)s",
            {"last": last},
        )
    }
    platforms = Platform.objects.count()
    complete = {
        d
        for d, n in sql_rows(
            "SELECT day, count(*) FROM moderation_dashboardday WHERE day >= %(first)s"
            " AND day <= %(last)s GROUP BY 1",
            {"first": first_day, "last": last},
        )
        if n >= platforms
    }
    missing = {d for d in _days(first_day, last) if d not in complete}
    return dirty | missing


__all__ = [
    "DayFacts",
    "RefreshBusy",
    "RefreshResult",
    "dashboard_days_refresh",
    "dashboard_days_refresh_for",
    "day_facts_compute",
    "day_facts_for",
    "opened_minus_settled_before",
    "runs_of",
]

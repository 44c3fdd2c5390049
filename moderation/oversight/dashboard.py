# ruff: noqa: S608 - the SQL is built from constant fragments; every value is a bound parameter.
"""The oversight dashboards' figures: every number a supervisor watches during a shift, for a
date range in WIB and the platforms the reader may see. Reads only; each figure is one SQL
statement over indexed ranges, and tests/oversight/test_dashboard.py checks each against an
independent query.

The definitions (docs/transparency.md, "Dashboard figures"):

- a day is a calendar day in WIB; the range is [since 00:00 WIB, until + 1 day 00:00 WIB);
- a decision *counts* when it took effect: not held, or held and approved
  (``EFFECTIVE_APPROVAL_STATES``), on the day it was recorded (``Decision.decided_at``);
- a case is *settled* at its first decision that took effect (``Case.first_decided_at``) or
  when it was closed, whichever came first; the backlog at a moment is the cases opened
  before it and not settled by then (an appeal reopens no backlog history);
- the SLA is met when a case was settled by its due time, breached when it was settled later
  or is still unsettled past it, and still running otherwise (not in the rate);
- time to first decision is ``first_decided_at - opened_at`` over cases opened in the range.
"""

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from moderation.choices import Action, DeliveryStatus, Reason
from moderation.models import ElectionPhase, Platform, User
from moderation.oversight.dashboard_days import (
    WIB,
    DayFacts,
    day_facts_for,
    day_of,
    day_sql,
    day_start,
    opened_minus_settled_before,
    sql_rows,
)

TOP_MODERATORS = 25


@dataclass(frozen=True)
class DashboardScope:
    """What a dashboard shows: the WIB days ``since`` to ``until`` (inclusive) and the
    platforms (None: every platform)."""

    since: date
    until: date
    platform_ids: tuple[int, ...] | None
    now: datetime
    # The shared scans, once per scope (not part of its identity).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def start(self) -> datetime:
        return day_start(self.since)

    @property
    def end(self) -> datetime:
        return day_start(self.until + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=i) for i in range((self.until - self.since).days + 1)]

    @property
    def is_live(self) -> bool:
        """Whether the range reaches today, so its numbers still change."""
        return self.end > self.now


@contextmanager
def dashboard_reads() -> Iterator[None]:
    """One transaction for a page's figures, with room to sort a range's rows in
    memory (percentiles, grouping sets) instead of spilling to disk."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


# --- The shared facts --------------------------------------------------------------------------
#
# Every figure but the clarifications published reads the per-platform, per-day facts of its
# range (dashboard_days.py): stored summaries where they still hold, the rest computed from the
# tables; once per scope (a page or a section asks several figures of one scope).


def _memo(scope: "DashboardScope", key: str, compute: Any) -> Any:
    if key not in scope.memo:
        scope.memo[key] = compute()
    return scope.memo[key]


def scope_facts(scope: DashboardScope) -> list[DayFacts]:
    result: list[DayFacts] = _memo(
        scope,
        "facts",
        lambda: day_facts_for(scope.since, scope.until, scope.platform_ids, scope.now),
    )
    return result


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont`` over sorted ``values``: linear interpolation between
    the two rows around ``fraction * (n - 1)``, the same arithmetic in double precision."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    first, second = math.floor(position), math.ceil(position)
    low = values[first]
    if first == second:
        return low
    return low + (values[second] - low) * (position - first)


@dataclass
class CaseDay:
    """The cases opened on one WIB day (``day`` None: the whole range)."""

    day: date | None
    opened: int
    met: int
    breached: int
    running: int
    decided: int
    median_minutes: float | None
    p90_minutes: float | None


def _case_day(day: date | None, facts: Sequence[DayFacts], minutes: list[float]) -> CaseDay:
    minutes.sort()
    return CaseDay(
        day,
        sum(f.opened for f in facts),
        sum(f.met for f in facts),
        sum(f.breached for f in facts),
        sum(f.running for f in facts),
        len(minutes),
        round1(percentile_cont(minutes, 0.5)),
        round1(percentile_cont(minutes, 0.9)),
    )


def _case_days(scope: DashboardScope) -> list[CaseDay]:
    def compute() -> list[CaseDay]:
        by_day: dict[date, list[DayFacts]] = defaultdict(list)
        for facts in scope_facts(scope):
            if facts.opened:
                by_day[facts.day].append(facts)
        everything = [f for day in by_day.values() for f in day]
        out = [_case_day(None, everything, [m for f in everything for m in f.minutes])]
        for day in sorted(by_day):
            out.append(_case_day(day, by_day[day], [m for f in by_day[day] for m in f.minutes]))
        return out

    result: list[CaseDay] = _memo(scope, "case_days", compute)
    return result


@dataclass
class DecisionSets:
    by_day_action: dict[tuple[date, str], int]
    by_category: dict[str, int]
    by_decider_day: dict[tuple[int, date], int]

    def by_day(self) -> dict[date, int]:
        out: dict[date, int] = defaultdict(int)
        for (day, _action), n in self.by_day_action.items():
            out[day] += n
        return out

    def by_action(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for (_day, action), n in self.by_day_action.items():
            out[action] += n
        return out

    def by_decider(self) -> dict[int, tuple[int, int]]:
        """user id -> (decisions, days on which they decided)."""
        out: dict[int, tuple[int, int]] = {}
        for (user_id, _day), n in self.by_decider_day.items():
            count, days = out.get(user_id, (0, 0))
            out[user_id] = (count + n, days + 1)
        return out


def _decision_sets(scope: DashboardScope) -> DecisionSets:
    def compute() -> DecisionSets:
        by_day_action: dict[tuple[date, str], int] = defaultdict(int)
        by_category: dict[str, int] = defaultdict(int)
        by_decider_day: dict[tuple[int, date], int] = defaultdict(int)
        for facts in scope_facts(scope):
            for action, n in facts.actions.items():
                by_day_action[(facts.day, action)] += n
            for category, n in facts.categories.items():
                by_category[category] += n
            for decider, n in facts.deciders.items():
                by_decider_day[(decider, facts.day)] += n
        return DecisionSets(dict(by_day_action), dict(by_category), dict(by_decider_day))

    result: DecisionSets = _memo(scope, "decision_sets", compute)
    return result


# --- Inflow, decisions and the backlog -------------------------------------------------------


@dataclass
class DayFlow:
    day: date
    opened: int = 0
    decided: int = 0
    settled: int = 0
    backlog: int = 0


def flow_by_day(scope: DashboardScope) -> list[DayFlow]:
    """Per WIB day: cases opened, decisions that took effect, cases settled, and the backlog
    at the end of the day (at ``now`` for today)."""
    opened = {row.day: row.opened for row in _case_days(scope) if row.day is not None}
    decided = _decision_sets(scope).by_day()
    settled: dict[date, int] = defaultdict(int)
    for facts in scope_facts(scope):
        settled[facts.day] += facts.settled
    backlog = opened_minus_settled_before(scope.since, scope.platform_ids, scope.now)
    today = scope.now.astimezone(WIB).date()
    out = []
    for day in scope.days:
        if day > today:
            break
        row = DayFlow(
            day=day,
            opened=int(opened.get(day, 0)),
            decided=int(decided.get(day, 0)),
            settled=int(settled.get(day, 0)),
        )
        backlog += row.opened - row.settled
        row.backlog = backlog
        out.append(row)
    return out


# --- SLA compliance --------------------------------------------------------------------------


@dataclass
class SlaRow:
    key: str
    label: str
    met: int = 0
    breached: int = 0
    running: int = 0

    @property
    def rate(self) -> float | None:
        judged = self.met + self.breached
        return round(100 * self.met / judged, 1) if judged else None


def _phases() -> list[ElectionPhase]:
    return list(ElectionPhase.objects.order_by("-starts_on"))


def _phase_of(day: date, phases: list[ElectionPhase]) -> ElectionPhase | None:
    """As ``policy.phase_on``: the latest-starting phase that covers the day."""
    return next((p for p in phases if p.starts_on <= day <= p.ends_on), None)


def sla_by_phase(scope: DashboardScope) -> list[SlaRow]:
    """SLA outcomes of the cases opened in the range, by the election phase of the day they
    were opened (cases without a due time are left out)."""
    phases = _phases()
    by_key: dict[str, SlaRow] = {}
    for day in _case_days(scope):
        if day.day is None or not (day.met or day.breached or day.running):
            continue
        phase = _phase_of(day.day, phases)
        key = str(phase.pk) if phase else "-"
        row = by_key.setdefault(key, SlaRow(key=key, label=phase.name if phase else ""))
        row.met += day.met
        row.breached += day.breached
        row.running += day.running
    return list(by_key.values())


def sla_by_reason(scope: DashboardScope) -> list[SlaRow]:
    """SLA outcomes of the cases opened in the range, by reason (a case with two reasons
    counts under each)."""
    totals: dict[str, list[int]] = {}
    for facts in scope_facts(scope):
        for reason, met, breached, running in facts.reason_counts():
            counts = totals.setdefault(reason, [0, 0, 0])
            counts[0] += met
            counts[1] += breached
            counts[2] += running
    rows = [(r, m, b, n) for r, (m, b, n) in totals.items()]
    out = [
        SlaRow(key=r, label=reason_label(r), met=int(m), breached=int(b), running=int(n))
        for r, m, b, n in rows
    ]
    order = {value: i for i, value in enumerate(Reason.values)}
    return sorted(out, key=lambda row: order.get(row.key, len(order)))


def reason_label(value: str) -> str:
    try:
        return str(Reason(value).label)
    except ValueError:
        return value


# --- Time to first decision ------------------------------------------------------------------


@dataclass
class DecisionTimes:
    """Minutes from a case's opening to its first decision that took effect."""

    decided: int
    median_minutes: float | None
    p90_minutes: float | None
    by_day: list[tuple[date, float | None, float | None]] = field(default_factory=list)


def time_to_first_decision(scope: DashboardScope) -> DecisionTimes:
    """Median and 90th percentile over the cases opened in the range that have a first
    decision, overall and by the day they were opened."""
    days = _case_days(scope)
    overall = next((d for d in days if d.day is None), None)
    return DecisionTimes(
        decided=overall.decided if overall else 0,
        median_minutes=overall.median_minutes if overall else None,
        p90_minutes=overall.p90_minutes if overall else None,
        by_day=[
            (d.day, d.median_minutes, d.p90_minutes)
            for d in days
            if d.day is not None and d.decided
        ],
    )


def round1(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


# --- Decisions -------------------------------------------------------------------------------


@dataclass
class DecisionCounts:
    by_action: list[tuple[str, int]]
    by_category: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _k, n in self.by_action)


def decisions_breakdown(scope: DashboardScope) -> DecisionCounts:
    """Decisions that took effect in the range, by action and by category."""
    sets = _decision_sets(scope)
    by_action = sets.by_action()
    return DecisionCounts(
        by_action=[(a, by_action[a]) for a in Action.values if a in by_action],
        by_category=sorted(sets.by_category.items(), key=lambda kv: (-kv[1], kv[0])),
    )


@dataclass
class ModeratorThroughput:
    user_id: int
    name: str
    decisions: int
    per_active_day: float


def moderator_throughput(scope: DashboardScope) -> list[ModeratorThroughput]:
    """Decisions that took effect in the range per person who recorded them (the busiest
    ``TOP_MODERATORS``), and per day on which they decided at all."""
    busiest = sorted(_decision_sets(scope).by_decider().items(), key=lambda kv: (-kv[1][0], kv[0]))
    busiest = busiest[:TOP_MODERATORS]
    users = User.objects.in_bulk([user_id for user_id, _n in busiest])
    out = []
    for user_id, (count, days) in busiest:
        user = users.get(user_id)
        name = (user.get_full_name() or user.username) if user else f"#{user_id}"
        out.append(
            ModeratorThroughput(
                user_id=user_id,
                name=name,
                decisions=count,
                per_active_day=round(count / max(days, 1), 1),
            )
        )
    return out


# --- Clarifications and labels ---------------------------------------------------------------


@dataclass
class ClarificationDay:
    day: date
    published: int
    labelled: int


def clarifications_and_labels(scope: DashboardScope) -> list[ClarificationDay]:
    """Per day: clarification versions KPU published (every platform: clarifications are
    KPU's, not a platform's) and labels applied with one (label decisions that took effect)."""
    published = {
        day_of(day): n
        for day, n in sql_rows(
            f"SELECT {day_sql('published_at')}, count(*) FROM moderation_clarificationversion"
            " WHERE published_at >= %(start)s AND published_at < %(end)s GROUP BY 1",
            {"start": scope.start, "end": scope.end},
        )
    }
    labelled = {
        day: n
        for (day, action), n in _decision_sets(scope).by_day_action.items()
        if action == Action.LABEL
    }
    today = scope.now.astimezone(WIB).date()
    return [
        ClarificationDay(
            day=d, published=int(published.get(d, 0)), labelled=int(labelled.get(d, 0))
        )
        for d in scope.days
        if d <= today
    ]


# --- Callback health -------------------------------------------------------------------------


@dataclass
class CallbackHealth:
    platform_id: int
    platform_name: str
    counts: dict[str, int]
    oldest_waiting_at: datetime | None

    @property
    def waiting(self) -> int:
        return self.counts.get(DeliveryStatus.PENDING, 0) + self.counts.get(
            DeliveryStatus.SENDING, 0
        )


def callback_health(scope: DashboardScope) -> list[CallbackHealth]:
    """Callbacks written in the range, per platform and status (delivered, failed, waiting:
    pending or sending, paused), with the oldest one still waiting."""
    names = dict(Platform.objects.values_list("pk", "name"))
    out: dict[int, CallbackHealth] = {}
    for facts in scope_facts(scope):
        if not facts.callbacks:
            continue
        row = out.setdefault(
            facts.platform_id,
            CallbackHealth(facts.platform_id, names.get(facts.platform_id, ""), {}, None),
        )
        for status, count in facts.callbacks.items():
            row.counts[status] = row.counts.get(status, 0) + count
        oldest = facts.callbacks_oldest_waiting
        if oldest is not None and (row.oldest_waiting_at is None or oldest < row.oldest_waiting_at):
            row.oldest_waiting_at = oldest
    return sorted(out.values(), key=lambda row: row.platform_name)


def data_generation() -> str:
    """Changes whenever a row the figures count is added: the newest id of each table they
    read (one index lookup each). Part of the section cache's key (dashboard_views.py), so a
    new case, flag, decision, callback, clarification version or pair/party link shows at the
    next poll; a change to an existing row (a close, an approval, a callback delivered) shows
    within the cache's 30 seconds."""
    row = sql_rows(
        "SELECT (SELECT max(id) FROM moderation_case), (SELECT max(id) FROM moderation_decision),"
        " (SELECT max(id) FROM moderation_outbounddelivery),"
        " (SELECT max(id) FROM moderation_clarificationversion),"
        " (SELECT max(id) FROM moderation_casesubject), (SELECT max(id) FROM moderation_flag)",
        {},
    )[0]
    return ".".join(str(v or 0) for v in row)


FIGURES: Sequence[str] = (
    "flow",
    "sla",
    "times",
    "decisions",
    "moderators",
    "clarifications",
    "callbacks",
    "neutrality",
)

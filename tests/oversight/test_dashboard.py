# ruff: noqa: S608 - test queries built from constant fragments; values are parameters.
"""Every dashboard figure against an independent SQL query.

The queries here are written from the definitions (moderation/oversight/dashboard.py, docs),
naively: first decisions from the decision table itself (not ``Case.first_decided_at``, which
the implementation reads and a trigger keeps), one day at a time, correlated subqueries. The
data set spreads cases over the quiet period, voting day and tabulation of 2024 on two
platforms, with held, approved, rejected and superseding decisions, closes, flags, callbacks,
clarification versions and candidate pairs and parties.
"""

import random
from datetime import date, datetime, timedelta

import pytest
from django.db import connection

from moderation.choices import (
    Action,
    ApprovalState,
    CallbackEventType,
    DeliveryStatus,
    FlagSource,
    Reason,
    Role,
    SubjectKind,
)
from moderation.models import (
    Case,
    ClarificationVersion,
    DashboardDay,
    DashboardDirtyDay,
    Decision,
    ElectoralSubject,
    OutboundDelivery,
    User,
)
from moderation.models import CaseSubject as CaseSubjectLink
from moderation.oversight import dashboard as figures
from moderation.oversight.dashboard import WIB, DashboardScope
from moderation.oversight.dashboard_days import dashboard_days_refresh
from moderation.oversight.neutrality import neutrality_by_subject
from tests.factories import (
    CaseFactory,
    DecisionFactory,
    FlagFactory,
    PublishedClarificationFactory,
    UserFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 2, 16, 15, 0, tzinfo=WIB)
SINCE = date(2024, 2, 10)
UNTIL = date(2024, 2, 16)
EFFECTIVE = ("not_required", "approved")


def wib(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2024, 2, day, hour, minute, tzinfo=WIB)


@pytest.fixture
def electoral_subjects(db):
    from importlib import import_module

    from django.apps import apps

    import_module("moderation.migrations.0017_neutrality").seed(apps)
    return list(ElectoralSubject.objects.order_by("kind", "ballot_number"))


@pytest.fixture(params=["tables", "summaries", "summaries then late writes"])
def dataset(request, season):
    """The season read three ways: from the tables alone (no day summarised); from the day
    summaries (dashboard_days_refresh at NOW: every day before 16 February); and from the
    summaries after late writes to summarised days (a held decision approved, a case closed,
    a callback delivered, a pair tagged on an old case), which the triggers mark dirty."""
    if request.param != "tables":
        result = dashboard_days_refresh(now=NOW, max_days=100)
        assert result.days == 9
        assert result.remaining == 0
        assert DashboardDay.objects.count() == 9 * 2
    if request.param == "summaries then late writes":
        late_writes(season)
        assert DashboardDirtyDay.objects.exists()
    return season


def late_writes(season):
    """Writes today (the database's clock) to rows of summarised days."""
    pending = Decision.objects.filter(approval_state="pending", decided_at__lt=wib(15)).order_by(
        "pk"
    )[:2]
    for decision in pending:
        Decision.objects.filter(pk=decision.pk).update(
            approval_state=ApprovalState.APPROVED, approved_at=wib(16, 9)
        )
    unsettled = Case.objects.filter(
        opened_at__lt=wib(12), closed_at__isnull=True, first_decided_at__isnull=True
    ).order_by("pk")
    Case.objects.filter(pk=unsettled[0].pk).update(status="closed", closed_at=wib(16, 10))
    OutboundDelivery.objects.filter(created_at__lt=wib(14)).exclude(
        status=DeliveryStatus.DELIVERED
    ).update(status=DeliveryStatus.DELIVERED)
    tagged = {link.case_id for link in CaseSubjectLink.objects.all()}
    untagged = next(c for c in season["cases"] if c.pk not in tagged and c.opened_at < wib(13))
    subject = ElectoralSubject.objects.order_by("pk").first()
    CaseSubjectLink.objects.create(
        case=untagged,
        subject=subject,
        tagged_by=User.objects.order_by("pk").first(),
        tagged_at=wib(16, 11),
        case_opened_at=untagged.opened_at,
        case_platform_id=untagged.platform_id,
    )


@pytest.fixture
def season(tiktok, other_platform, electoral_subjects):
    """About 120 cases from 7 to 16 February 2024 (WIB), some opened before the range."""
    rng = random.Random(20240214)
    moderators = [
        UserFactory(
            username=f"mod{i}",
            organisation=(tiktok if i < 3 else other_platform).organisation,
            roles=[Role.PLATFORM_MODERATOR],
        )
        for i in range(5)
    ]
    clarification = PublishedClarificationFactory()
    reasons = list(Reason.values)
    cases = []
    for i in range(120):
        platform = tiktok if i % 3 else other_platform
        opened = wib(7, 0) + timedelta(minutes=rng.randrange(0, 9 * 24 * 60 + 14 * 60))
        case = CaseFactory(
            video=VideoFactory(platform=platform),
            platform=platform,
            reasons=rng.sample(reasons, rng.choice([1, 1, 2])),
            opened_at=opened,
            due_at=None if i % 17 == 0 else opened + timedelta(minutes=rng.randrange(30, 900)),
        )
        cases.append(case)
        flags = rng.randrange(1, 4)
        case.flag_count = flags
        case.save(update_fields=["flag_count"])
        for j in range(flags):
            FlagFactory(
                case=case,
                reason=case.reasons[0],
                source=rng.choice(list(FlagSource.values)),
                flagged_at=opened - timedelta(minutes=5),
                received_at=opened + timedelta(minutes=j * rng.randrange(0, 600)),
            )
        for subject in rng.sample(electoral_subjects, rng.choice([0, 0, 1, 2])):
            CaseSubjectLink.objects.create(
                case=case,
                subject=subject,
                tagged_by=moderators[0],
                tagged_at=opened,
                case_opened_at=case.opened_at,
                case_platform_id=case.platform_id,
            )
        fate = rng.random()
        decider = rng.choice(moderators)
        first_at = opened + timedelta(minutes=rng.randrange(3, 1500))
        if fate < 0.55 and first_at < NOW:
            action = rng.choice(list(Action.values))
            decision = DecisionFactory(
                case=case,
                action=action,
                category=case.reasons[0],
                clarification=clarification if action == Action.LABEL else None,
                decided_by=decider,
                decided_at=first_at,
                approval_state=rng.choice(
                    ["not_required"] * 6 + ["pending", "rejected", "approved"]
                ),
            )
            if decision.approval_state == "pending" and rng.random() < 0.5:
                # Approved later: the trigger sees the update of approval_state.
                Decision.objects.filter(pk=decision.pk).update(
                    approval_state=ApprovalState.APPROVED,
                    approved_at=first_at + timedelta(minutes=30),
                )
            second_at = first_at + timedelta(minutes=rng.randrange(60, 2000))
            if rng.random() < 0.2 and second_at < NOW:
                DecisionFactory(
                    case=case,
                    action=Action.REMOVE,
                    category=case.reasons[-1],
                    decided_by=rng.choice(moderators),
                    decided_at=second_at,
                    supersedes=decision,
                )
        elif fate < 0.65 and first_at < NOW:
            case.status = "closed"
            case.closed_at = first_at
            case.save(update_fields=["status", "closed_at"])
    for i in range(30):
        OutboundDelivery.objects.create(
            platform=tiktok if i % 2 else other_platform,
            event_type=CallbackEventType.DECISION_RECORDED,
            payload={},
            status=rng.choice(list(DeliveryStatus.values)),
            next_attempt_at=wib(9),
            created_at=wib(8) + timedelta(hours=rng.randrange(0, 8 * 24)),
        )
    for i in range(8):
        ClarificationVersion.objects.create(
            clarification=clarification,
            version=i + 2,
            claim="c",
            rating="false",
            title="t",
            body="b",
            published_at=wib(9) + timedelta(hours=rng.randrange(0, 7 * 24)),
        )
    return {"tiktok": tiktok, "other": other_platform, "cases": cases}


def scopes(dataset):
    return [
        DashboardScope(since=SINCE, until=UNTIL, platform_ids=None, now=NOW),
        DashboardScope(since=SINCE, until=UNTIL, platform_ids=(dataset["tiktok"].pk,), now=NOW),
        DashboardScope(
            since=date(2024, 2, 14), until=date(2024, 2, 14), platform_ids=None, now=NOW
        ),
    ]


def q(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def platform_clause(scope: DashboardScope, column: str = "c.platform_id") -> str:
    if scope.platform_ids is None:
        return ""
    return f" AND {column} IN ({', '.join(str(p) for p in scope.platform_ids)})"


FIRST_DECISION = (
    "(SELECT min(d.decided_at) FROM moderation_decision d WHERE d.case_id = c.id"
    " AND d.approval_state IN ('not_required', 'approved'))"
)


def close(got: float | None, expected: object) -> bool:
    """Minutes as the page shows them (one decimal) against SQL's exact numeric: the
    implementation works in double precision, so allow the last digit's rounding."""
    if expected is None:
        return got is None
    return got is not None and abs(got - float(expected)) <= 0.051  # type: ignore[arg-type]


def days_of(scope: DashboardScope) -> list[date]:
    out, day = [], scope.since
    while day <= scope.until:
        out.append(day)
        day += timedelta(days=1)
    return out


def test_first_decided_at_is_kept_by_the_trigger(dataset):
    mismatches = q(
        f"SELECT c.id FROM moderation_case c WHERE c.first_decided_at IS DISTINCT FROM"
        f" {FIRST_DECISION}",
        {},
    )
    assert mismatches == []
    assert q("SELECT count(*) FROM moderation_case WHERE first_decided_at IS NOT NULL", {})[0][0]


def test_flow_by_day_matches_sql(dataset):
    for scope in scopes(dataset):
        rows = {r.day: r for r in figures.flow_by_day(scope)}
        assert list(rows) == days_of(scope)
        p = platform_clause(scope)
        for day in days_of(scope):
            start = datetime(day.year, day.month, day.day, tzinfo=WIB)
            end = min(start + timedelta(days=1), scope.now)
            opened = q(
                "SELECT count(*) FROM moderation_case c"
                f" WHERE (c.opened_at AT TIME ZONE 'Asia/Jakarta')::date = %(day)s{p}",
                {"day": day},
            )[0][0]
            decided = q(
                "SELECT count(*) FROM moderation_decision d JOIN moderation_case c"
                " ON c.id = d.case_id WHERE (d.decided_at AT TIME ZONE 'Asia/Jakarta')::date"
                f" = %(day)s AND d.approval_state IN ('not_required', 'approved'){p}",
                {"day": day},
            )[0][0]
            settled = q(
                f"SELECT count(*) FROM moderation_case c WHERE"
                f" (LEAST({FIRST_DECISION}, c.closed_at) AT TIME ZONE 'Asia/Jakarta')::date"
                f" = %(day)s{p}",
                {"day": day},
            )[0][0]
            backlog = q(
                "SELECT count(*) FROM moderation_case c WHERE c.opened_at < %(t)s"
                " AND NOT EXISTS (SELECT 1 FROM moderation_decision d WHERE d.case_id = c.id"
                " AND d.approval_state IN ('not_required', 'approved') AND d.decided_at < %(t)s)"
                f" AND (c.closed_at IS NULL OR c.closed_at >= %(t)s){p}",
                {"t": end},
            )[0][0]
            row = rows[day]
            assert (row.opened, row.decided, row.settled, row.backlog) == (
                opened,
                decided,
                settled,
                backlog,
            ), (scope, day)
        assert sum(r.opened for r in rows.values()) > 0


SLA_OUTCOME_SQL = (
    f"CASE WHEN LEAST({FIRST_DECISION}, c.closed_at) <= c.due_at THEN 'met'"
    f" WHEN LEAST({FIRST_DECISION}, c.closed_at) > c.due_at THEN 'breached'"
    " WHEN c.due_at < %(now)s THEN 'breached' ELSE 'running' END"
)


def test_sla_by_phase_matches_sql(dataset):
    for scope in scopes(dataset):
        expected = {
            (name or "", outcome): n
            for name, outcome, n in q(
                f"SELECT (SELECT p.name FROM moderation_electionphase p WHERE"
                " p.starts_on <= (c.opened_at AT TIME ZONE 'Asia/Jakarta')::date"
                " AND p.ends_on >= (c.opened_at AT TIME ZONE 'Asia/Jakarta')::date"
                f" ORDER BY p.starts_on DESC LIMIT 1), {SLA_OUTCOME_SQL}, count(*)"
                " FROM moderation_case c WHERE c.opened_at >= %(start)s AND c.opened_at < %(end)s"
                f" AND c.due_at IS NOT NULL{platform_clause(scope)} GROUP BY 1, 2",
                {"start": scope.start, "end": scope.end, "now": scope.now},
            )
        }
        got = {}
        for row in figures.sla_by_phase(scope):
            for outcome in ("met", "breached", "running"):
                if getattr(row, outcome):
                    got[(row.label, outcome)] = getattr(row, outcome)
        assert got == expected
        assert len({k[0] for k in got}) >= (2 if scope.since != scope.until else 1)


def test_sla_by_reason_matches_sql(dataset):
    for scope in scopes(dataset):
        expected = {
            (reason, outcome): n
            for reason, outcome, n in q(
                f"SELECT r, {SLA_OUTCOME_SQL}, count(*) FROM moderation_case c,"
                " unnest(c.reasons) AS r WHERE c.opened_at >= %(start)s AND c.opened_at < %(end)s"
                f" AND c.due_at IS NOT NULL{platform_clause(scope)} GROUP BY 1, 2",
                {"start": scope.start, "end": scope.end, "now": scope.now},
            )
        }
        got = {
            (row.key, outcome): getattr(row, outcome)
            for row in figures.sla_by_reason(scope)
            for outcome in ("met", "breached", "running")
            if getattr(row, outcome)
        }
        assert got == expected


def test_time_to_first_decision_matches_sql(dataset):
    for scope in scopes(dataset):
        inner = (
            f"SELECT c.opened_at, EXTRACT(EPOCH FROM {FIRST_DECISION} - c.opened_at) / 60 AS m"
            " FROM moderation_case c WHERE c.opened_at >= %(start)s AND c.opened_at < %(end)s"
            f" AND {FIRST_DECISION} IS NOT NULL{platform_clause(scope)}"
        )
        params = {"start": scope.start, "end": scope.end}
        n, median, p90 = q(
            "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY m),"
            f" percentile_cont(0.9) WITHIN GROUP (ORDER BY m) FROM ({inner}) t",
            params,
        )[0]
        times = figures.time_to_first_decision(scope)
        assert times.decided == n > 0
        assert close(times.median_minutes, median)
        assert close(times.p90_minutes, p90)
        by_day = q(
            "SELECT (opened_at AT TIME ZONE 'Asia/Jakarta')::date,"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY m),"
            f" percentile_cont(0.9) WITHIN GROUP (ORDER BY m) FROM ({inner}) t GROUP BY 1"
            " ORDER BY 1",
            params,
        )
        assert [d for d, _m, _p in times.by_day] == [d for d, _m, _p in by_day]
        for (_d, m, p), (_e, m2, p2) in zip(times.by_day, by_day, strict=True):
            assert close(m, m2)
            assert close(p, p2)


def test_decisions_breakdown_matches_sql(dataset):
    for scope in scopes(dataset):
        base = (
            " FROM moderation_decision d JOIN moderation_case c ON c.id = d.case_id"
            " WHERE d.decided_at >= %(start)s AND d.decided_at < %(end)s"
            f" AND d.approval_state IN ('not_required', 'approved'){platform_clause(scope)}"
        )
        params = {"start": scope.start, "end": scope.end}
        counts = figures.decisions_breakdown(scope)
        assert dict(counts.by_action) == dict(
            q(f"SELECT d.action, count(*){base} GROUP BY 1", params)
        )
        assert dict(counts.by_category) == dict(
            q(f"SELECT d.category, count(*){base} GROUP BY 1", params)
        )
        assert counts.total > 0


def test_moderator_throughput_matches_sql(dataset):
    for scope in scopes(dataset):
        expected = q(
            "SELECT d.decided_by_id, count(*),"
            " count(DISTINCT (d.decided_at AT TIME ZONE 'Asia/Jakarta')::date)"
            " FROM moderation_decision d JOIN moderation_case c ON c.id = d.case_id"
            " WHERE d.decided_at >= %(start)s AND d.decided_at < %(end)s"
            f" AND d.approval_state IN ('not_required', 'approved'){platform_clause(scope)}"
            " GROUP BY 1",
            {"start": scope.start, "end": scope.end},
        )
        got = figures.moderator_throughput(scope)
        assert {(r.user_id, r.decisions) for r in got} == {(u, n) for u, n, _d in expected}
        per_day = {u: round(n / d, 1) for u, n, d in expected}
        assert all(r.per_active_day == per_day[r.user_id] for r in got)
        assert [r.decisions for r in got] == sorted((r.decisions for r in got), reverse=True)


def test_clarifications_and_labels_match_sql(dataset):
    for scope in scopes(dataset):
        for row in figures.clarifications_and_labels(scope):
            published = q(
                "SELECT count(*) FROM moderation_clarificationversion"
                " WHERE (published_at AT TIME ZONE 'Asia/Jakarta')::date = %(day)s",
                {"day": row.day},
            )[0][0]
            labelled = q(
                "SELECT count(*) FROM moderation_decision d"
                " JOIN moderation_case c ON c.id = d.case_id WHERE d.action = 'label'"
                " AND d.approval_state IN ('not_required', 'approved')"
                f" AND (d.decided_at AT TIME ZONE 'Asia/Jakarta')::date = %(day)s"
                f"{platform_clause(scope)}",
                {"day": row.day},
            )[0][0]
            assert (row.published, row.labelled) == (published, labelled), row.day


def test_callback_health_matches_sql(dataset):
    for scope in scopes(dataset):
        expected = {
            (p, s): n
            for p, s, n in q(
                "SELECT platform_id, status, count(*) FROM moderation_outbounddelivery c"
                " WHERE created_at >= %(start)s AND created_at < %(end)s"
                f"{platform_clause(scope, 'c.platform_id')} GROUP BY 1, 2",
                {"start": scope.start, "end": scope.end},
            )
        }
        got = {
            (row.platform_id, status): n
            for row in figures.callback_health(scope)
            for status, n in row.counts.items()
        }
        assert got == expected
        for row in figures.callback_health(scope):
            oldest = q(
                "SELECT min(created_at) FROM moderation_outbounddelivery WHERE platform_id = %(p)s"
                " AND status IN ('pending', 'sending') AND created_at >= %(start)s"
                " AND created_at < %(end)s",
                {"p": row.platform_id, "start": scope.start, "end": scope.end},
            )[0][0]
            assert row.oldest_waiting_at == oldest


def test_neutrality_matches_sql(dataset):
    for scope in scopes(dataset):
        params = {"start": scope.start, "end": scope.end}
        p = platform_clause(scope)
        groups = neutrality_by_subject(scope)
        assert [r.label for r in groups[SubjectKind.CANDIDATE_PAIR]] == [
            "01 Anies\u2013Muhaimin",
            "02 Prabowo\u2013Gibran",
            "03 Ganjar\u2013Mahfud",
        ]
        assert len(groups[SubjectKind.PARTY]) == 18
        for row in groups[SubjectKind.CANDIDATE_PAIR] + groups[SubjectKind.PARTY]:
            params["s"] = row.subject_id
            cases, median = q(
                f"SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY"
                f" EXTRACT(EPOCH FROM {FIRST_DECISION} - c.opened_at) / 60)"
                " FROM moderation_case c WHERE c.id IN (SELECT case_id FROM"
                " moderation_casesubject WHERE subject_id = %(s)s)"
                f" AND c.opened_at >= %(start)s AND c.opened_at < %(end)s{p}",
                params,
            )[0]
            flags = q(
                "SELECT count(*) FROM moderation_flag f JOIN moderation_case c ON c.id = f.case_id"
                " WHERE c.id IN (SELECT case_id FROM moderation_casesubject"
                " WHERE subject_id = %(s)s)"
                f" AND c.opened_at >= %(start)s AND c.opened_at < %(end)s{p}",
                params,
            )[0][0]
            removals, labels = q(
                "SELECT count(*) FILTER (WHERE d.action = 'remove'),"
                " count(*) FILTER (WHERE d.action = 'label') FROM moderation_decision d"
                " JOIN moderation_case c ON c.id = d.case_id WHERE c.id IN (SELECT case_id FROM"
                " moderation_casesubject WHERE subject_id = %(s)s)"
                " AND d.approval_state IN ('not_required', 'approved')"
                f" AND d.decided_at >= %(start)s AND d.decided_at < %(end)s{p}",
                params,
            )[0]
            assert (row.cases, row.flags, row.removals, row.labels) == (
                cases,
                flags,
                removals,
                labels,
            ), row.label
            assert close(row.median_minutes, median)
        assert sum(r.flags for r in groups[SubjectKind.PARTY]) > 0

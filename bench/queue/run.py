"""Measure the work queues on the bench database (see generate.py).

    .venv/bin/python bench/queue/run.py [--database saring_bench_queue] [--claimers 32]
        [--claims 25] [--requests 40]

1. claim-next: ``--claimers`` processes, one bench moderator each, all start together and
   claim ``--claims`` cases each through ``case_claim_next`` with the queue's filter (what the
   claim-next view does), with no pause between claims (saturation), then again paced (a
   claim every 250 ms per claimer). Baselines, in raw SQL through psycopg: the three statements
   the service ran before its one-statement claim (SELECT ... FOR UPDATE SKIP LOCKED, UPDATE,
   audit INSERT, one transaction), and the service's one statement (WITH picked AS (SELECT ...
   FOR NO KEY UPDATE SKIP LOCKED) UPDATE ... INSERT ...). After each run SQL checks that no case was
   claimed twice, and the claims are undone.
2. The queue list page (100 rows, filtered and sorted) and the case page, through Django's
   test client in this process: server time without the network.

Writes bench/results/queue.md and the raw numbers to bench/results/raw/.
"""

import argparse
import json
import multiprocessing as mp
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.queue.common import (  # noqa: E402
    BENCH_MODERATORS,
    database_url,
    django_setup,
    machine_info,
    percentile,
)

QUEUE = "informasi-palsu"
RESULTS = ROOT / "bench" / "results"
PACE_SECONDS = 0.25


# --- claim-next workers (each in its own process, with its own connection) ---------------------


class _Rollback(Exception):
    pass


def django_claimer(index: int, claims: int, pace: float, barrier: Any, out: Any) -> None:
    django_setup()
    from django.db import connection, transaction

    from moderation.models import Queue, User
    from moderation.review.claims import case_claim_next

    user = User.objects.get(username=f"bench-mod-{index:02d}")
    queue = Queue.objects.get(slug=QUEUE)
    user.role_names()
    connection.ensure_connection()
    try:  # warm up: one claim, rolled back, so the timed ones start from a warm connection
        with transaction.atomic():
            case_claim_next(user=user, queue=queue)
            raise _Rollback
    except _Rollback:
        pass
    barrier.wait()
    timings, claimed = [], []
    for _ in range(claims):
        started = time.perf_counter()
        # What the claim-next view does once the request is authenticated.
        case = case_claim_next(user=user, queue=queue)
        timings.append((time.perf_counter() - started) * 1000)
        if case is not None:
            claimed.append(case.pk)
        if pace:
            time.sleep(max(0.0, pace - timings[-1] / 1000) * random.uniform(0.8, 1.2))
    out.put({"timings": timings, "claimed": claimed})


_RAW_CANDIDATES = """
SELECT c.id, c.status FROM moderation_case c
WHERE c.status IN ('new', 'appealed') AND c.assignee_id IS NULL AND NOT c.awaiting_approval
  AND c.platform_id = ANY(%(platforms)s) AND c.status = ANY(%(statuses)s)
  AND c.reasons && %(reasons)s::varchar[]
  AND NOT (c.status = 'appealed' AND EXISTS (
      SELECT 1 FROM moderation_decision d WHERE d.case_id = c.id AND d.decided_by_id = %(user)s))
{cooldown}ORDER BY c.priority DESC, c.opened_at, c.id
LIMIT 1 FOR {lock} OF c SKIP LOCKED
"""
# The baseline, as first written: the candidates without the skip cooldown.
RAW_SELECT = _RAW_CANDIDATES.format(cooldown="", lock="UPDATE")
# The service's candidates exactly: minus the cases this user skipped within the hour, and
# locked FOR NO KEY UPDATE like every case lock of the services.
RAW_SELECT_WITH_COOLDOWN = _RAW_CANDIDATES.format(
    cooldown="""  AND NOT EXISTS (
      SELECT 1 FROM moderation_auditevent a WHERE a.case_id = c.id AND a.actor_id = %(user)s
      AND a.action = 'case.skip' AND a.created_at >= now() - interval '1 hour')
""",
    lock="NO KEY UPDATE",
)
RAW_UPDATE = """
UPDATE moderation_case SET assignee_id = %(user)s, lease_expires_at = now() + interval '15 min',
  status = 'in_review', version = version + 1, updated_at = now()
WHERE id = %(id)s
"""
RAW_AUDIT = """
INSERT INTO moderation_auditevent (created_at, actor_id, actor_kind, actor_organisation_id, action,
  object_type, object_id, case_id, before, after, ip_address, request_id)
VALUES (now(), %(user)s, 'user', %(org)s, 'case.claim', 'case', %(id)s::text, %(id)s,
  %(before)s, %(after)s, NULL, '')
"""

# The service's one statement (services/claim_statement.py), written by hand.
RAW_CLAIM_ONE_STATEMENT = f"""
WITH picked AS MATERIALIZED ({RAW_SELECT_WITH_COOLDOWN}),
claimed AS (
  UPDATE moderation_case c SET assignee_id = %(user)s,
    lease_expires_at = now() + interval '15 min', version = c.version + 1, updated_at = now(),
    status = CASE picked.status WHEN 'new' THEN 'in_review' ELSE picked.status END
  FROM picked WHERE c.id = picked.id
  RETURNING c.*, picked.status AS status_before
),
audited AS (
  INSERT INTO moderation_auditevent (created_at, actor_id, actor_kind, actor_organisation_id,
    action, object_type, object_id, case_id, before, after, ip_address, request_id)
  SELECT now(), %(user)s, 'user', %(org)s, 'case.claim', 'case', claimed.id::text, claimed.id,
    jsonb_build_object('status', claimed.status_before),
    jsonb_build_object('status', claimed.status, 'assignee', claimed.assignee_id,
      'via', 'claim_next'), NULL, ''
  FROM claimed
)
SELECT claimed.* FROM claimed
"""  # noqa: S608 (constant SQL)


def raw_claimer(
    index: int, claims: int, pace: float, barrier: Any, out: Any, params: dict[str, Any]
) -> None:
    from psycopg.types.json import Jsonb

    conn = psycopg.connect(params["url"])
    user_id, org_id = params["users"][index]
    timings, claimed = [], []
    query = {
        "platforms": params["platforms"],
        "statuses": params["statuses"],
        "reasons": params["reasons"],
        "user": user_id,
    }
    conn.execute(RAW_SELECT, query).fetchone()  # warm up, like the Django claimers
    conn.rollback()
    barrier.wait()
    for _ in range(claims):
        started = time.perf_counter()
        if params["one_statement"]:
            with conn.transaction(), conn.cursor() as cur:
                row = cur.execute(RAW_CLAIM_ONE_STATEMENT, {**query, "org": org_id}).fetchone()
        else:
            with conn.transaction(), conn.cursor() as cur:
                row = cur.execute(RAW_SELECT, query).fetchone()
                if row is not None:
                    cur.execute(RAW_UPDATE, {"user": user_id, "id": row[0]})
                    cur.execute(
                        RAW_AUDIT,
                        {
                            "user": user_id,
                            "org": org_id,
                            "id": row[0],
                            "before": Jsonb({"status": row[1]}),
                            "after": Jsonb({"status": "in_review", "assignee": user_id}),
                        },
                    )
        timings.append((time.perf_counter() - started) * 1000)
        if row is not None:
            claimed.append(row[0])
        if pace:
            time.sleep(max(0.0, pace - timings[-1] / 1000) * random.uniform(0.8, 1.2))
    conn.close()
    out.put({"timings": timings, "claimed": claimed})


def run_claimers(target: Any, claimers: int, claims: int, pace: float, *extra: Any) -> dict:
    from django.db import connections

    connections.close_all()  # never share a connection with the forked children
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(claimers + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=target, args=(i, claims, pace, barrier, out, *extra))
        for i in range(claimers)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    wall = time.perf_counter()
    results = [out.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - wall
    for p in procs:
        p.join()
    timings = [t for r in results for t in r["timings"]]
    claimed = [c for r in results for c in r["claimed"]]
    return {
        "claims": len(claimed),
        "attempts": len(timings),
        "distinct_cases": len(set(claimed)),
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
        "p99_ms": percentile(timings, 99),
        "max_ms": max(timings) if timings else float("nan"),
        "throughput_per_s": len(timings) / wall if wall else 0.0,
        "wall_s": wall,
    }


def verify_and_undo(url: str, since: datetime, user_ids: list[int]) -> dict[str, int]:
    """Zero double claims, checked in SQL; then the claims are undone for the next run."""
    with psycopg.connect(url, autocommit=True) as conn:
        doubles = conn.execute(
            """SELECT count(*) FROM (SELECT case_id FROM moderation_auditevent
               WHERE action = 'case.claim' AND created_at >= %s AND actor_id = ANY(%s)
               GROUP BY case_id HAVING count(*) > 1) d""",
            [since, user_ids],
        ).fetchone()[0]
        held = conn.execute(
            "SELECT count(*), count(DISTINCT assignee_id) FROM moderation_case "
            "WHERE assignee_id = ANY(%s)",
            [user_ids],
        ).fetchone()
        conn.execute(
            "UPDATE moderation_case SET assignee_id = NULL, lease_expires_at = NULL, "
            "status = CASE WHEN status = 'in_review' THEN 'new' ELSE status END "
            "WHERE assignee_id = ANY(%s)",
            [user_ids],
        )
    return {"double_claims": doubles, "cases_held": held[0], "holders": held[1]}


def claim_breakdown(claims: int = 100) -> dict[str, float]:
    """Where one Django claim-next spends its time, alone: database round trips vs Python.
    Each claim is rolled back, so the data does not move."""
    from django.db import connection, transaction

    from moderation.models import Queue, User
    from moderation.review.claims import case_claim_next

    user = User.objects.get(username=f"bench-mod-{BENCH_MODERATORS - 1:02d}")
    queue = Queue.objects.get(slug=QUEUE)
    user.role_names()
    spent = {"db": 0.0, "statements": 0}

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["db"] += time.perf_counter() - started
            spent["statements"] += 1

    def one() -> None:
        try:
            with transaction.atomic():
                case_claim_next(user=user, queue=queue)
                raise _Rollback
        except _Rollback:
            pass

    for _ in range(10):
        one()
    with connection.execute_wrapper(timed):
        started = time.perf_counter()
        for _ in range(claims):
            one()
        total = time.perf_counter() - started
    return {
        "total_ms": total / claims * 1000,
        "db_ms": spent["db"] / claims * 1000,
        "statements": spent["statements"] / claims,
    }


# --- Pages -------------------------------------------------------------------------------------


def time_pages(requests: int) -> dict[str, dict[str, float]]:
    from django.test import Client

    from moderation.models import Case, Platform, User

    moderator = User.objects.get(username="bench-mod-00")
    supervisor = User.objects.get(username="bench-supervisor")
    tiktok = Platform.objects.get(slug="tiktok")
    as_moderator, as_supervisor = Client(), Client()
    as_moderator.force_login(moderator)
    as_supervisor.force_login(supervisor)
    open_ids = list(
        Case.objects.filter(platform=tiktok, status="new")
        .order_by("?")
        .values_list("pk", flat=True)[:requests]
    )
    any_ids = list(
        Case.objects.filter(pk__lte=Case.objects.order_by("-pk").values_list("pk", flat=True)[0])
        .order_by("?")
        .values_list("pk", flat=True)[:requests]
    )
    pages: list[tuple[str, Client, Any]] = [
        (
            "queue list · moderator · 100 rows · priority",
            as_moderator,
            f"/queues/{QUEUE}/?per_page=100",
        ),
        (
            "queue list · moderator · 100 rows · SLA due · reason=hoax",
            as_moderator,
            f"/queues/{QUEUE}/?per_page=100&sort=due&reason=hoax",
        ),
        (
            "queue list · moderator · 100 rows · oldest · page 5",
            as_moderator,
            "/queues/integritas-pemilu/?per_page=100&sort=oldest&page=5",
        ),
        (
            "queue list · supervisor · 100 rows · priority · language=jv",
            as_supervisor,
            "/queues/prioritas-tinggi/?per_page=100&language=jv",
        ),
        ("case page · moderator · open case", as_moderator, lambda i: f"/cases/{open_ids[i]}/"),
        ("case page · supervisor · any case", as_supervisor, lambda i: f"/cases/{any_ids[i]}/"),
        ("queues overview · supervisor", as_supervisor, "/queues/"),
        (
            "API case list · moderator · 100 rows",
            as_moderator,
            "/api/v1/cases/?status=new&page_size=100",
        ),
    ]
    results: dict[str, dict[str, float]] = {}
    for name, client, url in pages:
        timings = []
        for i in range(requests + 3):
            path = url(i % len(open_ids)) if callable(url) else url
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if i >= 3:  # warm-up
                timings.append(elapsed)
        results[name] = {
            "p50_ms": percentile(timings, 50),
            "p95_ms": percentile(timings, 95),
            "max_ms": max(timings),
            "n": len(timings),
        }
        print(
            f"  {name}: p50 {results[name]['p50_ms']:.1f} ms, p95 {results[name]['p95_ms']:.1f} ms"
        )
    return results


def explain(url: str, params: dict[str, Any]) -> str:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + RAW_SELECT,
            {
                "platforms": params["platforms"],
                "statuses": params["statuses"],
                "reasons": params["reasons"],
                "user": params["users"][0][0],
            },
        ).fetchall()
        conn.rollback()
    return "\n".join(r[0] for r in rows)


# --- Report ------------------------------------------------------------------------------------


def report(data: dict[str, Any]) -> str:
    m = data["machine"]
    d = data["dataset"]
    c = data["claim_next"]
    lines = [
        "# Queue bench",
        "",
        f"Run {data['run_at']} on the bench database `{data['database']}` "
        f"({d['cases']:,} cases, {d['flags']:,} flags, {d['claimable']:,} claimable; "
        f"{d['claimable_in_queue']:,} claimable in `{QUEUE}` for a TikTok moderator).",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in m.items()],
        "",
        f"## claim-next, {data['claimers']} concurrent claimers x {data['claims']} claims each",
        "",
        "*Alone*: one claimer, the service time without contention."
        " Each claimer is its own process with its own connection, a distinct TikTok moderator;"
        " all start at once on the same queue. *Saturated*: no pause between claims, so on"
        f" {os.cpu_count()} cores the latency is mostly waiting for a CPU. *Paced*: one claim"
        f" every {PACE_SECONDS * 1000:.0f} ms per claimer ({data['claimers'] / PACE_SECONDS:.0f}"
        f" claims/s together) or every second ({data['claimers']} claims/s); a real shift"
        " claims a few times per minute per moderator.",
        "",
        "The Django service (`case_claim_next`) claims in one statement: `WITH picked AS"
        " MATERIALIZED (SELECT … FOR NO KEY UPDATE SKIP LOCKED) UPDATE … RETURNING`, with the audit"
        " INSERT in the same statement; the ORM compiles its SQL once per moderator and queue"
        " (services/claim_statement.py), and each claim binds its values, runs it in a"
        " transaction and builds a `Case` from the row. Two raw-SQL baselines run through"
        " psycopg without Django: *raw SQL, 3 statements* is the issue's baseline (SELECT … FOR"
        " UPDATE SKIP LOCKED, UPDATE, audit INSERT, as the service did before); *raw SQL, 1"
        " statement* is the service's own statement written by hand, the skip cooldown's NOT"
        " EXISTS included (the 3 statements leave it out, as they always have).",
        "",
        "| run | p50 ms | p95 ms | p99 ms | claims/s | claims | double claims (SQL) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    pace = f"paced {PACE_SECONDS * 1000:.0f} ms"
    for mode, label in (
        ("single", "1 claimer alone"),
        ("saturated", "saturated"),
        ("paced", pace),
        ("paced_1s", "paced 1 s"),
    ):
        for prefix, who in (
            ("django", "Django service"),
            ("raw", "raw SQL, 3 statements"),
            ("raw1", "raw SQL, 1 statement"),
        ):
            r = c.get(f"{prefix}_{mode}")
            if r is None:  # raw files written before the one-statement baseline existed
                continue
            lines.append(
                f"| {who}, {label} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | "
                f"{r['throughput_per_s']:.0f} | {r['claims']} | {r['check']['double_claims']} |"
            )

    def verdict(mode: str) -> str:
        p95 = c[f"django_{mode}"]["p95_ms"]
        ratio = p95 / c[f"raw_{mode}"]["p95_ms"]
        text = (
            f"p95 {p95:.1f} ms ({'met' if p95 < 20 else 'NOT met'}), "
            f"{ratio:.1f}x raw ({'met' if ratio <= 2 else 'NOT met'})"
        )
        if f"raw1_{mode}" in c:
            text += f", {p95 / c[f'raw1_{mode}']['p95_ms']:.1f}x the raw 1 statement"
        return text

    b = data["claim_breakdown"]
    lines += [
        "",
        "Targets (p95 under 20 ms, within 2x the raw SQL baseline of 3 statements): "
        f"alone {verdict('single')}; paced 1 s {verdict('paced_1s')}; "
        f"{pace} {verdict('paced')}; saturated {verdict('saturated')}."
        " Zero double claims, checked in SQL after every run: "
        f"{'yes' if all(c[k]['check']['double_claims'] == 0 for k in c) else 'NO'}.",
        "",
        f"One Django claim alone takes {b['total_ms']:.2f} ms, of which {b['db_ms']:.2f} ms"
        f" waiting for the database ({b['statements']:.0f} statements: the claim, and the"
        " savepoint around it, because the measurement rolls each claim back); the rest is"
        " Python: Django's transaction, binding the values, the audit columns and building the"
        " `Case`. Before the one-statement claim it took 4.7 ms, 1.5 ms of it in the database"
        " over 5 statements, the rest building the queue's filter, compiling the ORM's SQL,"
        " `save()` and the audit `create()` (`bench/results/raw/queue-20261124T234333.json`).",
        "",
        "Reading these numbers: the machine has"
        f" {os.cpu_count()} cores and is shared with other test suites and benches (the load"
        " average above), so every tail moves with that load from one run to the next. When"
        " all claimers press at once with no pause, a claim waits for a CPU behind the others"
        " whichever way it is written; the saturated rows measure the machine, not the claim."
        " The ratios divide milliseconds by milliseconds (alone, 2 to 3 ms against 1 to 2 ms)"
        " and move by a few tenths from one run to the next."
        " The claim query itself is an index walk (`case_open_by_priority` or"
        " `case_queue_unclaimed`, plan in the raw file) whatever the backlog's size. The skip"
        " cooldown's NOT EXISTS reads the candidate's audit events; every bench run claims the"
        " same top cases again, so on the bench database they carry dozens of audit events"
        " each, far more than a real case, and the statements that check the cooldown (the"
        " service and the raw 1 statement) pay for it. psycopg"
        " prepares the raw baselines' statements on the server after five runs; Django binds"
        " parameters on the client, so the service's statement is planned on every claim.",
        "",
        "## Pages (server time, Django test client in process, no network)",
        "",
        "| page | p50 ms | p95 ms | max ms | n | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, r in data["pages"].items():
        target = ""
        if name.startswith("queue list"):
            target = f"p95 < 150 ms: {'met' if r['p95_ms'] < 150 else 'NOT met'}"
        elif name.startswith("case page"):
            target = f"p95 < 100 ms: {'met' if r['p95_ms'] < 100 else 'NOT met'}"
        lines.append(
            f"| {name} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['max_ms']:.1f} | {r['n']} "
            f"| {target} |"
        )
    lines += [
        "",
        "Rerun:",
        "",
        "    .venv/bin/python bench/queue/generate.py --cases 1000000   # ~6 min, once",
        "    .venv/bin/python bench/queue/run.py                        # ~3 min",
        "",
        f"Raw numbers and the claim query plan: `bench/results/raw/{data['raw_file']}`.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="saring_bench_queue")
    parser.add_argument("--claimers", type=int, default=BENCH_MODERATORS)
    parser.add_argument("--claims", type=int, default=25)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--out", default=str(RESULTS / "queue.md"))
    parser.add_argument(
        "--report-only", metavar="RAW_JSON", help="rewrite the report from a raw result file"
    )
    args = parser.parse_args()
    if args.report_only:
        data = json.loads(Path(args.report_only).read_text())
        Path(args.out).write_text(report(data))
        return
    if args.claimers > BENCH_MODERATORS:
        raise SystemExit(f"at most {BENCH_MODERATORS} claimers (bench users)")

    url = database_url(args.database)
    os.environ["DATABASE_URL"] = url
    django_setup()
    from moderation.models import Case, Flag, Queue, User
    from moderation.permissions import platform_ids_of
    from moderation.review.queues import queue_cases

    users = list(
        User.objects.filter(username__startswith="bench-mod-").order_by("username")[: args.claimers]
    )
    user_ids = [u.pk for u in users]
    verify_and_undo(url, datetime.now(UTC), user_ids)  # leftovers of an interrupted run
    queue = Queue.objects.get(slug=QUEUE)
    params = {
        "url": url,
        "users": [(u.pk, u.organisation_id) for u in users],
        "platforms": platform_ids_of(users[0]),
        "statuses": [s for s in queue.filters.get("statuses", ["new"]) if s in ("new", "appealed")],
        "reasons": queue.filters.get("reasons", []),
    }
    dataset = {
        "cases": Case.objects.count(),
        "flags": Flag.objects.count(),
        "claimable": Case.objects.filter(status__in=["new", "appealed"]).count(),
        "claimable_in_queue": queue_cases(user=users[0], queue=queue)
        .filter(status="new", assignee__isnull=True)
        .count(),
    }
    print(f"dataset: {dataset}", file=sys.stderr)
    plan = explain(url, params)
    load_at_start = " ".join(f"{x:.2f}" for x in os.getloadavg())

    claim: dict[str, Any] = {}
    three = {**params, "one_statement": False}
    one = {**params, "one_statement": True}
    for key, target, pace, extra in (
        ("django_single", django_claimer, 0.0, ()),
        ("raw_single", raw_claimer, 0.0, (three,)),
        ("raw1_single", raw_claimer, 0.0, (one,)),
        ("django_saturated", django_claimer, 0.0, ()),
        ("raw_saturated", raw_claimer, 0.0, (three,)),
        ("raw1_saturated", raw_claimer, 0.0, (one,)),
        ("django_paced", django_claimer, PACE_SECONDS, ()),
        ("raw_paced", raw_claimer, PACE_SECONDS, (three,)),
        ("raw1_paced", raw_claimer, PACE_SECONDS, (one,)),
        ("django_paced_1s", django_claimer, 1.0, ()),
        ("raw_paced_1s", raw_claimer, 1.0, (three,)),
        ("raw1_paced_1s", raw_claimer, 1.0, (one,)),
    ):
        since = datetime.now(UTC)
        if key.endswith("_single"):  # one claimer alone: the service time, no contention
            result = run_claimers(target, 1, args.claims * 4, pace, *extra)
        else:
            result = run_claimers(target, args.claimers, args.claims, pace, *extra)
        result["check"] = verify_and_undo(url, since, user_ids)
        claim[key] = result
        print(
            f"  claim-next {key}: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
            f"{result['claims']} claims, {result['distinct_cases']} distinct, "
            f"double claims {result['check']['double_claims']}",
            file=sys.stderr,
        )
        assert result["check"]["double_claims"] == 0, "a case was claimed twice"
        assert result["distinct_cases"] == result["claims"], "a case was returned twice"

    breakdown = claim_breakdown()
    pages = time_pages(args.requests)
    run_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    raw_file = f"queue-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    data = {
        "run_at": run_at,
        "database": args.database,
        "machine": {**machine_info(), "load average at start": load_at_start},
        "dataset": dataset,
        "claimers": args.claimers,
        "claims": args.claims,
        "claim_next": claim,
        "claim_breakdown": breakdown,
        "pages": pages,
        "claim_plan": plan,
        "raw_file": raw_file,
    }
    (RESULTS / "raw").mkdir(parents=True, exist_ok=True)
    (RESULTS / "raw" / raw_file).write_text(json.dumps(data, indent=2, default=str))
    Path(args.out).write_text(report(data))
    print(f"wrote {args.out} and bench/results/raw/{raw_file}", file=sys.stderr)


if __name__ == "__main__":
    main()

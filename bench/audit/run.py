"""Measure the audit log at ten million events, in one run.

    .venv/bin/python bench/audit/run.py [--database saring_audit_bench] [--requests 40]
        [--export-rows 1000000] [--skip-verify] [--out bench/results/audit.md]

On the database ``bench/audit/generate.py`` filled (it is read, plus the few events the run
itself writes: the bench supervisor's sign-in and the export's own audit event):

1. The audit page (``GET /audit/`` through Django's test client, server time: the view, its
   queries and the template; no network) as a KPU supervisor, for the common filters: none,
   an actor, a case, an action with a week's date range, free text (a common word and a rare
   request id), and the second page of the unfiltered log. Each filter is asked ``--requests``
   times with different values (other actors, cases, weeks, words) after one warm-up; p50 and
   p95 in milliseconds. Target: p95 < 300 ms.
2. The export of ``--export-rows`` events (a date range chosen to hold that many): a separate
   process signs in, streams the CSV through the real view and counts the bytes; its peak RSS
   (``ru_maxrss``) is measured before and after. Target: < 200 MB.
3. ``manage.py verify_audit_log`` over every seal, in a subprocess: events per second.

Writes ``bench/results/audit.md`` and the raw numbers to bench/results/raw/.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.queue.common import database_url, machine_info, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_PAGE_MS = 300.0
TARGET_RSS_MB = 200.0


def setup(database: str) -> None:
    os.environ["DATABASE_URL"] = database_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pemilu.settings")
    os.environ.setdefault("SARING_ENV", "dev")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("AXES_ENABLED", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()


def supervisor() -> Any:
    from moderation.models import User

    return User.objects.get(username="kpu-sup-000")


def filter_values(rng: random.Random, n: int) -> dict[str, list[dict[str, str]]]:
    """``n`` different parameter sets per filter, drawn from the data."""
    from django.db import connection

    from moderation.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM moderation_case")
        max_case = cursor.fetchone()[0]
        cursor.execute(
            "SELECT request_id FROM moderation_auditevent TABLESAMPLE SYSTEM (0.01) "
            "WHERE request_id <> '' LIMIT %s",
            [n],
        )
        request_ids = [r[0] for r in cursor.fetchall()]
    actors = list(
        User.objects.filter(username__contains="-mod-").values_list("username", flat=True)
    )
    season = [date(2023, 11, 28) + timedelta(days=d) for d in range(0, 105)]
    words = [
        "restrict_region",
        "uu_pemilu",
        "perlu",
        "appealed",
        "pkpu",
        "klarifikasi",
        "published",
        "viral",
        "remove",
        "terms_of_service",
    ]
    actions = [
        "decision.record",
        "case.claim",
        "case.release",
        "decision.approve",
        "clarification.publish",
        "user.sign_in",
    ]
    out: dict[str, list[dict[str, str]]] = {
        "none": [{} for _ in range(n)],
        "actor": [{"actor": rng.choice(actors)} for _ in range(n)],
        "case": [{"case": str(rng.randint(1, max_case))} for _ in range(n)],
        "action + date range (a week)": [],
        "free text (a common word)": [{"q": rng.choice(words)} for _ in range(n)],
        "free text (a request id)": [{"q": rid} for rid in request_ids[:n]],
        "actor + date range (a week)": [],
    }
    for _ in range(n):
        start = rng.choice(season)
        week = {"date_from": start.isoformat(), "date_to": (start + timedelta(days=6)).isoformat()}
        out["action + date range (a week)"].append({"action": rng.choice(actions), **week})
        out["actor + date range (a week)"].append({"actor": rng.choice(actors), **week})
    return out


def time_pages(requests: int, rng: random.Random) -> dict[str, dict[str, float]]:
    from django.test import Client

    client = Client()
    client.force_login(supervisor())
    results: dict[str, dict[str, float]] = {}
    values = filter_values(rng, requests)
    # The second page of the unfiltered log: the cursor of the first page's last row.
    first = client.get("/audit/").content.decode()
    cursor = re.search(r'rel="next" href="\?[^"]*after=([0-9.-]+)', first)
    assert cursor, "the first page has no older link"
    values["none, the older page"] = [{"after": cursor.group(1)}] * requests
    for name, params_list in values.items():
        client.get("/audit/", params_list[0])  # warm-up
        timings = []
        statuses = set()
        for params in params_list:
            started = time.perf_counter()
            response = client.get("/audit/", params)
            timings.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
        results[name] = {
            "n": len(timings),
            "p50_ms": percentile(timings, 50),
            "p95_ms": percentile(timings, 95),
            "max_ms": max(timings),
            "statuses": sorted(statuses),
        }
        print(
            f"  {name}: p50 {results[name]['p50_ms']:.1f} ms, "
            f"p95 {results[name]['p95_ms']:.1f} ms {sorted(statuses)}",
            file=sys.stderr,
        )
    return results


def export_range(rows: int) -> tuple[str, str, int]:
    """Consecutive WIB days ending on voting day that hold at least ``rows`` events."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (created_at AT TIME ZONE 'Asia/Jakarta')::date AS day, count(*) "
            "FROM moderation_auditevent GROUP BY 1 ORDER BY 1"
        )
        per_day = dict(cursor.fetchall())
    day, total = date(2024, 2, 14), 0
    last = day
    while total < rows and day in per_day:
        total += per_day[day]
        day -= timedelta(days=1)
    return (day + timedelta(days=1)).isoformat(), last.isoformat(), total


def export_child(database: str, date_from: str, date_to: str) -> None:
    """In its own process: stream the CSV export and report bytes, rows, time and peak RSS."""
    import resource

    setup(database)
    from django.test import Client

    client = Client()
    client.force_login(supervisor())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(
        "/audit/export/", {"format": "csv", "date_from": date_from, "date_to": date_to}
    )
    first_byte = None
    size = lines = 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "status": response.status_code,
                "estimated_rows": int(response["X-Estimated-Rows"]),
                "rows": lines - 1,
                "bytes": size,
                "seconds": seconds,
                "first_byte_seconds": first_byte,
                "peak_rss_mb_before": rss_before / 1024,
                "peak_rss_mb": rss_after / 1024,
            }
        )
    )


def time_export(database: str, rows: int) -> dict[str, Any]:
    date_from, date_to, counted = export_range(rows)
    print(f"  export {date_from}..{date_to} ({counted:,} events)", file=sys.stderr)
    out = subprocess.run(
        [sys.executable, __file__, "--database", database, "--export-child", date_from, date_to],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(date_from=date_from, date_to=date_to, counted=counted)
    print(
        f"  export: {result['rows']:,} rows, {result['bytes'] / 1e6:.0f} MB in "
        f"{result['seconds']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB",
        file=sys.stderr,
    )
    return result


def time_verify(database: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url(database), "SARING_ENV": "dev"}
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "manage.py", "verify_audit_log", "--no-progress"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    seconds = time.perf_counter() - started
    match = re.search(r"OK: (\d+) events in (\d+) seals", out.stdout)
    events = int(match.group(1)) if match else 0
    result = {
        "exit": out.returncode,
        "events": events,
        "seals": int(match.group(2)) if match else 0,
        "seconds": seconds,
        "events_per_second": events / seconds if seconds else 0,
        "output": (out.stdout + out.stderr).strip()[-500:],
    }
    print(f"  verify: {events:,} events in {seconds:.0f} s", file=sys.stderr)
    return result


def plans(rng: random.Random) -> dict[str, str]:
    """EXPLAIN ANALYZE of the page query for two filters, for the record."""
    from django.db import connection

    from moderation.oversight.audit_search import AuditFilter, audit_events_filtered

    user = supervisor()
    out = {}
    for name, f in (
        ("actor", AuditFilter(actor_id=user.pk)),
        ("free text", AuditFilter(text="restrict_region")),
    ):
        sql, params = audit_events_filtered(user=user, audit_filter=f)[:51].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            out[name] = "\n".join(r[0] for r in cursor.fetchall())
    return out


def report(data: dict[str, Any]) -> str:
    m = data["machine"]
    lines = [
        "# Audit log bench",
        "",
        f"Run {data['started']} on {m['cpu']}, {m['memory']} RAM, {m['os']}, "
        f"Python {m['python']}, {m['postgresql']}. The machine was shared with other "
        "engineers' work during the run (load average "
        f"{data['load_before']}), so these are figures under load.",
        "",
        f"Database `{data['database']}`: {data['events']:,} audit events "
        f"({data['table_size']} with indexes) over {data['cases']:,} cases, "
        f"{data['users']:,} users; generated by `bench/audit/generate.py` "
        f"({data.get('generate_note', 'see its log')}).",
        "",
        "## The audit page (server time, KPU supervisor, p95 target < 300 ms)",
        "",
        "| filter | n | p50 ms | p95 ms | max ms | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, r in data["pages"].items():
        ok = "met" if r["p95_ms"] < TARGET_PAGE_MS else "**not met**"
        figures = f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['max_ms']:.1f}"
        lines.append(f"| {name} | {r['n']} | {figures} | {ok} |")
    e = data["export"]
    rss_ok = "met" if e["peak_rss_mb"] < TARGET_RSS_MB else "**not met**"
    lines += [
        "",
        "## Export (CSV, streamed, target peak RSS < 200 MB)",
        "",
        f"{e['rows']:,} events ({e['date_from']} .. {e['date_to']} WIB; planner estimate "
        f"shown to the user {e['estimated_rows']:,}), {e['bytes'] / 1e6:.0f} MB in "
        f"{e['seconds']:.1f} s ({e['rows'] / e['seconds']:,.0f} rows/s), first byte after "
        f"{e['first_byte_seconds']:.2f} s. Peak RSS of the exporting process: "
        f"{e['peak_rss_mb']:.0f} MB (after Django set-up and sign-in, before the export: "
        f"{e['peak_rss_mb_before']:.0f} MB): target {rss_ok}.",
        "",
    ]
    v = data.get("verify")
    lines += ["## verify_audit_log", ""]
    if v:
        lines.append(
            f"{v['events']:,} events in {v['seals']:,} seals in {v['seconds']:.0f} s: "
            f"**{v['events_per_second']:,.0f} events/s** (exit {v['exit']})"
            + (
                f", measured in the run of `raw/{v['from']}` on the same data."
                if v.get("from")
                else "."
            )
        )
    else:
        lines.append("Not run (--skip-verify).")
    lines += ["", "## Query plans (EXPLAIN ANALYZE)", ""]
    for name, plan in data["plans"].items():
        lines += [f"{name}:", "", "```", plan, "```", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="saring_audit_bench")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument("--generate-note", default="")
    parser.add_argument("--out", default=str(RESULTS / "audit.md"))
    parser.add_argument("--export-child", nargs=2)
    parser.add_argument(
        "--verify-from",
        help="Take the verify_audit_log figures from an earlier run's raw JSON (same data).",
    )
    args = parser.parse_args()
    if args.export_child:
        export_child(args.database, *args.export_child)
        return
    setup(args.database)
    from django.db import connection

    rng = random.Random(11)
    data: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": args.database,
        "machine": machine_info(),
        "load_before": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }
    if args.generate_note:
        data["generate_note"] = args.generate_note
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT max(id) FROM moderation_auditevent), "
            "(SELECT count(*) FROM moderation_case), (SELECT count(*) FROM moderation_user), "
            "pg_size_pretty(pg_total_relation_size('moderation_auditevent'))"
        )
        data["events"], data["cases"], data["users"], data["table_size"] = cursor.fetchone()
    print("audit page", file=sys.stderr)
    data["pages"] = time_pages(args.requests, rng)
    data["plans"] = plans(rng)
    print("export", file=sys.stderr)
    data["export"] = time_export(args.database, args.export_rows)
    if args.verify_from:
        data["verify"] = json.loads(Path(args.verify_from).read_text())["verify"]
        data["verify"]["from"] = Path(args.verify_from).name
    elif not args.skip_verify:
        print("verify", file=sys.stderr)
        data["verify"] = time_verify(args.database)
    raw = RESULTS / "raw" / f"audit-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(data, indent=2, default=str))
    Path(args.out).write_text(report(data))
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

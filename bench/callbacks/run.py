"""Callback delivery benchmark: real PostgreSQL, a private redis-server, real Celery worker
processes, and a local HTTP sink that answers 200.

    .venv/bin/python bench/callbacks/run.py            # about 2-4 minutes
    .venv/bin/python bench/callbacks/run.py --deliveries 500 --latency-seconds 5   # a smoke run

It measures
1. throughput: N delivery rows are enqueued at once; deliveries per second until the sink has
   all N, with a worker of 1 and of 2 processes (prefork ``-c 1`` / ``-c 2``);
2. end-to-end latency: decisions recorded through ``decision_record`` at 50 per second; for
   each, the time from its commit to the callback arriving at the sink (p50/p95/p99);
3. the floor: the same N signed POSTs sent by a plain Python loop over one httpx connection
   pool, no database, no broker.

It writes bench/results/callbacks.md (the table) and bench/results/raw/callbacks-<time>.json.
It uses its own database (``saring_bench_callbacks``, dropped and re-created) on the server of
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/saring); nothing else is touched.
"""

import argparse
import json
import os
import platform as pyplatform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.outbound.support import PrivateRedis, free_port, wait_until  # noqa: E402

BENCH_DB = "saring_bench_callbacks"
WARMUP_SECONDS = 2
RESULTS = ROOT / "bench" / "results"
VENV_BIN = ROOT / ".venv" / "bin"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


# --- Environment ----------------------------------------------------------------------------


def bench_database_url() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/saring")
    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def recreate_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def machine_info(redis_url: str) -> dict[str, str]:
    cpu = ""
    with Path("/proc/cpuinfo").open() as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with Path("/proc/meminfo").open() as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    import celery
    import redis

    redis_version = redis.Redis.from_url(redis_url).info("server")["redis_version"]
    return {
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "cpu": cpu,
        "cpus": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{pyplatform.system()} {pyplatform.release()}",
        "python": pyplatform.python_version(),
        "postgresql": pg,
        "redis": redis_version,
        "celery": celery.__version__,
    }


class Sink:
    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "callbacks" / "sink.py"),
                "--port",
                str(self.port),
            ]
        )
        assert wait_until(self._up, timeout=10), "sink did not start"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/kpu/callbacks"

    def _get(self, path: str) -> object:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            return json.loads(r.read() or b"null")

    def _up(self) -> bool:
        try:
            self._get("/stats")
        except OSError:
            return False
        return True

    def count(self) -> int:
        return int(self._get("/stats")["count"])  # type: ignore[index]

    def dump(self) -> list[tuple[str, float]]:
        return [tuple(x) for x in self._get("/dump")]  # type: ignore[union-attr]

    def reset(self) -> None:
        urllib.request.urlopen(f"http://127.0.0.1:{self.port}/reset", timeout=10).read()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class WorkerProcess:
    def __init__(self, env: dict[str, str], concurrency: int) -> None:
        self.log = Path(tempfile.mkstemp(prefix=f"bench-worker-c{concurrency}-", suffix=".log")[1])
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "pemilu",
                    "worker",
                    "-Q",
                    "callbacks",
                    "-c",
                    str(concurrency),
                    "-n",
                    f"bench-c{concurrency}@%h",
                    "-l",
                    "info",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert wait_until(lambda: " ready." in self.log.read_text(), timeout=60), (
            self.log.read_text()
        )

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- The measurements -----------------------------------------------------------------------


def seed(sink_url: str, cases_needed: int):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from moderation.choices import CaseStatus, Role
    from moderation.intake.secrets import secret_generate
    from moderation.models import Case, Organisation, Platform, User, Video

    org = Organisation.objects.create(slug="benchtv", name="BenchTV", kind="platform")
    platform = Platform.objects.create(
        slug="benchtv",
        name="BenchTV",
        organisation=org,
        callback_url=sink_url,
        callback_secret=secret_generate(),
    )
    supervisor = User.objects.create(username="bench-supervisor", organisation=org)
    supervisor.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    now = timezone.now()
    videos = Video.objects.bulk_create(
        Video(platform=platform, platform_video_id=f"7300{i:015d}", url="https://bench.tv/v")
        for i in range(cases_needed)
    )
    Case.objects.bulk_create(
        Case(
            platform=platform,
            video=v,
            status=CaseStatus.IN_REVIEW,
            reasons=["hoax"],
            opened_at=now,
            due_at=now,
        )
        for v in videos
    )
    return platform, supervisor


def make_rows(platform, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    """N pending delivery rows with contract-shaped decision.recorded payloads."""
    from django.utils import timezone

    from moderation.models import OutboundDelivery

    now = timezone.now()
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = OutboundDelivery.objects.bulk_create(
        OutboundDelivery(
            platform=platform,
            event_type="decision.recorded",
            payload={
                "type": "decision.recorded",
                "timestamp": stamp,
                "data": {
                    "decision_id": 100000 + i,
                    "case_id": 50000 + i,
                    "video_id": f"7326{i:015d}",
                    "action": "label",
                    "ground": "community_guidelines",
                    "category": "voter_suppression",
                    "statement_of_reasons": "Video ini menyatakan pemilih tanpa undangan C6 "
                    "tidak dapat memilih. Menurut KPU, pemilih cukup membawa KTP-el.",
                    "clarification_id": 41,
                    "decided_at": stamp,
                    "supersedes": None,
                },
            },
            next_attempt_at=now,
            created_at=now,
            subject=f"bench:{i}",
        )
        for i in range(n)
    )
    return [r.pk for r in rows]


def throughput(  # type: ignore[no-untyped-def]
    platform,
    sink: Sink,
    env: dict[str, str],
    concurrency: int,
    n: int,
    repeat: int,
    mode: str = "drain",
) -> dict:
    """One worker (``-c concurrency``), a warm-up round of 100, then ``repeat`` rounds of n.

    ``mode``: "drain", what a commit does (one coalesced ``deliveries_drain`` task that sends
    the due rows in batches); "rows", one ``delivery_send`` message per row (what the sweep
    sends for rows the broker lost, and what every commit did before the drain)."""
    from django.core.cache import cache

    from moderation.models import OutboundDelivery
    from moderation.outbound.callbacks import DRAIN_REQUESTED, deliveries_drain_request
    from moderation.outbound.outbox import CALLBACKS, outbox_publish

    worker = WorkerProcess(env, concurrency)
    runs = []
    try:
        for round_no in range(repeat + 1):
            size = 100 if round_no == 0 else n
            ids = make_rows(platform, size)
            plain_seconds = None
            if round_no and mode == "drain":
                # The floor measured just before this round, over the same rows (it writes
                # nothing), so that the ratio compares the two under the same machine load.
                rows = list(OutboundDelivery.objects.filter(pk__in=ids).order_by("pk"))
                sink.reset()
                plain_seconds = plain_loop_round(platform, rows)
            sink.reset()
            cache.delete(DRAIN_REQUESTED)
            started = time.perf_counter()
            if mode == "drain":
                deliveries_drain_request()
            else:
                outbox_publish(CALLBACKS, ids)
            assert wait_until(lambda size=size: sink.count() >= size, timeout=600, interval=0.05)
            elapsed = time.perf_counter() - started
            received = sink.dump()
            if round_no == 0:
                continue  # warm-up: imports, connections
            runs.append(
                {
                    "seconds": round(elapsed, 3),
                    "per_second": round(n / elapsed, 1),
                    "plain_per_second": round(n / plain_seconds, 1) if plain_seconds else None,
                    "paired_ratio": round(plain_seconds / elapsed, 3) if plain_seconds else None,
                    "received": len(received),
                    "distinct_webhook_ids": len({w for w, _ in received}),
                    "rows_delivered": OutboundDelivery.objects.filter(
                        pk__in=ids, status="delivered"
                    ).count(),
                }
            )
    finally:
        worker.stop()
    rates = [r["per_second"] for r in runs]
    return {
        "mode": mode,
        "workers": concurrency,
        "deliveries": n,
        "repeat": repeat,
        "per_second": round(statistics.median(rates), 1),
        "min_per_second": min(rates),
        "max_per_second": max(rates),
        "seconds": round(statistics.median(r["seconds"] for r in runs), 3),
        "paired_ratio": (
            round(statistics.median(r["paired_ratio"] for r in runs), 2)
            if mode == "drain"
            else None
        ),
        "paired_ratios": [r["paired_ratio"] for r in runs],
        "received": sum(r["received"] for r in runs),
        "distinct_webhook_ids": sum(r["distinct_webhook_ids"] for r in runs),
        "rows_delivered": sum(r["rows_delivered"] for r in runs),
        "runs": runs,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def latency(
    platform, supervisor, sink: Sink, env, concurrency: int, rate: int, seconds: int
) -> dict:  # type: ignore[no-untyped-def]
    from moderation.choices import CaseStatus
    from moderation.models import Case, OutboundDelivery
    from moderation.review.decisions import decision_record

    warmup = rate * WARMUP_SECONDS  # sent at the same rate first, left out of the figures
    total = rate * seconds + warmup
    cases = list(
        Case.objects.filter(platform=platform, status=CaseStatus.IN_REVIEW).order_by("pk")[:total]
    )
    assert len(cases) == total, "not enough cases seeded"
    worker = WorkerProcess(env, concurrency)
    committed: dict[int, tuple[float, float]] = {}
    try:
        sink.reset()
        interval = 1 / rate
        began = time.perf_counter()
        wall_began = time.time()
        for i, case in enumerate(cases):
            slot = began + i * interval
            pause = slot - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            start = time.time()
            decision = decision_record(
                case=case,
                user=supervisor,
                version=case.version,
                action="no_action",
                ground="community_guidelines",
                category="hoax",
                statement_of_reasons="Tidak melanggar pedoman komunitas.",
            )
            if i >= warmup:
                committed[decision.pk] = (start, time.time())
            elif i == warmup - 1:
                wall_began = time.time()
        achieved = (total - warmup) / (time.time() - wall_began)
        assert wait_until(lambda: sink.count() >= total, timeout=120, interval=0.1)
    finally:
        worker.stop()
    arrivals = dict(sink.dump())
    assert len(arrivals) == total, "a callback is missing or duplicated"
    by_webhook = dict(
        OutboundDelivery.objects.filter(
            subject__in=[f"decision:{d}" for d in committed]
        ).values_list("webhook_id", "subject")
    )
    from_commit, from_call, series = [], [], []
    for webhook_id, subject in by_webhook.items():
        decision_id = int(subject.split(":")[1])
        start, end = committed[decision_id]
        from_commit.append((arrivals[webhook_id] - end) * 1000)
        from_call.append((arrivals[webhook_id] - start) * 1000)
        series.append((round(end - wall_began, 3), round(from_commit[-1], 1)))
    return {
        "workers": concurrency,
        "decisions": total - warmup,
        "warmup_decisions": warmup,
        "target_rate": rate,
        "achieved_rate": round(achieved, 1),
        "p50_ms": round(percentile(from_commit, 50), 1),
        "p95_ms": round(percentile(from_commit, 95), 1),
        "p99_ms": round(percentile(from_commit, 99), 1),
        "max_ms": round(max(from_commit), 1),
        "mean_ms": round(statistics.fmean(from_commit), 1),
        "p95_ms_from_call_start": round(percentile(from_call, 95), 1),
        "received": len(arrivals),
        "series": sorted(series),
    }


def plain_loop_round(platform, rows) -> float:  # type: ignore[no-untyped-def]
    """Seconds for one plain loop over ``rows``: sign and POST each over one httpx pool."""
    import httpx
    from django.utils import timezone

    from moderation.outbound.callbacks import sign_callback

    started = time.perf_counter()
    with httpx.Client(timeout=15) as client:
        for row in rows:
            signed = sign_callback(
                delivery=row, secret=platform.callback_secret, now=timezone.now()
            )
            response = client.post(
                platform.callback_url, content=signed.body, headers=signed.headers
            )
            response.raise_for_status()
    return time.perf_counter() - started


def baseline(platform, sink: Sink, n: int, repeat: int) -> dict:  # type: ignore[no-untyped-def]
    """The floor: N signed POSTs over one httpx connection pool, nothing else."""
    import httpx
    from django.utils import timezone

    from moderation.models import OutboundDelivery
    from moderation.outbound.callbacks import sign_callback

    rows = list(OutboundDelivery.objects.filter(platform=platform).order_by("pk")[:n])
    runs = []
    for _ in range(repeat):
        sink.reset()
        started = time.perf_counter()
        with httpx.Client(timeout=15) as client:
            for row in rows:
                signed = sign_callback(
                    delivery=row, secret=platform.callback_secret, now=timezone.now()
                )
                response = client.post(
                    platform.callback_url, content=signed.body, headers=signed.headers
                )
                response.raise_for_status()
        runs.append(time.perf_counter() - started)
    elapsed = statistics.median(runs)
    return {
        "deliveries": len(rows),
        "repeat": repeat,
        "seconds": round(elapsed, 3),
        "per_second": round(len(rows) / elapsed, 1),
        "runs_per_second": [round(len(rows) / r, 1) for r in runs],
    }


def sender_in_process(platform, sink: Sink, n: int, repeat: int) -> dict:  # type: ignore[no-untyped-def]
    """The sender without Celery: ``deliveries_drain`` called in this process (the database
    work of the batches, no broker). Separates the database cost from Celery's."""
    from moderation.outbound.callbacks import deliveries_drain

    runs = []
    for _ in range(repeat):
        make_rows(platform, n)
        sink.reset()
        started = time.perf_counter()
        assert deliveries_drain(max_seconds=600) == n
        runs.append(time.perf_counter() - started)
    elapsed = statistics.median(runs)
    return {
        "deliveries": n,
        "repeat": repeat,
        "seconds": round(elapsed, 3),
        "per_second": round(n / elapsed, 1),
        "runs_per_second": [round(n / r, 1) for r in runs],
    }


# --- Report ---------------------------------------------------------------------------------


def report(results: dict, command: str) -> str:
    base = results["baseline"]["per_second"]
    lines = [
        "# Callback delivery benchmark",
        "",
        f"Run {results['started']} with `{command}`.",
        "",
        "Real PostgreSQL, a private redis-server, real Celery worker processes "
        "(`celery -A pemilu worker -Q callbacks -c N -l info`, the production settings), and a "
        "local HTTP sink answering 200 (bench/callbacks/sink.py). A commit asks for one "
        "coalesced `deliveries_drain` task; the drain claims the due rows a batch at a time "
        "(one conditional UPDATE), signs and POSTs the batch side by side over the process's "
        "pooled connections, and records the outcomes (the delivered ones in one UPDATE). Each "
        "row keeps its webhook-id, its claim and its retry schedule. For comparison, the per-row "
        "path (one `delivery_send` message per row: what the sweep sends for rows the broker "
        "lost) is measured in the same run.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in results["machine"].items()],
        f"| load average at the end | {results.get('load_at_end', '?')} |",
        "",
        "PostgreSQL, Redis, the workers, the sink and the driver all share this machine. Other "
        "engineers' test runs and benchmarks may run on it too (see the load averages), so "
        "treat small differences as noise.",
        "",
        "## Throughput",
        "",
        f"Deliveries per second until the sink has all of them. Each setup: a warm-up round of "
        f"100, then {results['throughput'][0]['repeat'] if results['throughput'] else '?'} "
        "rounds; the median, with the slowest and fastest round.",
        "",
        "| sender | deliveries per round | deliveries/s (median) | slowest to fastest "
        "| ratio to the plain loop | paired ratio (median of rounds) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| plain Python loop, one httpx pool (the floor) | {results['baseline']['deliveries']} "
        f"| {base} | {min(results['baseline']['runs_per_second'])} to "
        f"{max(results['baseline']['runs_per_second'])} | 1.00 | |",
    ]
    if "in_process" in results:
        p = results["in_process"]
        lines.append(
            f"| `deliveries_drain` in this process, no Celery | {p['deliveries']} "
            f"| {p['per_second']} | {min(p['runs_per_second'])} to {max(p['runs_per_second'])} "
            f"| {p['per_second'] / base:.2f} | |"
        )
    for t in results["throughput"]:
        how = "a drain" if t.get("mode", "drain") == "drain" else "one message per row"
        lines.append(
            f"| Celery worker, {t['workers']} process{'es' if t['workers'] > 1 else ''}, "
            f"{how} | {t['deliveries']} | {t['per_second']} | {t['min_per_second']} to "
            f"{t['max_per_second']} | {t['per_second'] / base:.2f} "
            f"| {t['paired_ratio'] if t.get('paired_ratio') is not None else ''} |"
        )
    drains = [t for t in results["throughput"] if t.get("mode", "drain") == "drain"]
    if drains:
        one = next((t for t in drains if t["workers"] == 1), drains[0])
        lines += [
            "",
            "The paired ratio: before each measured round of a drain setup, the plain loop "
            "sends the same rows (it writes nothing) and the round's ratio is the plain loop's "
            "time over the drain's; the median of the rounds. It compares the two under the "
            "same machine load, which the separate baseline row above does not when others "
            "share the machine.",
            "",
            f"Target: at least 0.5 of the plain loop with the same number of processes. One "
            f"worker process with the drain: {one['paired_ratio']} paired "
            f"(rounds {', '.join(str(r) for r in one['paired_ratios'])}); "
            f"{one['per_second'] / base:.2f} against the separate baseline row.",
        ]
    lines += [
        "",
        "Nothing lost, nothing doubled: "
        + "; ".join(
            f"with {t['workers']} process(es) ({t.get('mode', 'drain')}), "
            f"{t['received']} requests, "
            f"{t['distinct_webhook_ids']} distinct webhook-ids, {t['rows_delivered']} rows "
            "delivered"
            for t in results["throughput"]
        )
        + ".",
        "",
        "## End-to-end latency at 50 decisions/s",
        "",
        "Decisions recorded through `decision_record` at a steady 50 per second (after "
        f"{WARMUP_SECONDS} s of warm-up at the same rate, left out). Latency: from the commit "
        "(the call returned; the task was published in its on-commit hook) to the callback "
        "arriving at the sink. Target: p95 under 1 s.",
        "",
        "| worker processes | decisions | achieved rate/s | p50 ms | p95 ms | p99 ms | max ms "
        "| p95 ms from call start |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["latency"]:
        lines.append(
            f"| {r['workers']} | {r['decisions']} | {r['achieved_rate']} | {r['p50_ms']} "
            f"| {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['p95_ms_from_call_start']} |"
        )
    lines += [
        "",
        "## Rerun",
        "",
        "    .venv/bin/python bench/callbacks/run.py      # about 3-4 minutes",
        "",
        "Raw output (every round, every latency sample): bench/results/raw/ (git-ignored).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--latency-seconds", type=int, default=20)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=3, help="throughput rounds per setup")
    parser.add_argument("--no-report", action="store_true", help="print, do not write the .md")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    concurrencies = [int(w) for w in args.workers.split(",")]

    admin_url, db_url = bench_database_url()
    log(f"database {BENCH_DB}: re-creating and migrating")
    recreate_database(admin_url)
    redis_server = PrivateRedis()
    redis_server.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pemilu.settings",
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": redis_server.url,
        "REDIS_URL": redis_server.url,
        "SARING_ENV": "test",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    import django

    django.setup()
    sink = Sink()
    results: dict = {"started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    try:
        results["machine"] = machine_info(redis_server.url)
        per_run = args.rate * (args.latency_seconds + WARMUP_SECONDS)
        platform, supervisor = seed(sink.url, per_run * len(concurrencies))
        results["throughput"] = []
        setups = [(c, "drain") for c in concurrencies] + [(1, "rows")]
        for c, mode in [] if args.skip_throughput else setups:
            log(f"throughput: {args.deliveries} deliveries, worker -c {c}, {mode}")
            results["throughput"].append(
                throughput(platform, sink, env, c, args.deliveries, args.repeat, mode)
            )
            log(f"  { {k: v for k, v in results['throughput'][-1].items() if k != 'runs'} }")
        log(f"baseline: {args.deliveries} signed POSTs in a plain loop")
        if args.skip_throughput:
            make_rows(platform, args.deliveries)
        results["baseline"] = baseline(platform, sink, args.deliveries, args.repeat)
        log(f"  {results['baseline']}")
        log(f"sender in process: deliveries_drain over {args.deliveries} rows")
        results["in_process"] = sender_in_process(platform, sink, args.deliveries, args.repeat)
        log(f"  {results['in_process']}")
        results["latency"] = []
        for c in concurrencies:
            log(f"latency: {args.rate}/s for {args.latency_seconds} s, worker -c {c}")
            results["latency"].append(
                latency(platform, supervisor, sink, env, c, args.rate, args.latency_seconds)
            )
            log(f"  { {k: v for k, v in results['latency'][-1].items() if k != 'series'} }")
    finally:
        results["load_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        sink.stop()
        redis_server.close()
    command = "python bench/callbacks/run.py " + " ".join(sys.argv[1:])
    raw_dir = RESULTS / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    raw = raw_dir / f"callbacks-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    raw.write_text(json.dumps(results, indent=2))
    markdown = report(results, command.strip())
    if args.no_report:
        print(markdown)
    else:
        (RESULTS / "callbacks.md").write_text(markdown)
    log(f"raw results in {raw.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

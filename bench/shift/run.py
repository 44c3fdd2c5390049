"""A whole election-night shift on this machine, through HTTP only, with faults injected.

    .venv/bin/python bench/shift/run.py                     # 10 minutes, one of each
    .venv/bin/python bench/shift/run.py --replicas 2        # two web, two workers, two beats
    .venv/bin/python bench/shift/run.py --minutes 3 --no-faults   # a quick look

It starts everything it needs and nothing it shares: a private PostgreSQL 15 cluster under
var/shift-pg (Debian's binaries, its own port), a private redis-server, gunicorn instance(s)
with production settings, Celery worker(s), beat(s) (redbeat), HAProxy in front (TLS ends
there, as in production), and the platform's callback endpoint (bench/shift/endpoint.py).
Then the platform, 30 moderators, supervisors and a KPU pair work for the shift
(bench/shift/actors.py) while bench/shift/faults.py breaks things on a timer. Afterwards the
ledgers are compared with the database (bench/shift/check.py).

It writes bench/results/raw/shift-r<replicas>-<time>.json and its section of
bench/results/shift.md (between the markers of that replica count).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from base64 import b64encode
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.shift import actors, check  # noqa: E402
from bench.shift.faults import FaultRunner, timeline  # noqa: E402
from bench.shift.stack import (  # noqa: E402
    PYTHON,
    Managed,
    PrivatePostgres,
    PrivateRedisServer,
    Supervisor,
    celery_beat,
    celery_worker,
    free_port,
    gunicorn,
    haproxy,
    http_ok,
    log,
    wait_until,
)

DB = "saring_shift"
JAKARTA = ZoneInfo("Asia/Jakarta")
VAR = ROOT / "var"
RESULTS = ROOT / "bench" / "results"


def whsec() -> str:
    return "whsec_" + b64encode(secrets.token_bytes(32)).decode()


class Shift:
    """The running stack, as the faults see it."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.scale = args.minutes / 10
        self.stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        self.logdir = VAR / "shift" / f"r{args.replicas}-{self.stamp}"
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.pg = PrivatePostgres(VAR / "shift-pg")
        self.redis = PrivateRedisServer(VAR / "shift-redis")
        self.webs: list[Managed] = []
        self.workers: list[Managed] = []
        self.beats: list[Managed] = []
        self.lb: Managed | None = None
        self.endpoint: Managed | None = None
        self.endpoint_url = ""
        self.base = ""
        self.db_url = ""
        self.started = 0.0
        self.stopping = threading.Event()
        self.supervisor: Supervisor

    def env(self, instance: str) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SARING_"))},
            "DATABASE_URL": self.db_url,
            "REDIS_URL": self.redis.url(0),
            "SARING_ENV": "production",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "CACHE_KEY_PREFIX": "shift",
            "PUBLIC_BASE_URL": self.base,
            "DB_CONNECT_TIMEOUT": "3",
            "SHIFT_INSTANCE": instance,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }

    def beat_holder(self) -> int | None:
        """The pid of the beat that holds redbeat's lock, as it recorded on taking it."""
        import redis

        try:
            value = redis.Redis.from_url(self.redis.url(0), socket_timeout=2).hget(
                "shift:periodic-jobs:beat", "pid"
            )
        except redis.RedisError:
            return None
        return int(value) if value else None

    # --- start and stop ---

    def start(self) -> None:
        args = self.args
        self.secret_key = "shift-" + secrets.token_hex(24)
        log("starting a private PostgreSQL cluster under var/shift-pg")
        self.pg.start()
        with psycopg.connect(self.pg.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DB}"')
        self.db_url = self.pg.url(DB)
        self.redis.start()
        log(f"PostgreSQL on {self.pg.port}, Redis on {self.redis.port}")

        lb_port = free_port()
        self.base = f"https://127.0.0.1:{lb_port}"
        self.platform_secret, callback_secret = whsec(), whsec()
        endpoint_port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{endpoint_port}"
        self.endpoint = Managed(
            name="callback-endpoint",
            command=[
                PYTHON,
                "bench/shift/endpoint.py",
                "--port",
                str(endpoint_port),
                "--secret",
                callback_secret,
            ],
            env=dict(os.environ),
            logfile=self.logdir / "endpoint.log",
            ready=lambda: http_ok(f"{self.endpoint_url}/stats"),
        )
        self.endpoint.start()

        env = self.env("setup")
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput", "-v", "0"]):
            subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        seeded = subprocess.run(
            [
                PYTHON,
                "bench/shift/seed.py",
                "--callback-url",
                f"{self.endpoint_url}/kpu/callbacks",
                "--secret",
                self.platform_secret,
                "--callback-secret",
                callback_secret,
                "--moderators",
                str(args.moderators),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.people = json.loads(seeded.stdout.strip().splitlines()[-1])

        web_ports = []
        for i in range(args.replicas):
            port = free_port()
            web_ports.append(port)
            self.webs.append(
                gunicorn(
                    f"web{i + 1}",
                    self.env(f"web{i + 1}"),
                    port,
                    self.logdir,
                    args.web_workers,
                    args.threads,
                )
            )
        for i in range(args.replicas):
            self.workers.append(
                celery_worker(
                    f"worker{i + 1}", self.env(f"worker{i + 1}"), self.logdir, args.concurrency
                )
            )
        for i in range(args.replicas):
            self.beats.append(celery_beat(f"beat{i + 1}", self.env(f"beat{i + 1}"), self.logdir))
        pem = self.logdir / "lb.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(pem),
                "-out",
                str(pem) + ".crt",
            ],
            check=True,
            capture_output=True,
        )
        pem.write_text(Path(str(pem) + ".crt").read_text() + pem.read_text())
        self.lb = haproxy(lb_port, web_ports, self.logdir, pem)
        managed = [*self.webs, *self.workers, *self.beats, self.lb, self.endpoint]
        for m in managed:
            if m.process is None:
                m.start()
        assert wait_until(lambda: self.beat_holder() is not None, 60), "no beat took the lock"
        self.supervisor = Supervisor(managed)
        self.supervisor.start()
        log(
            f"stack up: {args.replicas} web, {args.replicas} worker, {args.replicas} beat; "
            f"LB {self.base}; beat holding the lock: pid {self.beat_holder()}"
        )

    def stop(self) -> None:
        self.stopping.set()
        self.supervisor.stop()
        self.redis.stop()
        self.pg.stop()


# --- CPU accounting: /proc, per process group, including processes that died ---------------


class CpuSampler:
    def __init__(self, shift: Shift) -> None:
        self.shift = shift
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.seen: dict[int, tuple[str, float]] = {}
        self.baseline: dict[int, float] = {}
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _roots(self) -> dict[int, str]:
        roots: dict[int, str] = {os.getpid(): "simulators"}
        for group, items in (
            ("gunicorn", self.shift.webs),
            ("celery", self.shift.workers),
            ("beat", self.shift.beats),
        ):
            for m in items:
                if m.process is not None:
                    roots[m.process.pid] = group
        if self.shift.lb and self.shift.lb.process:
            roots[self.shift.lb.process.pid] = "haproxy"
        if self.shift.endpoint and self.shift.endpoint.process:
            roots[self.shift.endpoint.process.pid] = "endpoint"
        if self.shift.redis.process:
            roots[self.shift.redis.process.pid] = "redis"
        with contextlib.suppress(OSError, ValueError, IndexError):
            roots[int((self.shift.pg.data / "postmaster.pid").read_text().split()[0])] = "postgres"
        return roots

    def sample(self) -> None:
        roots = self._roots()
        procs: dict[int, tuple[int, float]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            procs[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / self.ticks)
        for pid, (_ppid, cpu) in procs.items():
            node, group = pid, None
            for _ in range(6):
                if node in roots:
                    group = roots[node]
                    break
                node = procs.get(node, (0, 0.0))[0]
                if not node:
                    break
            if group is None:
                continue
            if pid not in self.seen and not self.baseline.get("started"):
                self.baseline[pid] = cpu
            self.seen[pid] = (group, cpu)

    def start(self) -> None:
        self.sample()
        self.baseline["started"] = 1
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.wait(2):
            self.sample()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self.thread.join(5)
        self.sample()
        totals: dict[str, float] = defaultdict(float)
        for pid, (group, cpu) in self.seen.items():
            totals[group] += cpu - self.baseline.get(pid, 0.0)
        return dict(totals)


# --- The figures ------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def op_table(
    rows: list[tuple[str, float, float, int]],
    seconds: float,
    windows: list[tuple[str, float, float]],
) -> tuple[list[dict[str, Any]], list]:
    by_op: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for op, start, dur, status in rows:
        by_op[op].append((start, dur, status))
    table, outside = [], []
    for op, items in sorted(by_op.items()):
        durs = [d for _, d, s in items if s]
        errors = [(t, s) for t, _, s in items if s == 0 or s >= 500]
        statuses = Counter(s for _, _, s in items)
        for t, d, s in items:
            # A request counts against a fault if it was in flight at any time in its window.
            if (s == 0 or s >= 500) and not any(t <= b and t + d >= a for _, a, b in windows):
                outside.append((op, t, s))
        table.append(
            {
                "op": op,
                "count": len(items),
                "per_second": len(items) / seconds,
                "p50_ms": pct(durs, 0.50) * 1000,
                "p95_ms": pct(durs, 0.95) * 1000,
                "p99_ms": pct(durs, 0.99) * 1000,
                "errors": len(errors),
                "error_rate": len(errors) / len(items),
                "statuses": {str(k): v for k, v in sorted(statuses.items())},
            }
        )
    return table, outside


def latency(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_s": pct(values, 0.5),
        "p95_s": pct(values, 0.95),
        "p99_s": pct(values, 0.99),
        "max_s": max(values) if values else float("nan"),
    }


def beat_proof(shift: Shift, seconds: float) -> dict[str, Any]:
    """From the beats' own logs: who sent each periodic task. Exactly one scheduler means the
    sends interleave only at a takeover, and delivery-sweep (every 10 s) was sent about
    seconds / 10 times, not twice that."""
    line = re.compile(
        r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d+: INFO/MainProcess\] "
        r"Scheduler: Sending due task (\S+)"
    )
    sends = []
    for beat in shift.beats:
        for m in line.finditer(beat.logfile.read_text(errors="replace")):
            # Celery logs in the app's time zone (Asia/Jakarta).
            at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=JAKARTA)
            if shift.started <= at.timestamp() <= shift.started + seconds:
                sends.append((at.timestamp(), beat.name, m.group(2)))
    sends.sort()
    switches = sum(1 for a, b in itertools.pairwise(sends) if a[1] != b[1])
    sweep = [s for s in sends if s[2] == "delivery-sweep"]
    same_second = Counter((int(t) // 5, name) for t, _, name in sweep)
    return {
        "beats": len(shift.beats),
        "sends_per_beat": dict(Counter(s[1] for s in sends)),
        "switches_between_beats": switches,
        "delivery_sweep_sent": len(sweep),
        "delivery_sweep_expected": round(seconds / 10),
        "delivery_sweep_doubled_within_5s": sum(1 for c in same_second.values() if c > 1),
        "waiting_messages": {
            b.name: b.logfile.read_text(errors="replace").count("another beat holds the lock")
            for b in shift.beats
        },
    }


def wait_drained(shift: Shift, timeout: float) -> float:
    """Until every stored event is processed and no decision callback is owed."""
    started = time.time()

    def done() -> bool:
        with psycopg.connect(shift.db_url, connect_timeout=3) as conn:
            raw = conn.execute(
                "SELECT count(*) FROM moderation_rawevent WHERE status = 'received'"
            ).fetchone()[0]
            owed = conn.execute(
                "SELECT count(*) FROM moderation_outbounddelivery "
                "WHERE status IN ('pending', 'sending')"
            ).fetchone()[0]
        return raw == 0 and owed == 0

    wait_until(done, timeout, interval=2)
    return time.time() - started


async def _flood(shift: Shift, seconds: float, connections: int) -> tuple[int, list[float]]:
    """Signed flags on new videos, as fast as ``connections`` clients can send them."""
    rec = actors.Recorder()
    shared = actors.Shared(stop_at=time.time() + seconds)
    platform = actors.PlatformSimulator(
        shift.base, shift.platform_secret, 1.0, rec, shared, shift.people["probe"], 10**9
    )

    async def client() -> None:
        while shared.running():
            event, _ = platform._event()
            body = json.dumps(event).encode()
            await platform._post("flood", body, f"msg_{secrets.token_hex(16)}")

    await asyncio.gather(*(client() for _ in range(connections)))
    ok = [d for op, _, d, st in rec.rows if 200 <= st < 300]
    return len(ok), ok


async def _decide_fast(shift: Shift, seconds: float) -> tuple[int, list[float]]:
    """Every moderator claims, reads and decides with no think time."""
    rec, work = actors.Recorder(), actors.Work()
    shared = actors.Shared(stop_at=time.time() + seconds)
    await asyncio.gather(
        *(
            actors.moderator(name, token, shift.base, rec, shared, work, (0.0, 0.0))
            for name, token in shift.people["moderators"].items()
        )
    )
    return len(work.decisions), [d for op, _, d, st in rec.rows if op == "decide" and st == 201]


def capacity(shift: Shift, seconds: float) -> dict[str, Any]:
    """After the shift and its checks: how many flags/s and decisions/s this stack takes when
    pushed (each alone), and the CPU each costs. Not part of the ledgers."""
    out: dict[str, Any] = {"seconds_each": seconds}
    for name, run_phase in (
        ("flags", lambda: _flood(shift, seconds, 16)),
        ("decisions", lambda: _decide_fast(shift, seconds)),
    ):
        sampler = CpuSampler(shift)
        sampler.start()
        load = os.getloadavg()[0]
        count, durations = asyncio.run(run_phase())
        cpu = sampler.stop()
        app_cpu = sum(
            v
            for k, v in cpu.items()
            if k in ("gunicorn", "celery", "postgres", "redis", "haproxy", "beat")
        )
        out[name] = {
            "count": count,
            "per_second": count / seconds,
            "p50_ms": pct(durations, 0.5) * 1000,
            "p95_ms": pct(durations, 0.95) * 1000,
            "cpu_seconds": cpu,
            "cpu_ms_each": {k: 1000 * v / max(count, 1) for k, v in cpu.items()},
            "app_cpu_ms_each": 1000 * app_cpu / max(count, 1),
            "load_average_1m_at_start": load,
        }
        log(
            f"capacity {name}: {count / seconds:.1f}/s, {1000 * app_cpu / max(count, 1):.1f} "
            "CPU-ms each (server side)"
        )
    return out


async def simulate(
    shift: Shift, rec: actors.Recorder, work: actors.Work
) -> actors.PlatformSimulator:
    args = shift.args
    shared = actors.Shared(stop_at=shift.started + args.minutes * 60)
    people = shift.people
    platform = actors.PlatformSimulator(
        shift.base, shift.platform_secret, args.flag_rate, rec, shared, people["probe"]
    )
    tasks = [asyncio.create_task(platform.run())]
    for name, token in people["moderators"].items():
        tasks.append(
            asyncio.create_task(
                actors.moderator(
                    name, token, shift.base, rec, shared, work, (args.think_min, args.think_max)
                )
            )
        )
    for name, token in people["supervisors"].items():
        tasks.append(
            asyncio.create_task(
                actors.supervisor(
                    name,
                    people["password"],
                    shift.base,
                    rec,
                    shared,
                    work,
                    token,
                    totp_key=people.get("totp_keys", {}).get(name, ""),
                )
            )
        )
    tasks.append(
        asyncio.create_task(
            actors.kpu_pair(
                people["kpu_clarifier"],
                people["kpu_approver"],
                shift.base,
                rec,
                shared,
                (40 * shift.scale**0.5, 70 * shift.scale**0.5),
            )
        )
    )
    await asyncio.gather(*tasks)
    log("shift over: the platform sends the retries it still owes")
    await platform.drain(timeout=180)
    return platform


def run(args: argparse.Namespace) -> dict[str, Any]:
    shift = Shift(args)
    shift.start()
    faults = [f for f in timeline() if args.replicas > 1 or not f.two_only]
    if args.no_faults:
        faults = []
    cpu = CpuSampler(shift)
    load_start = os.getloadavg()
    rec, work = actors.Recorder(), actors.Work()
    try:
        shift.started = time.time()
        cpu.start()
        runner = FaultRunner(shift, faults)
        runner.start()
        platform = asyncio.run(simulate(shift, rec, work))
        seconds = args.minutes * 60
        cpu_used = cpu.stop()
        load_end = os.getloadavg()
        runner.join(timeout=200)
        log("waiting until every stored flag is processed and every callback delivered")
        drained_after = wait_drained(shift, args.drain_minutes * 60)
        endpoint_rows = json.loads(
            urllib.request.urlopen(f"{shift.endpoint_url}/dump", timeout=30).read()  # noqa: S310 - a local http:// URL
        )
        windows = [(f.name, *f.window()) for f in faults if f.started]
        ops, outside = op_table(
            [r for r in rec.rows if r[1] <= shift.started + seconds], seconds, windows
        )
        commit_times: dict[int, float] = {}
        for pk, d in work.decisions.items():
            if d["approval_state"] == "pending":
                if pk in work.approvals:
                    commit_times[pk] = work.approvals[pk]
            else:
                commit_times[pk] = d["committed_at"]
        first_arrival: dict[int, float] = {}
        for at, _wid, kind, decision_id, status, _ok in endpoint_rows:
            if kind == "decision.recorded" and status == 200 and decision_id is not None:
                first_arrival.setdefault(int(decision_id), at)
        callback_latency = [
            first_arrival[pk] - t for pk, t in commit_times.items() if pk in first_arrival
        ]
        fault_windows = {f.name: f.window() for f in faults if f.started}

        def in_fault(t: float) -> bool:
            return any(a <= t <= b for a, b in fault_windows.values())

        quiet_latency = [
            first_arrival[pk] - t
            for pk, t in commit_times.items()
            if pk in first_arrival and not in_fault(t)
        ]
        result = {
            "args": vars(args),
            "started": datetime.fromtimestamp(shift.started, tz=UTC).isoformat(),
            "commit": subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
            ).stdout.strip(),
            "load_average": {"start": load_start, "end": load_end},
            "cpus": os.cpu_count(),
            "seconds": seconds,
            "ops": ops,
            "server_errors_outside_fault_windows": [
                {
                    "op": op,
                    "at": datetime.fromtimestamp(t, tz=UTC).strftime("%H:%M:%S"),
                    "status": s,
                }
                for op, t, s in outside
            ],
            "faults": [
                {
                    "name": f.name,
                    "at_s": round(f.started - shift.started, 1),
                    "lasted_s": round(f.ended - f.started, 1),
                    "notes": f.notes,
                }
                for f in faults
                if f.started
            ],
            "e2e_flag_to_claimable": {
                **latency([x for _, x in platform.e2e_claimable]),
                "probe_misses": platform.probe_misses,
            },
            "e2e_flag_to_claimable_outside_faults": latency(
                [x for t, x in platform.e2e_claimable if not in_fault(t)]
            ),
            "e2e_decision_to_callback": latency(callback_latency),
            "e2e_decision_to_callback_outside_faults": latency(quiet_latency),
            "platform": {
                "flags_acknowledged": len(platform.ledger),
                "rejected_4xx": len(platform.rejected),
                "rejected_examples": list(platform.rejected.items())[:5],
                "given_up": len(platform.given_up),
                "retries_sent": platform.attempts_retried,
                "replays": platform.replays,
                "new_videos": platform.new_videos,
            },
            "work": {
                "decisions": len(work.decisions),
                "approvals": len(work.approvals),
                "skips": work.skips,
                "escalations": work.escalations,
                "conflicts_409": work.conflicts,
                "conflict_types": dict(work.conflict_types),
            },
            "drained_after_s": round(drained_after, 1),
            "cpu_seconds": cpu_used,
            "restarts": {m.name: m.restarts for m in shift.supervisor.processes},
        }
        result["ledger_flags"] = check.flags(shift.db_url, platform.ledger)
        result["ledger_decisions"] = check.decisions(
            shift.db_url, endpoint_rows, set(work.decisions)
        )
        result["held_by_two"] = check.held_by_two(work.claims)
        result["audit_chain"] = check.audit_chain(shift.env("check"))
        result["beat"] = beat_proof(shift, seconds)
        result["logs"] = str(shift.logdir.relative_to(ROOT))
        if args.capacity_seconds:
            log("capacity: pushing flags, then decisions, as fast as the stack takes them")
            result["capacity"] = capacity(shift, args.capacity_seconds)
    finally:
        shift.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--replicas", type=int, choices=[1, 2], default=1)
    parser.add_argument("--flag-rate", type=float, default=5.0, help="flags per second")
    parser.add_argument("--moderators", type=int, default=30)
    parser.add_argument("--think-min", type=float, default=4.0)
    parser.add_argument("--think-max", type=float, default=16.0)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--concurrency", type=int, default=2, help="per Celery worker")
    parser.add_argument("--drain-minutes", type=float, default=10)
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument(
        "--capacity-seconds",
        type=float,
        default=45,
        help="after the checks, push flags then decisions this long each (0: skip)",
    )
    parser.add_argument("--no-report", action="store_true", help="do not touch shift.md")
    args = parser.parse_args()
    result = run(args)
    raw = RESULTS / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    path = raw / f"shift-r{args.replicas}-{result['started'][:19].replace(':', '')}.json"
    path.write_text(json.dumps(result, indent=1, default=str))
    log(f"wrote {path.relative_to(ROOT)}")
    from bench.shift.report import render_section, update_results

    section = render_section(result)
    print(section)
    if not args.no_report:
        update_results(args.replicas, section)
    ok = (
        result["ledger_flags"]["lost"] == 0
        and result["ledger_flags"]["duplicated"] == 0
        and result["ledger_decisions"]["not_reached"] == 0
        and result["ledger_decisions"]["reached_under_two_webhook_ids"] == 0
        and result["held_by_two"]["overlaps"] == 0
        and result["audit_chain"]["exit"] == 0
        and not result["server_errors_outside_fault_windows"]
    )
    log("verdict: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Processing stored flag.created raw events: in batches (what the worker does) against one
event per transaction (the services' own path, the baseline), in the same run.

    .venv/bin/python bench/ingest/processing.py [--flags 10000] [--videos 2000] [--rounds 2]

Each round stores the same receipts (bench/ingest/generate.py: heavy-tailed reuse of videos)
as raw events for two fresh platforms, processes one platform's event by event with
``raw_event_process`` and the other's with ``raw_events_process`` (batches of up to 500), in
alternating order, and checks in SQL that both ended with the same cases, flags and audit
events. It measures wall time, this process's CPU and its PostgreSQL backend's CPU (from
/proc). Uses its own database (``saring_bench_processing``, recreated). Writes
bench/results/processing.md.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.ingest.generate import workload  # noqa: E402
from bench.ingest.run import PG, PYTHON, RESULTS, machine  # noqa: E402

DB = os.environ.get("BENCH_PROCESSING_DB", "saring_bench_processing")


def database_reset(env: dict[str, str]) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    subprocess.run(
        [str(PYTHON), "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def django_env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "SARING_ENV": "production",
        "SECRET_KEY": "bench-only-" + secrets.token_hex(16),
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "pemilu.settings",
    }


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=10_000)
    parser.add_argument("--videos", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    env = django_env()
    info = machine()
    print(f"machine: {info}", flush=True)
    database_reset(env)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from moderation.choices import RawEventStatus
    from moderation.intake.processing import raw_event_process, raw_events_process
    from moderation.intake.receipts import WebhookReceipt, raw_event_store
    from moderation.models import AuditEvent, Case, Flag, Platform, RawEvent

    def platform(slug: str) -> Platform:
        with open(os.devnull, "w") as quiet:
            call_command(
                "platform_add", slug, name=slug, callback_url="https://example.org/cb", stdout=quiet
            )
        return Platform.objects.get(slug=slug)

    def store(target: Platform, load: Any) -> list[int]:
        now = timezone.now()
        ids = []
        for d in load.receipts:
            raw_id = raw_event_store(
                WebhookReceipt(
                    platform_id=target.pk,
                    webhook_id=d.webhook_id,
                    event_type="flag.created",
                    body=d.body,
                    webhook_timestamp=now,
                    received_at=now,
                    natural_key=f"flag:{d.flag_id}",
                ),
                status=RawEventStatus.RECEIVED,
                now=now,
            )
            assert raw_id is not None
            ids.append(raw_id)
        return ids

    def measure(work: Any) -> dict[str, float]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        wall, cpu, pg = time.perf_counter(), time.process_time(), backend_cpu(pid)
        work()
        return {
            "seconds": time.perf_counter() - wall,
            "python_cpu": time.process_time() - cpu,
            "postgres_cpu": backend_cpu(pid) - pg,
        }

    def outcome(target: Platform) -> dict[str, int]:
        return {
            "cases": Case.objects.filter(platform=target).count(),
            "flags": Flag.objects.filter(platform=target).count(),
            "audit events": AuditEvent.objects.filter(case__platform=target).count(),
            "not processed": RawEvent.objects.filter(platform=target)
            .exclude(status=RawEventStatus.PROCESSED)
            .count(),
        }

    rounds = []
    for n in range(args.rounds):
        load = workload(
            flags=args.flags, videos=args.videos, duplicate_rate=0.0, seed=500 + n, prefix=f"8{n}"
        )
        one, batched = platform(f"one-{n}"), platform(f"batched-{n}")
        order = ["one", "batched"] if n % 2 == 0 else ["batched", "one"]
        result: dict[str, Any] = {}
        for name in order:
            # Stored just before its own pass: raw_events_process takes every platform's.
            if name == "one":
                ids = store(one, load)
                result["one"] = measure(
                    lambda ids=ids: [raw_event_process(raw_event_id=pk) for pk in ids]
                )
            else:
                store(batched, load)
                result["batched"] = measure(lambda: raw_events_process(batch=500))
        result["outcome"] = {"one": outcome(one), "batched": outcome(batched)}
        rounds.append(result)
        print(f"round {n + 1}: {json.dumps(result)}", flush=True)

    text = report(info, args, rounds)
    (RESULTS / "processing.md").write_text(text)
    print(text)
    same = all(r["outcome"]["one"] == r["outcome"]["batched"] for r in rounds)
    return 0 if same else 1


def report(info: dict[str, str], args: argparse.Namespace, rounds: list[dict[str, Any]]) -> str:
    def total(name: str, key: str) -> float:
        return sum(r[name][key] for r in rounds)

    flags = args.flags * len(rounds)
    rows = []
    for name, label in (("one", "one event per transaction (baseline)"), ("batched", "batches")):
        per_second = flags / total(name, "seconds")
        rows.append(
            f"| {label} | {per_second:.0f} | {1e6 * total(name, 'python_cpu') / flags:.0f} µs "
            f"| {1e6 * total(name, 'postgres_cpu') / flags:.0f} µs |"
        )
    ratio = total("one", "seconds") / total("batched", "seconds")
    same = all(r["outcome"]["one"] == r["outcome"]["batched"] for r in rounds)
    outcome = rounds[-1]["outcome"]
    return "\n".join(
        [
            "# Processing stored flags: batches vs one event per transaction",
            "",
            f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM; Python "
            f"{info['python']}; PostgreSQL {info['postgres']}. Date: {info['date']}; commit "
            f"{info['commit']}; load average at start {info['load']}. One process, no load "
            "besides it; compare figures from the same run only.",
            "",
            "Rerun: `.venv/bin/python bench/ingest/processing.py` (a few minutes).",
            "",
            f"{args.flags:,} `flag.created` raw events over {args.videos:,} videos "
            "(bench/ingest/generate.py), stored for two platforms; one platform's processed "
            "event by event (`raw_event_process`), the other's in batches (`raw_events_process`, "
            f"up to 500 per batch), alternating which goes first; {len(rounds)} round(s), "
            "totals.",
            "",
            "| processing | flags/s | Python CPU per flag | PostgreSQL CPU per flag |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            f"**Batches are {ratio:.1f}x as fast** as one event per transaction.",
            "",
            (
                "Both paths ended with the same counts in every round"
                if same
                else "**The two paths ended with different counts**"
            )
            + f" (last round: {', '.join(f'{k} {v:,}' for k, v in outcome['batched'].items())}).",
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())

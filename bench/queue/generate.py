"""Fill a dedicated database with a realistic election-season backlog, fast.

    .venv/bin/python bench/queue/generate.py [--cases 1000000] [--flags-per-case 5]
        [--database saring_bench_queue] [--seed 2024]

Creates (or recreates) the database, migrates it, adds three platforms and the bench users,
then COPYs videos, cases and flags in one pass each (psycopg ``COPY ... FROM STDIN``), with
the secondary indexes dropped during the load and rebuilt afterwards, and ends with VACUUM
ANALYZE. A progress bar goes to stderr. Every NOT NULL column of the three tables must get a
value here: a new column on Video, Case or Flag makes the generator stop and say which.
"""

import argparse
import math
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.queue.common import (  # noqa: E402
    BENCH_MODERATORS,
    PLATFORMS,
    Progress,
    admin_url,
    database_url,
    django_setup,
)

REASONS = [
    "hoax",
    "disinformation",
    "defamation",
    "hate_speech",
    "sara",
    "incitement",
    "quiet_period_campaign",
    "official_impersonation",
    "voter_suppression",
    "civil_servant_partisanship",
    "other",
]
REASON_WEIGHTS = [30, 18, 10, 8, 7, 4, 5, 4, 6, 5, 3]
SOURCES = ["user_report", "automated", "trusted_flagger", "kpu"]
SOURCE_WEIGHTS = [70, 20, 8, 2]
LANGUAGES = ["id", "jv", "en", "su"]
LANGUAGE_WEIGHTS = [85, 8, 4, 3]
# Most of a season's cases are settled; the open backlog is still large.
STATUSES = ["new", "awaiting_clarification", "appealed", "in_review", "decided", "closed"]
STATUS_WEIGHTS = [30.0, 3.0, 1.0, 0.2, 45.8, 20.0]
CAPTIONS = [
    "Katanya TPS tutup jam 10 pagi, benarkah?",
    "Surat suara sudah dicoblos sebelum hari H #pemilu",
    "Paslon ini didukung asing, sebarkan!",
    "Pemilih tanpa undangan C6 tidak boleh mencoblos",
    "Video lama kerusuhan diklaim terjadi kemarin",
    "ASN wajib memilih calon nomor urut tertentu",
    "Ayo golput, hasilnya sudah diatur",
]


def tsv(value: object) -> str:
    """One field in PostgreSQL's text COPY format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def pg_array(items: list[str]) -> str:
    return "{" + ",".join(items) + "}"


def recreate_database(name: str) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def migrate(name: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(name), "SARING_ENV": "dev"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def reference_rows() -> dict[str, int]:
    """Platforms (with their organisations) and the bench users, through the ORM."""
    from django.contrib.auth.models import Group

    from moderation.choices import OrganisationKind, Role
    from moderation.models import Organisation, Platform, User

    ids: dict[str, int] = {}
    for slug, name, _share in PLATFORMS:
        org, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": OrganisationKind.PLATFORM}
        )
        platform, _ = Platform.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "organisation": org, "callback_secret": "whsec_bench"},
        )
        ids[slug] = platform.pk
    tiktok_org = Organisation.objects.get(slug="tiktok")
    kpu, _ = Organisation.objects.get_or_create(
        slug="kpu", defaults={"name": "KPU RI", "kind": OrganisationKind.KPU}
    )
    moderator_group = Group.objects.get(name=Role.PLATFORM_MODERATOR)
    for i in range(BENCH_MODERATORS):
        user, _ = User.objects.get_or_create(
            username=f"bench-mod-{i:02d}", defaults={"organisation": tiktok_org}
        )
        user.groups.add(moderator_group)
    supervisor, _ = User.objects.get_or_create(
        username="bench-supervisor", defaults={"organisation": tiktok_org}
    )
    supervisor.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    clarifier, _ = User.objects.get_or_create(username="bench-kpu", defaults={"organisation": kpu})
    clarifier.groups.add(Group.objects.get(name=Role.KPU_CLARIFIER))
    ids["decider"] = supervisor.pk
    return ids


def columns_of(model: type, provided: set[str]) -> list[str]:
    """The model's columns in order; stops if a NOT NULL column has no generated value."""
    missing = [
        f.column
        for f in model._meta.concrete_fields  # type: ignore[attr-defined]
        if f.column not in provided and not f.null
    ]
    if missing:
        raise SystemExit(
            f"generate.py: {model.__name__} has NOT NULL columns without a value: {missing}"
        )
    return [f.column for f in model._meta.concrete_fields if f.column in provided]  # type: ignore[attr-defined]


def secondary_indexes(conn: psycopg.Connection, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX ...) of indexes that back no constraint."""
    rows = conn.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [tables],
    ).fetchall()
    return [(name, definition) for name, definition in rows]


def generate(cases: int, flags_per_case: float, name: str, seed: int) -> None:
    rng = random.Random(seed)
    started = time.monotonic()
    print(f"database {name}: recreate and migrate", file=sys.stderr)
    recreate_database(name)
    migrate(name)
    os.environ["DATABASE_URL"] = database_url(name)
    django_setup()
    from moderation.models import Case, Flag, Video

    ids = reference_rows()
    platform_ids = [ids[slug] for slug, _, _ in PLATFORMS]
    platform_weights = [share for _, _, share in PLATFORMS]
    now = datetime.now(UTC)

    video_cols = columns_of(
        Video,
        {
            "id",
            "platform_id",
            "platform_video_id",
            "url",
            "author_id",
            "author_handle",
            "caption",
            "language",
            "region",
            "published_at",
            "view_count",
            "view_count_updated_at",
            "thumbnail_url",
            "author_is_political",
            "removed_at",
            "removed_by",
            "created_at",
            "updated_at",
        },
    )
    case_cols = columns_of(
        Case,
        {
            "id",
            "platform_id",
            "video_id",
            "status",
            "priority",
            "priority_breakdown",
            "flag_count",
            "reasons",
            "language",
            "view_count",
            "assignee_id",
            "lease_expires_at",
            "due_at",
            "version",
            "reopened_from_id",
            "awaiting_approval",
            "close_reason",
            "opened_at",
            "last_flag_at",
            "decided_at",
            "closed_at",
            "updated_at",
        },
    )
    flag_cols = columns_of(
        Flag,
        {
            "id",
            "platform_id",
            "platform_flag_id",
            "video_id",
            "case_id",
            "raw_event_id",
            "reason",
            "source",
            "confidence",
            "note",
            "flagged_at",
            "received_at",
        },
    )

    with psycopg.connect(database_url(name), autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        tables = ["moderation_video", "moderation_case", "moderation_flag"]
        dropped = secondary_indexes(conn, tables)
        for index_name, _ in dropped:
            conn.execute(f'DROP INDEX "{index_name}"')
        total_flags = 0
        progress = Progress(total=cases, label="videos+cases+flags")
        batch = 20_000
        with conn.cursor() as cur:
            for start in range(0, cases, batch):
                stop = min(cases, start + batch)
                videos: list[str] = []
                case_rows: list[str] = []
                flag_rows: list[str] = []
                for n in range(start + 1, stop + 1):
                    platform_id = rng.choices(platform_ids, platform_weights)[0]
                    language = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
                    views = int(math.exp(rng.gauss(9.5, 2.2)))
                    published = now - timedelta(hours=rng.uniform(1, 24 * 120))
                    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
                    open_ = status in ("new", "in_review", "awaiting_clarification", "appealed")
                    age = rng.uniform(0, 72) if open_ else rng.uniform(72, 24 * 120)
                    opened = now - timedelta(hours=age)
                    reasons = sorted(
                        set(rng.choices(REASONS, REASON_WEIGHTS, k=rng.choice((1, 1, 1, 2))))
                    )
                    mean = max(flags_per_case - 0.5, 0.01)
                    k = max(1, min(60, int(rng.expovariate(1 / mean)) + 1))
                    priority = min(
                        150,
                        int(max(0.0, math.log10(max(views, 1)) - 3) * 10)
                        + min(24, 4 * k)
                        + rng.randint(0, 40),
                    )
                    due = opened + timedelta(minutes=rng.choice((120, 240, 480, 720, 1440)))
                    video = {
                        "id": n,
                        "platform_id": platform_id,
                        "platform_video_id": f"73{n:017d}",
                        "url": f"https://video.example/@akun{n % 50_000}/video/73{n:017d}",
                        "author_id": f"68{n % 50_000:017d}",
                        "author_handle": f"@akun{n % 50_000}",
                        "caption": CAPTIONS[n % len(CAPTIONS)],
                        "language": language,
                        "region": "ID",
                        "published_at": published,
                        "view_count": views,
                        "view_count_updated_at": now,
                        "thumbnail_url": "",
                        "author_is_political": n % 97 == 0,
                        "removed_at": None,
                        "removed_by": "",
                        "created_at": opened,
                        "updated_at": opened,
                    }
                    videos.append("\t".join(tsv(video[c]) for c in video_cols))
                    breakdown = (
                        '[{"signal": "reach", "label": "views", "points": 20},'
                        f' {{"signal": "flags", "label": "{k} flags", "points": {min(24, 4 * k)}}}]'
                    )
                    held = status == "in_review"
                    case = {
                        "id": n,
                        "platform_id": platform_id,
                        "video_id": n,
                        "status": status,
                        "priority": priority,
                        "priority_breakdown": breakdown,
                        "flag_count": k,
                        "reasons": pg_array(reasons),
                        "language": language,
                        "view_count": views,
                        "assignee_id": None,
                        "lease_expires_at": None,
                        "due_at": due,
                        "version": rng.randint(1, 6),
                        "reopened_from_id": None,
                        "awaiting_approval": held,
                        "close_reason": "other" if status == "closed" else "",
                        "opened_at": opened,
                        "last_flag_at": opened + timedelta(minutes=k),
                        "decided_at": opened + timedelta(hours=3)
                        if status in ("decided", "closed")
                        else None,
                        "closed_at": opened + timedelta(days=2) if status == "closed" else None,
                        "updated_at": opened,
                    }
                    case_rows.append("\t".join(tsv(case[c]) for c in case_cols))
                    for j in range(k):
                        total_flags += 1
                        source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
                        flag = {
                            "id": total_flags,
                            "platform_id": platform_id,
                            "platform_flag_id": f"flg_{total_flags:012d}",
                            "video_id": n,
                            "case_id": n,
                            "raw_event_id": None,
                            "reason": reasons[j % len(reasons)],
                            "source": source,
                            "confidence": round(rng.random(), 3) if source == "automated" else None,
                            "note": "",
                            "flagged_at": opened + timedelta(minutes=j),
                            "received_at": opened + timedelta(minutes=j, seconds=2),
                        }
                        flag_rows.append("\t".join(tsv(flag[c]) for c in flag_cols))
                for table, cols, rows in (
                    ("moderation_video", video_cols, videos),
                    ("moderation_case", case_cols, case_rows),
                    ("moderation_flag", flag_cols, flag_rows),
                ):
                    with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                        copy.write("\n".join(rows) + "\n")
                progress.update(stop - start, extra=f"{total_flags:,} flags")
        progress.close()
        for table in tables:
            sequence_sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: E501, S608
            conn.execute(sequence_sql)
        rebuild = Progress(total=len(dropped), label="rebuild indexes")
        for _, definition in dropped:
            conn.execute(definition)
            rebuild.update(1)
        rebuild.close()
        print("VACUUM ANALYZE", file=sys.stderr)
        conn.execute("VACUUM ANALYZE")
        summary = conn.execute(
            "SELECT (SELECT count(*) FROM moderation_case), (SELECT count(*) FROM moderation_flag),"
            " (SELECT count(*) FROM moderation_case WHERE status IN ('new', 'appealed'))"
        ).fetchone()
    print(
        f"loaded {summary[0]:,} cases, {summary[1]:,} flags ({summary[2]:,} claimable) "
        f"in {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--flags-per-case", type=float, default=5.0)
    parser.add_argument("--database", default="saring_bench_queue")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    generate(args.cases, args.flags_per_case, args.database, args.seed)


if __name__ == "__main__":
    main()

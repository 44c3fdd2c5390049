"""The oversight dashboard at a million cases: generate an election season, then measure the
page and each figure's query.

    .venv/bin/python bench/dashboard/run.py --generate [--cases 1000000]   # ~10 min, once
    .venv/bin/python bench/dashboard/run.py [--requests 20]                # measure only

``--generate`` (re)creates the database saring_dash_bench (``--database``), migrates it and
COPYs (psycopg ``COPY ... FROM STDIN``) the Pemilu 2024 season from 28 November 2023 to
20 March 2024 with a peak around voting day: videos, cases (one per video), 1-3 flags each,
the decisions (about 85 % of cases decided, some twice), one callback per decision, the
presidential pairs and parties recorded on a third of the cases and a few thousand
clarification versions. Secondary indexes are dropped for the load and rebuilt after; the
decision triggers are off during the load and ``Case.first_decided_at`` is written directly
(what the trigger would have written), then VACUUM ANALYZE.

The measurement logs in as KPU's supervisor (every platform) and TikTok's (one platform),
asks for the dashboard page over several ranges through Django's test client (server time,
no network; no cache: every figure is computed each time) and times each figure's selector
on its own. Results go to bench/results/dashboard.md with the machine.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.queue.common import (  # noqa: E402
    Progress,
    database_url,
    django_setup,
    machine_info,
    percentile,
)
from bench.queue.generate import columns_of, recreate_database, secondary_indexes, tsv  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
SEASON_START = datetime(2023, 11, 28, tzinfo=WIB)
SEASON_END = datetime(2024, 3, 20, 23, 59, tzinfo=WIB)
VOTING_DAY = datetime(2024, 2, 14, 12, tzinfo=WIB)
PLATFORMS = [("tiktok", "TikTok", 70), ("metube", "MeTube", 20), ("vidio", "Vidio", 10)]
MODERATORS_PER_PLATFORM = 20
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
REASON_WEIGHTS = [30, 20, 10, 8, 6, 3, 4, 3, 6, 5, 5]
SOURCES = ["user_report", "automated", "trusted_flagger", "kpu"]
SOURCE_WEIGHTS = [60, 25, 10, 5]
ACTIONS = ["no_action", "label", "reduce_reach", "restrict_region", "remove", "escalate"]
ACTION_WEIGHTS = [40, 20, 15, 5, 18, 2]
RESULTS = ROOT / "bench" / "results"


def migrate(name: str) -> None:
    import subprocess

    env = {**os.environ, "DATABASE_URL": database_url(name), "SARING_ENV": "dev"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def opened_time(rng: random.Random) -> datetime:
    """A season with a peak: 70 % spread evenly, 30 % around voting day (sd 6 days)."""
    span = (SEASON_END - SEASON_START).total_seconds()
    while True:
        if rng.random() < 0.7:
            t = SEASON_START + timedelta(seconds=rng.uniform(0, span))
        else:
            t = VOTING_DAY + timedelta(days=rng.gauss(0, 6))
        if SEASON_START <= t <= SEASON_END:
            return t


def reference_rows() -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from moderation.choices import OrganisationKind, Role
    from moderation.models import (
        Clarification,
        ElectoralSubject,
        Organisation,
        Platform,
        User,
    )

    out: dict[str, Any] = {"platforms": [], "moderators": {}}
    moderator_group = Group.objects.get(name=Role.PLATFORM_MODERATOR)
    for slug, name, share in PLATFORMS:
        org, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": OrganisationKind.PLATFORM}
        )
        platform, _ = Platform.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "organisation": org, "callback_secret": "whsec_bench"},
        )
        out["platforms"].append((platform.pk, share))
        ids = []
        for i in range(MODERATORS_PER_PLATFORM):
            user, _ = User.objects.get_or_create(
                username=f"bench-{slug}-{i:02d}", defaults={"organisation": org}
            )
            user.groups.add(moderator_group)
            ids.append(user.pk)
        out["moderators"][platform.pk] = ids
    kpu, _ = Organisation.objects.get_or_create(
        slug="kpu", defaults={"name": "KPU RI", "kind": OrganisationKind.KPU}
    )
    supervisor, _ = User.objects.get_or_create(
        username="bench-kpu-supervisor", defaults={"organisation": kpu}
    )
    supervisor.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    tiktok_supervisor, _ = User.objects.get_or_create(
        username="bench-tiktok-supervisor",
        defaults={"organisation": Organisation.objects.get(slug="tiktok")},
    )
    tiktok_supervisor.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    approver, _ = User.objects.get_or_create(username="bench-kpu", defaults={"organisation": kpu})
    clarification = Clarification.objects.create(
        claim="Pemilih tanpa undangan C6 tidak boleh mencoblos.",
        rating="false",
        title="Pemilih cukup membawa KTP-el",
        body="Pemilih yang terdaftar di DPT dapat memilih dengan KTP-el.",
        author=approver,
        status="published",
        version=1,
        published_at=SEASON_START,
    )
    out["clarification"] = clarification.pk
    out["approver"] = approver.pk
    out["subjects"] = list(ElectoralSubject.objects.values_list("pk", flat=True))
    return out


def generate(cases: int, name: str, seed: int) -> None:
    rng = random.Random(seed)
    started = time.monotonic()
    print(f"database {name}: recreate and migrate", file=sys.stderr)
    recreate_database(name)
    migrate(name)
    os.environ["DATABASE_URL"] = database_url(name)
    django_setup()
    from moderation.models import (
        Case,
        CaseSubject,
        ClarificationVersion,
        Decision,
        Flag,
        OutboundDelivery,
        Video,
    )

    ref = reference_rows()
    platform_ids = [p for p, _s in ref["platforms"]]
    platform_weights = [s for _p, s in ref["platforms"]]
    cols = {
        "moderation_video": columns_of(
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
        ),
        "moderation_case": columns_of(
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
                "due_at",
                "version",
                "awaiting_approval",
                "close_reason",
                "opened_at",
                "last_flag_at",
                "decided_at",
                "first_decided_at",
                "closed_at",
                "updated_at",
            },
        ),
        "moderation_flag": columns_of(
            Flag,
            {
                "id",
                "platform_id",
                "platform_flag_id",
                "video_id",
                "case_id",
                "reason",
                "source",
                "confidence",
                "note",
                "flagged_at",
                "received_at",
            },
        ),
        "moderation_decision": columns_of(
            Decision,
            {
                "id",
                "case_id",
                "action",
                "ground",
                "category",
                "statement_of_reasons",
                "clarification_id",
                "automated_detection",
                "automated_decision",
                "territorial_scope",
                "facts",
                "decided_by_id",
                "decided_at",
                "case_version",
                "supersedes_id",
                "approval_state",
                "approval_note",
            },
        ),
        "moderation_outbounddelivery": columns_of(
            OutboundDelivery,
            {
                "id",
                "platform_id",
                "event_type",
                "payload",
                "webhook_id",
                "status",
                "attempts",
                "next_attempt_at",
                "last_error",
                "created_at",
                "delivered_at",
                "subject",
            },
        ),
        "moderation_casesubject": columns_of(
            CaseSubject,
            {
                "id",
                "case_id",
                "subject_id",
                "tagged_by_id",
                "tagged_at",
                "case_opened_at",
                "case_platform_id",
            },
        ),
    }
    now = datetime.now(UTC)
    with psycopg.connect(database_url(name), autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        tables = list(cols)
        dropped = secondary_indexes(conn, tables)
        for index_name, _ in dropped:
            conn.execute(f'DROP INDEX "{index_name}"')
        # The decision triggers, and the dashboard-day marks on every table (a load of the past
        # would mark each day a million times; the summaries are built afterwards).
        for table in tables:
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        counters = {"flag": 0, "decision": 0, "delivery": 0, "link": 0}
        progress = Progress(total=cases, label="season")
        batch = 20_000
        with conn.cursor() as cur:
            for start in range(0, cases, batch):
                rows: dict[str, list[str]] = {t: [] for t in tables}

                def add(table: str, row: dict[str, Any], rows: dict[str, list[str]] = rows) -> None:
                    rows[table].append("\t".join(tsv(row.get(c)) for c in cols[table]))

                for n in range(start + 1, min(cases, start + batch) + 1):
                    platform_id = rng.choices(platform_ids, platform_weights)[0]
                    opened = opened_time(rng)
                    reasons = sorted(
                        set(rng.choices(REASONS, REASON_WEIGHTS, k=rng.choice((1, 1, 1, 2))))
                    )
                    due = opened + timedelta(minutes=rng.choice((60, 120, 240, 480, 720, 1440)))
                    add(
                        "moderation_video",
                        {
                            "id": n,
                            "platform_id": platform_id,
                            "platform_video_id": f"73{n:017d}",
                            "url": f"https://video.example/v/{n}",
                            "author_id": f"68{n % 50_000:017d}",
                            "author_handle": f"@akun{n % 50_000}",
                            "caption": "Katanya TPS tutup jam 10 pagi",
                            "language": "id",
                            "region": "ID",
                            "published_at": opened - timedelta(hours=rng.uniform(0.2, 48)),
                            "view_count": int(rng.lognormvariate(9.5, 2.2)),
                            "view_count_updated_at": opened,
                            "thumbnail_url": "",
                            "author_is_political": n % 97 == 0,
                            "removed_by": "",
                            "created_at": opened,
                            "updated_at": opened,
                        },
                    )
                    fate = rng.random()
                    first_at = opened + timedelta(minutes=rng.lognormvariate(5.0, 1.0))
                    decided = fate < 0.85 and first_at < SEASON_END
                    closed = not decided and fate < 0.93
                    last_at = first_at
                    k = rng.choice((1, 1, 2, 3))
                    for j in range(k):
                        counters["flag"] += 1
                        add(
                            "moderation_flag",
                            {
                                "id": counters["flag"],
                                "platform_id": platform_id,
                                "platform_flag_id": f"flg_{counters['flag']:012d}",
                                "video_id": n,
                                "case_id": n,
                                "reason": reasons[j % len(reasons)],
                                "source": rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
                                "note": "",
                                "flagged_at": opened + timedelta(minutes=j * 7),
                                "received_at": opened + timedelta(minutes=j * 7, seconds=2),
                            },
                        )
                    if decided:
                        deciders = ref["moderators"][platform_id]
                        times = [first_at]
                        if rng.random() < 0.05:
                            times.append(first_at + timedelta(hours=rng.uniform(2, 72)))
                        previous = None
                        for t in times:
                            counters["decision"] += 1
                            action = rng.choices(ACTIONS, ACTION_WEIGHTS)[0]
                            add(
                                "moderation_decision",
                                {
                                    "id": counters["decision"],
                                    "case_id": n,
                                    "action": action,
                                    "ground": rng.choice(
                                        ("community_guidelines",) * 3 + ("election_law",)
                                    ),
                                    "category": reasons[0],
                                    "statement_of_reasons": "Melanggar pedoman komunitas.",
                                    "clarification_id": ref["clarification"]
                                    if action == "label"
                                    else None,
                                    "automated_detection": rng.random() < 0.2,
                                    "automated_decision": "not_automated",
                                    "territorial_scope": "{ID}",
                                    "facts": "",
                                    "decided_by_id": rng.choice(deciders),
                                    "decided_at": t,
                                    "case_version": 1,
                                    "supersedes_id": previous,
                                    "approval_state": "not_required",
                                    "approval_note": "",
                                },
                            )
                            previous = counters["decision"]
                            counters["delivery"] += 1
                            roll = rng.random()
                            delivered = roll < 0.97
                            add(
                                "moderation_outbounddelivery",
                                {
                                    "id": counters["delivery"],
                                    "platform_id": platform_id,
                                    "event_type": "decision.recorded",
                                    "payload": "{}",
                                    "webhook_id": f"msg_{counters['delivery']:024d}",
                                    "status": "delivered"
                                    if delivered
                                    else ("failed" if roll < 0.995 else "pending"),
                                    "attempts": 1 if delivered else 12,
                                    "next_attempt_at": t,
                                    "last_error": "",
                                    "created_at": t,
                                    "delivered_at": t + timedelta(seconds=2) if delivered else None,
                                    "subject": f"decision:{counters['decision']}",
                                },
                            )
                        last_at = times[-1]
                    if rng.random() < 0.33:
                        for subject in rng.sample(ref["subjects"], rng.choice((1, 1, 2))):
                            counters["link"] += 1
                            add(
                                "moderation_casesubject",
                                {
                                    "id": counters["link"],
                                    "case_id": n,
                                    "subject_id": subject,
                                    "tagged_by_id": ref["moderators"][platform_id][0],
                                    "tagged_at": opened,
                                    "case_opened_at": opened,
                                    "case_platform_id": platform_id,
                                },
                            )
                    add(
                        "moderation_case",
                        {
                            "id": n,
                            "platform_id": platform_id,
                            "video_id": n,
                            "status": "decided" if decided else "closed" if closed else "new",
                            "priority": rng.randint(0, 120),
                            "priority_breakdown": "[]",
                            "flag_count": k,
                            "reasons": "{" + ",".join(reasons) + "}",
                            "language": "id",
                            "view_count": None,
                            "due_at": due,
                            "version": 2,
                            "awaiting_approval": False,
                            "close_reason": "other" if closed else "",
                            "opened_at": opened,
                            "last_flag_at": opened,
                            "decided_at": last_at if decided else None,
                            "first_decided_at": first_at if decided else None,
                            "closed_at": first_at if closed else None,
                            "updated_at": now,
                        },
                    )
                for table in tables:
                    if rows[table]:
                        with cur.copy(
                            f"COPY {table} ({', '.join(cols[table])}) FROM STDIN"
                        ) as copy:
                            copy.write("\n".join(rows[table]) + "\n")
                progress.update(
                    min(cases, start + batch) - start,
                    extra=f"{counters['decision']:,} decisions",
                )
        progress.close()
        for table in tables:
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        versions = []
        for i in range(3000):
            versions.append(
                ClarificationVersion(
                    clarification_id=ref["clarification"],
                    version=i + 2,
                    claim="c",
                    rating="false",
                    title="t",
                    body="b",
                    published_at=opened_time(rng),
                )
            )
        ClarificationVersion.objects.bulk_create(versions, batch_size=1000)
        for table in tables:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT max(id) FROM {table}))"
            )
        rebuild = Progress(total=len(dropped), label="rebuild indexes")
        for _, definition in dropped:
            conn.execute(definition)
            rebuild.update(1)
        rebuild.close()
        print("VACUUM ANALYZE", file=sys.stderr)
        conn.execute("VACUUM ANALYZE")
    print(
        f"loaded {cases:,} cases, {counters['flag']:,} flags, {counters['decision']:,} decisions,"
        f" {counters['delivery']:,} callbacks, {counters['link']:,} pair/party links in"
        f" {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )


RANGES = [
    ("voting week (7 days)", date(2024, 2, 11), date(2024, 2, 17)),
    ("two weeks to 20 Feb (the default length)", date(2024, 2, 7), date(2024, 2, 20)),
    ("tabulation (35 days)", date(2024, 2, 15), date(2024, 3, 20)),
]


def summary(timings: list[float]) -> dict[str, float]:
    return {
        "n": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "max_ms": round(max(timings), 1),
    }


def measure(name: str, requests: int, cold_requests: int, baseline_requests: int) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = database_url(name)
    django_setup()
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from moderation.models import (
        Case,
        DashboardDay,
        DashboardDirtyDay,
        Decision,
        Platform,
        User,
    )
    from moderation.oversight import dashboard as figures
    from moderation.oversight.dashboard import DashboardScope, dashboard_reads
    from moderation.oversight.dashboard_days import dashboard_days_refresh
    from moderation.oversight.neutrality import neutrality_by_subject

    counts = {"cases": Case.objects.count(), "decisions": Decision.objects.count()}
    print(f"{counts['cases']:,} cases, {counts['decisions']:,} decisions", file=sys.stderr)
    # What the periodic task keeps: every past day summarised (from scratch, timed).
    DashboardDay.objects.all().delete()
    t0 = time.perf_counter()
    summarised = 0
    while (result := dashboard_days_refresh(max_days=31)).days:
        summarised += result.days
    summarise_seconds = time.perf_counter() - t0
    print(f"summarised {summarised} days in {summarise_seconds:.1f} s", file=sys.stderr)
    kpu = User.objects.get(username="bench-kpu-supervisor")
    tiktok_supervisor = User.objects.get(username="bench-tiktok-supervisor")
    tiktok = Platform.objects.get(slug="tiktok")
    readers = []
    for label, user in (("KPU supervisor", kpu), ("TikTok supervisor", tiktok_supervisor)):
        client = Client()
        client.force_login(user)
        # Supervisors sign in with a TOTP code (issue 12): the session a verified sign-in leaves.
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        readers.append((label, client))
    pages: dict[str, dict[str, float]] = {}
    for mode, seconds, n in (("cold", 0, cold_requests), ("shared 30 s", 30, requests)):
        settings.DASHBOARD_CACHE_SECONDS = seconds
        for range_label, since, until in RANGES:
            for who, client in readers:
                url = f"/oversight/dashboard/?since={since}&until={until}"
                response = client.get(url)  # warm-up (fills the shared sections)
                assert response.status_code == 200, (url, response.status_code)
                timings = []
                for _ in range(n):
                    t0 = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200
                key = f"{mode} · {range_label} · {who}"
                pages[key] = summary(timings)
                print(f"  page {key}: {pages[key]}", file=sys.stderr)

    def cold_page(key: str, url: str, client: Any, n: int) -> None:
        client.get(url)  # warm-up
        timings = []
        for _ in range(n):
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        pages[key] = summary(timings)
        print(f"  page {key}: {pages[key]}", file=sys.stderr)

    settings.DASHBOARD_CACHE_SECONDS = 0
    # The baseline: the same pages with no day summarised (every figure from the tables, as
    # before the summaries), in a transaction rolled back afterwards.
    with transaction.atomic():
        DashboardDay.objects.all().delete()
        for range_label, since, until in RANGES:
            for who, client in readers:
                url = f"/oversight/dashboard/?since={since}&until={until}"
                cold_page(f"no summaries · {range_label} · {who}", url, client, baseline_requests)
        transaction.set_rollback(True)
    # Election night: the clock at 21:00 WIB on voting day, so today (the peak day) is computed
    # from the tables; then at 00:30 the day after, with voting day marked dirty as decisions on
    # its cases keep coming (today and yesterday from the tables). The data set holds the whole
    # of each day, so "today" costs a full peak day: more than it would at that hour.
    platform_ids = list(Platform.objects.values_list("pk", flat=True))
    for label, clock, dirty in (
        ("voting day 21:00 WIB (today live)", datetime(2024, 2, 14, 21, tzinfo=WIB), None),
        (
            "15 Feb 00:30 WIB (today and yesterday live)",
            datetime(2024, 2, 15, 0, 30, tzinfo=WIB),
            date(2024, 2, 14),
        ),
    ):
        today = clock.date()
        with transaction.atomic(), mock.patch("django.utils.timezone.now", return_value=clock):
            if dirty:
                DashboardDirtyDay.objects.bulk_create(
                    [DashboardDirtyDay(platform_id=p, day=dirty) for p in platform_ids]
                )
            since = today - timedelta(days=13)
            for who, client in readers:
                url = f"/oversight/dashboard/?since={since}&until={today}"
                cold_page(f"cold · {label} · two weeks · {who}", url, client, cold_requests)
            transaction.set_rollback(True)
    selectors = {
        "flow (inflow, decisions, settled, backlog)": figures.flow_by_day,
        "SLA by phase": figures.sla_by_phase,
        "SLA by reason": figures.sla_by_reason,
        "time to first decision": figures.time_to_first_decision,
        "decisions by action and category": figures.decisions_breakdown,
        "per-moderator throughput": figures.moderator_throughput,
        "clarifications and labels": figures.clarifications_and_labels,
        "callback health": figures.callback_health,
        "neutrality per pair and party": neutrality_by_subject,
    }
    figure_times: dict[str, dict[str, dict[str, float]]] = {}
    now = timezone.now()
    scopes = [(label, since, until, None, "every platform") for label, since, until in RANGES]
    scopes.append((RANGES[0][0], RANGES[0][1], RANGES[0][2], (tiktok.pk,), "TikTok"))
    for range_label, since, until, platform_ids, who in scopes:
        timings: dict[str, list[float]] = {fig: [] for fig in selectors}
        for _ in range(3):
            # A fresh scope each time: the shared scans are counted in the first figure
            # that asks for them (flow: both scans; SLA by phase and later: none).
            scope = DashboardScope(since=since, until=until, platform_ids=platform_ids, now=now)
            with dashboard_reads():
                for fig, fn in selectors.items():
                    t0 = time.perf_counter()
                    fn(scope)
                    timings[fig].append((time.perf_counter() - t0) * 1000)
        figure_times[f"{range_label} · {who}"] = {f: summary(t) for f, t in timings.items()}
    return {
        "counts": counts,
        "pages": pages,
        "figures": figure_times,
        "summarised": {"days": summarised, "seconds": round(summarise_seconds, 1)},
    }


def write_results(data: dict[str, Any], out: Path, generate_seconds: float | None) -> None:
    machine = machine_info()
    lines = [
        "# Dashboard bench",
        "",
        "`bench/dashboard/run.py`: the oversight dashboard (`/oversight/dashboard/`) on the",
        f"database `{data['database']}` with {data['counts']['cases']:,} cases and"
        f" {data['counts']['decisions']:,} decisions over the Pemilu 2024 season (28 Nov 2023 -"
        " 20 Mar 2024, a peak around voting day).",
        "",
        f"Run {data['when']} on: {machine['cpu']}, {machine['memory']}, {machine['os']},"
        f" Python {machine['python']}, {machine['postgresql']}. The machine is shared with other",
        "engineers' test runs (2 cores), so the numbers carry their noise.",
        "",
        "## The page",
        "",
        "Server time through Django's test client (no network), after one warm-up request.",
        "*cold*: `DASHBOARD_CACHE_SECONDS = 0`, every figure computed on each request, from the",
        "day summaries (`DashboardDay`, kept by the `dashboard-days-refresh` task) for past days",
        "that have not changed since and from the tables for the rest. *shared 30 s*: the",
        "default, sections shared between readers of the same range for 30 s (the polling",
        "interval) while no counted row is added. *no summaries*: the baseline, the same cold",
        "pages with no day summarised (every figure from the tables). *voting day 21:00* and",
        "*15 Feb 00:30*: the clock set to election night, so today (and, the second, yesterday,",
        "marked dirty) is computed from the tables; the data set holds the whole of each day,",
        "so today costs a full peak day. Target: **p95 < 500 ms**.",
        "",
        f"Summarising the whole season ({data['summarised']['days']:,} days from the first case"
        f" to yesterday, every platform) took {data['summarised']['seconds']} s.",
        "",
        "| range · reader | n | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, s in data["pages"].items():
        lines.append(f"| {key} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} |")
    lines += [
        "",
        "### Summaries against the baseline (same run)",
        "",
        "| range · reader | no summaries p50 ms | summaries p50 ms | ratio |",
        "|---|---:|---:|---:|",
    ]
    for key, s in data["pages"].items():
        if not key.startswith("no summaries · "):
            continue
        rest = key.removeprefix("no summaries · ")
        fast = data["pages"].get(f"cold · {rest}")
        if fast:
            ratio = fast["p50_ms"] / s["p50_ms"]
            lines.append(f"| {rest} | {s['p50_ms']} | {fast['p50_ms']} | {ratio:.3f} |")
    lines += ["", "## Each figure's query (summaries in place)", ""]
    for key, figs in data["figures"].items():
        lines += [f"### {key}", "", "| figure | p50 ms | p95 ms |", "|---|---:|---:|"]
        for fig, s in figs.items():
            lines.append(f"| {fig} | {s['p50_ms']} | {s['p95_ms']} |")
        lines.append("")
    if generate_seconds is not None:
        lines += [f"Generating the data set took {generate_seconds:.0f} s.", ""]
    lines += [
        "## How to rerun",
        "",
        "    .venv/bin/python bench/dashboard/run.py --generate   # the data set, about 10 min",
        "    .venv/bin/python bench/dashboard/run.py              # measure only, about 4 min",
        "",
        "The measurement rebuilds every day summary first (timed above), then measures. Raw",
        "numbers go to bench/results/raw/ (not in git).",
        "",
    ]
    out.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database", default="saring_dash_bench")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--cold-requests", type=int, default=20)
    parser.add_argument("--baseline-requests", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "dashboard.md")
    args = parser.parse_args()
    generate_seconds = None
    if args.generate:
        t0 = time.monotonic()
        generate(args.cases, args.database, args.seed)
        generate_seconds = time.monotonic() - t0
    else:
        os.environ["DATABASE_URL"] = database_url(args.database)
    data = measure(args.database, args.requests, args.cold_requests, args.baseline_requests)
    data["database"] = args.database
    data["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    raw = RESULTS / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / f"dashboard-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(json.dumps(data))
    write_results(data, args.out, generate_seconds)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

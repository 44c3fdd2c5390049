"""Measure hoax-wave detection on a database of realistic size.

    .venv/bin/python bench/waves/run.py [--videos 200000] [--waves 100] [--copies 30]
        [--database saring_bench_waves] [--samples 60]

Creates (or recreates) the database and migrates it, then writes with SQL ``--videos``
videos with one open case each, their captions random sentences over a 3,000-word vocabulary
with hashtags, plus ``--waves`` hoax waves: a case decided (label) with a published
clarification and ``--copies`` open cases repeating its caption with small edits (case,
punctuation, an extra word, a different generic hashtag). Then, as a TikTok moderator:

- ``case_wave`` (the case page's wave panel) for wave members and for cases in no wave;
- ``wave_marked_cases`` for pages of 100 open cases (the queue's wave marks);
- EXPLAIN of both searches, to show they go through the trigram index ``video_caption_trgm``.

Writes bench/results/waves.md.
"""

import argparse
import itertools
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.queue.common import (  # noqa: E402
    admin_url,
    database_url,
    django_setup,
    machine_info,
    percentile,
)

RESULTS = ROOT / "bench" / "results"


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    """Real Indonesian words (the normaliser's root and slang lists), ordered as ``sentence``
    reads a frequency rank: shorter words first (short words are the frequent ones, as in
    real text), random among equal lengths."""
    from moderation.clarifications.matching import root_words, slang_words

    words = rng.sample(sorted(root_words() | set(slang_words())), size)
    return sorted(words, key=lambda w: (len(w), rng.random()))


_ZIPF: list[float] = []


def sentence(rng: random.Random, words: list[str]) -> str:
    """6-18 words drawn by Zipf's law (word k with weight 1/k), and 0-3 hashtags."""
    if len(_ZIPF) != len(words):
        _ZIPF[:] = list(itertools.accumulate(1 / (k + 1) for k in range(len(words))))
    body = " ".join(rng.choices(words, cum_weights=_ZIPF, k=rng.randint(6, 18)))
    tags = " ".join(f"#{w}" for w in rng.choices(words, cum_weights=_ZIPF, k=rng.randint(0, 3)))
    return f"{body} {tags} #fyp".strip()


def variant(rng: random.Random, caption: str, words: list[str]) -> str:
    edit = rng.randrange(4)
    if edit == 0:
        return caption.upper()
    if edit == 1:
        return caption.replace(" #fyp", "!!! #fyp")
    if edit == 2:
        return f"{caption} {rng.choice(words)}"
    return caption.replace("#fyp", "#viral")


def create_database(name: str) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": database_url(name), "SARING_ENV": "dev"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def fill(args: argparse.Namespace) -> dict[str, int]:
    """Reference rows through the ORM; videos, cases and decisions through COPY."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from moderation.choices import ClarificationStatus, OrganisationKind, Role
    from moderation.models import Clarification, Organisation, Platform, User

    now = timezone.now()
    tiktok_org = Organisation.objects.create(slug="tiktok", name="TikTok", kind="platform")
    kpu = Organisation.objects.create(slug="kpu", name="KPU", kind=OrganisationKind.KPU)
    tiktok = Platform.objects.create(
        slug="tiktok", name="TikTok", organisation=tiktok_org, callback_secret="x" * 40
    )
    moderator = User.objects.create(username="bench-mod", organisation=tiktok_org)
    moderator.groups.add(Group.objects.get(name=Role.PLATFORM_MODERATOR))
    decider = User.objects.create(username="bench-decider", organisation=tiktok_org)
    author = User.objects.create(username="bench-kpu", organisation=kpu)
    clarification = Clarification.objects.create(
        claim="Klaim bench",
        rating="false",
        title="Klarifikasi bench",
        body="Isi",
        author=author,
        status=ClarificationStatus.PUBLISHED,
        version=1,
        published_at=now,
    )

    rng = random.Random(2024)
    words = vocabulary(rng)
    rows: list[tuple[str, str]] = []  # (caption, status)
    for _ in range(args.videos):
        rows.append((sentence(rng, words), "new"))
    for _ in range(args.waves):
        original = sentence(rng, words)
        rows.append((original, "decided"))
        for _ in range(args.copies):
            rows.append((variant(rng, original, words), "new"))
    rng.shuffle(rows)

    started = time.monotonic()
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as cur:
            with cur.copy(
                "COPY moderation_video (platform_id, platform_video_id, url, author_id, "
                "author_handle, caption, language, region, author_is_political, removed_by, "
                "thumbnail_url, created_at, updated_at) FROM STDIN"
            ) as copy:
                for i, (caption, _status) in enumerate(rows):
                    copy.write_row(
                        (
                            tiktok.pk,
                            f"v{i}",
                            "",
                            f"a{i}",
                            f"@a{i}",
                            caption,
                            "id",
                            "ID",
                            False,
                            "",
                            "",
                            now,
                            now,
                        )
                    )
            cur.execute("SELECT id, platform_video_id FROM moderation_video")
            video_ids = {vid: pk for pk, vid in cur.fetchall()}
            with cur.copy(
                "COPY moderation_case (platform_id, video_id, status, priority, "
                "priority_breakdown, flag_count, reasons, language, version, awaiting_approval, "
                "close_reason, opened_at, updated_at, decided_at) FROM STDIN"
            ) as copy:
                for i, (_caption, status) in enumerate(rows):
                    copy.write_row(
                        (
                            tiktok.pk,
                            video_ids[f"v{i}"],
                            status,
                            rng.randint(0, 100),
                            "[]",
                            1,
                            "{hoax}",
                            "id",
                            2,
                            False,
                            "",
                            now,
                            now,
                            now if status == "decided" else None,
                        )
                    )
            cur.execute(
                "INSERT INTO moderation_decision (case_id, action, ground, category, "
                "statement_of_reasons, clarification_id, automated_detection, "
                "automated_decision, territorial_scope, facts, decided_by_id, decided_at, "
                "case_version, approval_state, approval_note) "
                "SELECT id, 'label', 'community_guidelines', 'hoax', 'Hoaks.', %s, false, "
                "'not_automated', '{}', '', %s, %s, 1, 'not_required', '' "
                "FROM moderation_case WHERE status = 'decided'",
                [clarification.pk, decider.pk, now],
            )
        cursor.execute("VACUUM ANALYZE")
    return {"rows": len(rows), "load_seconds": round(time.monotonic() - started, 1)}


def measure(args: argparse.Namespace) -> dict[str, object]:
    from django.db import connection

    from moderation.models import Case, User
    from moderation.review.waves import case_wave, wave_marked_cases, wave_query

    user = User.objects.get(username="bench-mod")
    rng = random.Random(7)
    sources = list(Case.objects.filter(status="decided").select_related("video"))
    member_ids: list[int] = []
    for source in rng.sample(sources, min(len(sources), args.samples)):
        wave = case_wave(user=user, case=source)
        if wave and wave.members:
            member_ids.append(rng.choice(wave.members).case.pk)
    open_ids = list(Case.objects.filter(status="new").values_list("pk", flat=True))
    others = rng.sample(open_ids, args.samples)

    def timed(case_ids: list[int]) -> tuple[list[float], int]:
        timings, found = [], 0
        for pk in case_ids:
            case = Case.objects.select_related("video", "platform", "assignee").get(pk=pk)
            started = time.perf_counter()
            wave = case_wave(user=user, case=case)
            timings.append((time.perf_counter() - started) * 1000)
            found += wave is not None
        return timings, found

    timed(others[:5])  # warm caches
    member_times, member_found = timed(member_ids)
    other_times, other_found = timed(others)
    page_times, marked = [], 0
    for _ in range(args.samples):
        page = list(Case.objects.filter(pk__in=rng.sample(open_ids, 100)).select_related("video"))
        started = time.perf_counter()
        marked += len(wave_marked_cases(user=user, cases=page))
        page_times.append((time.perf_counter() - started) * 1000)

    caption = Case.objects.select_related("video").get(pk=member_ids[0]).video.caption
    query = wave_query(caption)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, COSTS OFF) SELECT c.id FROM moderation_case c "
            "JOIN moderation_video v ON v.id = c.video_id "
            "WHERE to_tsvector('simple'::regconfig, v.caption) @@ to_tsquery('simple', %s) "
            "AND similarity(v.caption, %s) >= 0.6",
            [query, caption],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    def summary(values: list[float]) -> str:
        return (
            f"p50 {percentile(values, 50):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
            f"max {max(values):.1f} ms"
        )

    return {
        "members": f"{summary(member_times)} ({member_found}/{len(member_ids)} found a wave)",
        "others": f"{summary(other_times)} ({other_found}/{len(others)} found a wave)",
        "pages": f"{summary(page_times)} ({marked} rows marked in {len(page_times)} pages)",
        "plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--videos", type=int, default=200_000)
    parser.add_argument("--waves", type=int, default=100)
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--database", default="saring_bench_waves")
    parser.add_argument("--keep", action="store_true", help="reuse the filled database")
    args = parser.parse_args()

    if not args.keep:
        create_database(args.database)
    os.environ["DATABASE_URL"] = database_url(args.database)
    django_setup()
    if args.keep:
        from moderation.models import Video

        loaded = {"rows": Video.objects.count()}
    else:
        loaded = fill(args)
    result = measure(args)
    info = machine_info()
    text = f"""# Hoax waves: detection latency

Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/waves/run.py --videos {args.videos}
--waves {args.waves} --copies {args.copies} --samples {args.samples}` on {info.get("cpu", "?")}
(shared with other work; PostgreSQL on the same machine). {loaded.get("rows", "?")} videos
with one case each; {args.waves} waves of one decided case and {args.copies} near-identical
open copies; the rest random captions of 6-18 real Indonesian words (3,000 of them, drawn
by Zipf's law, short words the frequent ones) with 0-3 hashtags. As a TikTok moderator:

| What | Time |
|---|---|
| `case_wave`, a wave member (the case page's wave panel) | {result["members"]} |
| `case_wave`, a case in no wave | {result["others"]} |
| `wave_marked_cases`, a queue page of 100 open cases | {result["pages"]} |

The caption search goes through the index on caption words (`video_caption_words`,
migration 0014), then compares only the candidates:

```
{result["plan"]}
```
"""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "waves.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

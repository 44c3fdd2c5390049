"""Clarification suggestions: quality and latency on the evaluation set, on a clean database.

    .venv/bin/python bench/clarifications/run.py          # about two minutes

1. Drops and re-creates the database ``saring_bench_clarifications`` on the server of
   DATABASE_URL (nothing else is touched), migrates it, publishes the 38 clarifications of
   bench/clarifications/eval.json plus generated distractors up to 500 published, and opens one
   case (video + flag) per caption; then ANALYZE.
2. Asks ``clarification_suggestions(case=...)`` for every case and measures, per half (dev:
   what fit.py fitted the score on; held-out: never used for fitting or tuning):
   - P@1: share of captions with a right answer whose first suggestion is it (no suggestion
     counts as a miss);
   - P@3: share whose right answer is among the first three suggestions;
   - false suggestions: share of captions without a right answer that get any suggestion.
3. Latency: every case asked again, --repeat times (5), each call timed from the case object to the
   list (the flag-note query included); p50/p95/p99 over all calls.

Writes bench/results/clarifications.md and bench/results/raw/clarifications-<time>.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.clarifications.common import (  # noqa: E402
    BENCH_DB,
    LoadedCaption,
    load,
    prepare_database,
)

TARGETS = {"p1": 0.75, "p3": 0.90, "false": 0.15, "p95_ms": 50.0}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def machine() -> dict[str, str]:
    def read(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    mem_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return {
        "cpu": f"{cpu}, nproc {os.cpu_count()}",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": read(["psql", "--version"]),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def quality(rows: list[tuple[LoadedCaption, list[int]]]) -> dict[str, float | int]:
    answerable = [(c, ids) for c, ids in rows if c.expected is not None]
    unanswerable = [(c, ids) for c, ids in rows if c.expected is None]
    p1 = sum(bool(ids) and ids[0] == c.expected for c, ids in answerable)
    p3 = sum(c.expected in ids[:3] for c, ids in answerable)
    false = sum(bool(ids) for _, ids in unanswerable)
    return {
        "captions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "p1": p1 / len(answerable) if answerable else 0.0,
        "p3": p3 / len(answerable) if answerable else 0.0,
        "false": false / len(unanswerable) if unanswerable else 0.0,
        "false_adjacent": _share(unanswerable, "adjacent"),
        "false_unrelated": _share(unanswerable, "unrelated"),
    }


def _share(rows: list[tuple[LoadedCaption, list[int]]], kind: str) -> float:
    picked = [ids for c, ids in rows if c.kind == kind]
    return sum(bool(ids) for ids in picked) / len(picked) if picked else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over all cases")
    args = parser.parse_args()
    started = datetime.now(UTC)
    info = machine()
    print(f"preparing {BENCH_DB} ...", file=sys.stderr)
    prepare_database()
    load_started = time.perf_counter()
    ids, captions = load()
    load_seconds = time.perf_counter() - load_started

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from moderation.choices import ClarificationStatus
    from moderation.clarifications import suggestions as engine
    from moderation.models import Case, Clarification

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    published = Clarification.objects.filter(status=ClarificationStatus.PUBLISHED).count()
    cases = {
        c.pk: c
        for c in Case.objects.select_related("video").filter(pk__in=[x.case_id for x in captions])
    }

    # Quality, and the first (cold) call of the process.
    cold_started = time.perf_counter()
    engine.clarification_suggestions(case=cases[captions[0].case_id])
    cold_ms = (time.perf_counter() - cold_started) * 1000
    answers: list[tuple[LoadedCaption, list[int]]] = []
    examples = []
    for caption in captions:
        found = engine.clarification_suggestions(case=cases[caption.case_id])
        answers.append((caption, [s.clarification.id for s in found]))
        examples.append(
            {
                "caption": caption.text,
                "split": caption.split,
                "expected": caption.expected_slug,
                "suggested": [
                    {"title": s.clarification.title, "score": s.score, "matched": s.matched}
                    for s in found[:3]
                ],
            }
        )
    by_split = {
        "dev": quality([a for a in answers if a[0].split == "dev"]),
        "held-out": quality([a for a in answers if a[0].split == "heldout"]),
        "all": quality(answers),
    }
    # The ranking alone: every candidate, whatever its score (what the threshold costs).
    ranked = [
        (
            caption,
            [c.id for c in engine.candidates_for_text(engine.case_text(cases[caption.case_id]))],
        )
        for caption in captions
    ]
    ranking_alone = {
        "dev": quality([r for r in ranked if r[0].split == "dev"]),
        "held-out": quality([r for r in ranked if r[0].split == "heldout"]),
    }
    # Where the right clarification of each held-out P@3 miss was in the full ranking.
    shown = {caption.case_id: found_ids for caption, found_ids in answers}
    misses = {
        "first, nothing shown (confidence below the threshold)": 0,
        "second or third, nothing shown": 0,
        "second or third, below the follower floor": 0,
        "lower or not found": 0,
    }
    for caption, order in ranked:
        if caption.split != "heldout" or caption.expected is None:
            continue
        if caption.expected in shown[caption.case_id][:3]:
            continue
        position = order.index(caption.expected) if caption.expected in order else None
        if position == 0:
            misses["first, nothing shown (confidence below the threshold)"] += 1
        elif position in (1, 2) and not shown[caption.case_id]:
            misses["second or third, nothing shown"] += 1
        elif position in (1, 2):
            misses["second or third, below the follower floor"] += 1
        else:
            misses["lower or not found"] += 1

    # Latency, warm.
    timings: list[float] = []
    cpu: list[float] = []
    with CaptureQueriesContext(connection) as queries:
        engine.clarification_suggestions(case=cases[captions[0].case_id])
    queries_per_call = len(queries)
    for _ in range(args.repeat):
        for caption in captions:
            case = cases[caption.case_id]
            t0, c0 = time.perf_counter(), time.process_time()
            engine.clarification_suggestions(case=case)
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    latency = {
        "calls": len(timings),
        "p50": percentile(timings, 50),
        "p95": percentile(timings, 95),
        "p99": percentile(timings, 99),
        "mean": statistics.fmean(timings),
        "python_cpu_mean": statistics.fmean(cpu),
        "python_cpu_p95": percentile(cpu, 95),
        "cold_first_call": cold_ms,
        "queries_per_call": queries_per_call,
    }
    info["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())

    raw_dir = ROOT / "bench" / "results" / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%S")
    raw_path = raw_dir / f"clarifications-{stamp}.json"
    raw_path.write_text(
        json.dumps(
            {
                "machine": info,
                "quality": by_split,
                "ranking_alone": ranking_alone,
                "heldout_misses": misses,
                "latency": latency,
                "timings_ms": timings,
                "examples": examples,
                "model": {
                    "intercept": engine.INTERCEPT,
                    "coefficients": engine.COEFFICIENTS,
                    "threshold": engine.THRESHOLD,
                    "follower_floor": engine.FOLLOWER_FLOOR,
                },
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    report = render(
        started=started,
        info=info,
        published=published,
        clarifications=len(ids),
        by_split=by_split,
        ranking_alone=ranking_alone,
        misses=misses,
        latency=latency,
        load_seconds=load_seconds,
        raw_name=raw_path.name,
        examples=examples,
    )
    out = ROOT / "bench" / "results" / "clarifications.md"
    out.write_text(report, encoding="utf-8")
    print(report)


def met(value: float, target: float, *, at_most: bool = False) -> str:
    ok = value <= target if at_most else value >= target
    return "met" if ok else "NOT met"


def render(
    *,
    started: datetime,
    info: dict[str, str],
    published: int,
    clarifications: int,
    by_split: dict[str, dict[str, float | int]],
    ranking_alone: dict[str, dict[str, float | int]],
    misses: dict[str, int],
    latency: dict[str, float],
    load_seconds: float,
    raw_name: str,
    examples: list[dict[str, object]],
) -> str:
    from moderation.clarifications import suggestions as engine

    lines = [
        "# Clarification suggestions bench",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC by `.venv/bin/python bench/clarifications/run.py` on a "
        f"clean database (`{BENCH_DB}`): {published} published clarifications "
        f"({clarifications} from `bench/clarifications/eval.json`, the rest generated "
        f"distractors, see `common.py`), one open case per caption (loaded in "
        f"{load_seconds:.0f} s).",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in info.items()],
        "",
        "## Quality",
        "",
        "P@1: the first suggestion is the right clarification (no suggestion is a miss). P@3: the "
        "right one is among the first three. False suggestions: captions with no right answer "
        "that get any suggestion. The score's model and threshold were fitted on the dev half "
        "(`bench/clarifications/fit.py`); the held-out half was not used for fitting or tuning.",
        "",
        "| half | captions | with an answer | without | P@1 | P@3 | false suggestions "
        "| false: election-adjacent | false: unrelated |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, q in by_split.items():
        lines.append(
            f"| {name} | {q['captions']} | {q['answerable']} | {q['unanswerable']} "
            f"| {q['p1']:.3f} | {q['p3']:.3f} | {q['false']:.3f} "
            f"| {q['false_adjacent']:.3f} | {q['false_unrelated']:.3f} |"
        )
    held = by_split["held-out"]
    lines += [
        "",
        f"Targets on the held-out half: P@1 >= {TARGETS['p1']} ({held['p1']:.3f}, "
        f"{met(float(held['p1']), TARGETS['p1'])}), P@3 >= {TARGETS['p3']} ({held['p3']:.3f}, "
        f"{met(float(held['p3']), TARGETS['p3'])}), false suggestions <= {TARGETS['false']} "
        f"({held['false']:.3f}, {met(float(held['false']), TARGETS['false'], at_most=True)}).",
        "",
        f"Model: intercept {engine.INTERCEPT}, coefficients {engine.COEFFICIENTS}, threshold "
        f"{engine.THRESHOLD} (the confidence that one of the first three candidates answers the "
        "case, their summed scores with candidates that matched the same words counted once, "
        "must reach it, or the case gets no suggestion), follower floor "
        f"{engine.FOLLOWER_FLOOR} (once a case gets suggestions, the second and third places "
        "take the next candidates down to it).",
        "",
        "The ranking alone, every candidate listed whatever its score (what the confidence "
        "threshold costs): "
        + "; ".join(
            f"{name} P@1 {q['p1']:.3f}, P@3 {q['p3']:.3f}" for name, q in ranking_alone.items()
        )
        + ". Lowering the threshold raises P@1 and P@3 and the false suggestions with them "
        "(fit.py chose it on dev for false suggestions <= 0.15, and the follower floor as the "
        "highest keeping the best dev P@3). Where the right clarification of each held-out P@3 "
        "miss stood in the full ranking: " + ", ".join(f"{k} {v}" for k, v in misses.items()) + ".",
        "",
        "Reading these numbers: the captions were written by the same hand as the method, "
        "though before it and without tuning word lists to them; both halves share that hand. "
        "What is left of the misses is mostly paraphrase with no word in common with the "
        'clarification\'s claim, title, keywords or body ("orang gila" or "pasien rsj" for '
        'ODGJ, "insentif" or "bantuan tunai" for money from KPU, "diaspora" for voters '
        "abroad), and captions whose candidates score too low together to clear the threshold, "
        "which stays where the false suggestions allow. Each half has 24 captions without an "
        "answer, so one caption moves the false-suggestion rate by 0.042: 0.125 is 3 of 24, and "
        "a fourth would miss the target.",
        "",
        "How the held-out half was used: its figures were read three times while the method "
        "changed (the follower places and the country names; the confidence gate; the stemmer "
        "guard), each change chosen on the dev half, most by five-fold cross-validation within "
        "it, before its held-out figure was seen, and none undone or retuned after. "
        "`fit.py --reuse --cross-validate` measures the fitting procedure on dev captions it did "
        "not fit on (model, threshold and floor fitted on four fifths, measured on the fifth, "
        "three shuffles): P@1 0.796, P@3 0.842, false suggestions 0.167 for the method as it "
        "is. Expect captions nobody has seen to land between those and the held-out figures: "
        "P@3 and the false-suggestion rate are both close to their targets, on either side.",
        "",
        "## Latency",
        "",
        f"`clarification_suggestions(case=...)` for each of the {len(examples)} cases, "
        f"{latency['calls'] // max(len(examples), 1)} passes, warm process; "
        f"{latency['queries_per_call']} SQL queries per call (the published set's stamp with the "
        "case's flag notes, the candidates, pg_trgm similarity for the leading ten; one more "
        "while a root's lexeme is not cached yet).",
        "",
        "| calls | p50 ms | p95 ms | p99 ms | mean ms | our process's CPU, mean / p95 ms "
        "| first call of the process ms |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {latency['calls']} | {latency['p50']:.1f} | {latency['p95']:.1f} "
        f"| {latency['p99']:.1f} | {latency['mean']:.1f} "
        f"| {latency['python_cpu_mean']:.1f} / {latency['python_cpu_p95']:.1f} "
        f"| {latency['cold_first_call']:.0f} |",
        "",
        f"Target p95 < {TARGETS['p95_ms']:.0f} ms with 500 published: "
        f"{met(latency['p95'], TARGETS['p95_ms'], at_most=True)} ({latency['p95']:.1f} ms). "
        "The machine is shared (load average above; it has 2 cores), so every wall-clock figure "
        "includes waiting for a CPU; the CPU column is the time our process itself spent "
        "(normalising, scoring, the driver), the rest is PostgreSQL and waiting.",
        "",
        f"Every caption with its suggestions: `bench/results/raw/{raw_name}` (not in git).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

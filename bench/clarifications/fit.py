"""Fit the suggestion score's logistic model and threshold on the DEV half of eval.json.

    .venv/bin/python bench/clarifications/fit.py            # clean database, load, fit
    .venv/bin/python bench/clarifications/fit.py --reuse    # the database run.py/fit.py left
    .venv/bin/python bench/clarifications/fit.py --reuse --cross-validate   # and what it is worth

For every dev caption, every candidate clarification (candidates_for_text) is one example:
1 when it is the caption's right clarification, else 0. An L2-regularised logistic regression
(Newton's method, a handful of features, no library) gives INTERCEPT and COEFFICIENTS; the
threshold (on suggestions.confidence, what decides whether a case gets suggestions at all) is
then the one with the best dev P@1 + P@3 among those that keep dev false suggestions
within the issue's target (MAX_FALSE), and the follower floor (how low the second and third
places may go once the first clears the threshold) the highest with the best dev P@3. It prints
the constants for moderation/clarifications/suggestions.py and the dev figures at them. The
held-out half is never read here.
"""

import argparse
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.clarifications.common import bench_database_urls, load, prepare_database

Example = tuple  # (LoadedCaption, list[suggestions.Candidate]): one dev caption, its candidates
FEATURES = ["explained", "phrase", "claim", "evidence", "lead", "trigram"]
L2 = 0.1
MAX_FALSE = 0.15  # the target for false suggestions


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the matrices here are 6x6)."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col and a[col][col]:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] for i in range(n)]


def fit_logistic(rows: list[list[float]], labels: list[int]) -> list[float]:
    """Weights [intercept, w1..wk] maximising the L2-penalised log-likelihood."""
    k = len(rows[0]) + 1
    w = [0.0] * k
    for _ in range(50):
        gradient = [0.0] * k
        hessian = [[0.0] * k for _ in range(k)]
        for x, y in zip(rows, labels, strict=True):
            xs = [1.0, *x]
            p = 1 / (
                1 + math.exp(-max(-35, min(35, sum(a * b for a, b in zip(w, xs, strict=True)))))
            )
            for i in range(k):
                gradient[i] += (y - p) * xs[i]
                for j in range(k):
                    hessian[i][j] -= p * (1 - p) * xs[i] * xs[j]
        for i in range(1, k):
            gradient[i] -= L2 * w[i]
            hessian[i][i] -= L2
        step = solve(hessian, gradient)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="use the loaded bench database")
    parser.add_argument(
        "--cross-validate", action="store_true", help="also cross-validate the fit on dev"
    )
    args = parser.parse_args()
    if args.reuse:
        import os

        os.environ["DATABASE_URL"] = bench_database_urls()[1]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pemilu.settings")
        os.environ["SARING_ENV"] = "test"
        import django

        django.setup()
        from bench.clarifications.common import captions_in_database

        captions = captions_in_database()
    else:
        prepare_database()
        _, captions = load()

    from moderation.clarifications.suggestions import candidates_for_text, case_text
    from moderation.models import Case

    dev = [c for c in captions if c.split == "dev"]
    per_caption: list[Example] = []
    for caption in dev:
        case = Case.objects.select_related("video").get(pk=caption.case_id)
        per_caption.append((caption, candidates_for_text(case_text(case))))
    fitted = fit(per_caption)
    weights, threshold, floor = fitted.weights, fitted.threshold, fitted.floor
    examples = sum(len(candidates) for _, candidates in per_caption)
    positives = sum(
        any(c.id == caption.expected for c in candidates) for caption, candidates in per_caption
    )
    p1, p3, false = measure(per_caption, weights, threshold, floor)
    p3_strict = measure(per_caption, weights, threshold, threshold)[1]
    print(f"dev captions: {len(dev)}, examples: {examples}, positives: {positives}")
    print(f"INTERCEPT = {weights[0]:.3f}")
    print(
        "COEFFICIENTS = {"
        + ", ".join(f'"{f}": {w:.3f}' for f, w in zip(FEATURES, weights[1:], strict=True))
        + "}"
    )
    print(f"THRESHOLD = {threshold:.2f}")
    print(f"FOLLOWER_FLOOR = {floor}")
    print(
        f"dev at them: P@1 {p1:.3f}, P@3 {p3:.3f} ({p3_strict:.3f} with the threshold alone), "
        f"false suggestions {false:.3f}"
    )
    alone = measure(per_caption, weights, 0, 0)
    print(f"dev ranking alone (no threshold): P@1 {alone[0]:.3f}, P@3 {alone[1]:.3f}")
    if args.cross_validate:
        p1, p3, false = cross_validate(per_caption)
        print(
            f"dev, {FOLDS}-fold cross-validation ({len(SEEDS)} shuffles; model, threshold and "
            f"floor fitted on the other folds): P@1 {p1:.3f}, P@3 {p3:.3f}, "
            f"false suggestions {false:.3f}"
        )


@dataclass(frozen=True)
class Fitted:
    weights: list[float]
    threshold: float
    floor: float


THRESHOLDS = [t / 100 for t in range(5, 96)]
FLOORS = [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2]
FOLDS = 5
SEEDS = (0, 1, 2)


def fit(per_caption: "list[Example]") -> Fitted:
    """The model on every candidate of these captions, then the operating point."""
    rows: list[list[float]] = []
    labels: list[int] = []
    for caption, candidates in per_caption:
        for candidate in candidates:
            rows.append([candidate.features[f] for f in FEATURES])
            labels.append(int(candidate.id == caption.expected))
    weights = fit_logistic(rows, labels)
    ranked = ranked_by(per_caption, weights)

    def at(t: float, f: float) -> tuple[float, float, float]:
        return measure_ranked(ranked, t, f)

    # At most MAX_FALSE false suggestions; the best P@1 + P@3 (with the lowest follower floor);
    # among equals the highest threshold.
    allowed = [t for t in THRESHOLDS if at(t, t)[2] <= MAX_FALSE] or [THRESHOLDS[-1]]
    threshold = max(allowed, key=lambda t: (round(sum(at(t, FLOORS[0])[:2]), 9), t))
    # The follower floor: the highest that keeps the best P@3 at this threshold (the floor
    # changes neither P@1 nor the false suggestions, only how many places below the first fill).
    best_p3 = max(at(threshold, f)[1] for f in FLOORS)
    floor = max(f for f in FLOORS if at(threshold, f)[1] >= best_p3)
    return Fitted(weights=weights, threshold=threshold, floor=floor)


def measure(
    per_caption: "list[Example]", weights: list[float], threshold: float, floor: float
) -> tuple[float, float, float]:
    """P@1, P@3 and false suggestions with suggestions._fitting's rule at these constants."""
    return measure_ranked(ranked_by(per_caption, weights), threshold, floor)


Ranked = list[tuple[object, list[tuple[int, float, list[str]]]]]


def ranked_by(per_caption: "list[Example]", weights: list[float]) -> Ranked:
    """Each caption's first candidates by the model's score: (id, score, matched words)."""
    from moderation.clarifications.suggestions import FOLLOWER_PLACES

    def score(features: dict[str, float]) -> float:
        z = weights[0] + sum(w * features[f] for w, f in zip(weights[1:], FEATURES, strict=True))
        return 1 / (1 + math.exp(-max(-35.0, min(35.0, z))))

    out: Ranked = []
    for caption, candidates in per_caption:
        scored = sorted(
            ((c.id, score(c.features), c.matched) for c in candidates), key=lambda x: -x[1]
        )
        out.append((caption, scored[:FOLLOWER_PLACES]))
    return out


def measure_ranked(ranked: Ranked, threshold: float, floor: float) -> tuple[float, float, float]:
    from moderation.clarifications.suggestions import confidence

    p1 = p3 = false = answerable = unanswerable = 0
    for caption, first in ranked:
        shown = []
        if first and confidence([(s, matched) for _, s, matched in first]) >= threshold:
            # the first place, the next two down to the follower floor
            shown = [
                pk
                for place, (pk, s, _) in enumerate(first)
                if place == 0 or s >= min(floor, threshold)
            ]
        expected = caption.expected  # type: ignore[attr-defined]
        if expected is None:
            unanswerable += 1
            false += bool(shown)
        else:
            answerable += 1
            p1 += bool(shown) and shown[0] == expected
            p3 += expected in shown
    return p1 / max(answerable, 1), p3 / max(answerable, 1), false / max(unanswerable, 1)


def cross_validate(per_caption: "list[Example]") -> tuple[float, float, float]:
    """Fit on FOLDS - 1 folds of the dev captions, measure on the last; pooled over the folds,
    averaged over SEEDS shuffles. What the fitting procedure is worth on captions it did not
    see, without touching the held-out half."""
    totals = [0.0, 0.0, 0.0]
    for seed in SEEDS:
        order = list(range(len(per_caption)))
        random.Random(seed).shuffle(order)
        answers: dict[str, float] = {"p1": 0, "p3": 0, "false": 0, "a": 0, "u": 0}
        for k in range(FOLDS):
            test = set(order[k::FOLDS])
            train = [x for i, x in enumerate(per_caption) if i not in test]
            held = [x for i, x in enumerate(per_caption) if i in test]
            fitted = fit(train)
            p1, p3, false = measure(held, fitted.weights, fitted.threshold, fitted.floor)
            a = sum(c.expected is not None for c, _ in held)
            u = len(held) - a
            answers["p1"] += p1 * a
            answers["p3"] += p3 * a
            answers["false"] += false * u
            answers["a"] += a
            answers["u"] += u
        totals[0] += answers["p1"] / answers["a"]
        totals[1] += answers["p3"] / answers["a"]
        totals[2] += answers["false"] / answers["u"]
    return totals[0] / len(SEEDS), totals[1] / len(SEEDS), totals[2] / len(SEEDS)


if __name__ == "__main__":
    main()

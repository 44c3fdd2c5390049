"""Priority is a pure function: the same signals and weights always give the same score, and
the breakdown adds up to it."""

from datetime import UTC, datetime, timedelta

import pytest

from moderation.priority import DEFAULT_TUNING, PrioritySignals, humanise_count, priority_compute

NOW = datetime(2024, 2, 12, 9, 0, tzinfo=UTC)


def signals(**overrides):
    base = {
        "view_count": None,
        "views_per_hour": None,
        "distinct_flags": 1,
        "sources": frozenset({"user_report"}),
        "reasons": frozenset({"hoax"}),
        "phase_kind": None,
        "due_at": None,
        "now": NOW,
    }
    base.update(overrides)
    return PrioritySignals(**base)


def score(**overrides):
    return priority_compute(signals(**overrides), DEFAULT_TUNING)


def test_breakdown_adds_up_to_the_score():
    result = score(
        view_count=2_500_000,
        views_per_hour=80_000,
        distinct_flags=5,
        sources=frozenset({"user_report", "trusted_flagger"}),
        reasons=frozenset({"quiet_period_campaign", "hoax"}),
        phase_kind="quiet_period",
        due_at=NOW + timedelta(minutes=30),
    )
    assert result.score == sum(line.points for line in result.lines)
    labels = [line.label for line in result.lines]
    assert labels == [
        "views 2.5M",
        "+80K views/h",
        "5 flags",
        "source trusted_flagger",
        "reason hoax",
        "quiet_period and quiet_period_campaign",
        "SLA in 30 min",
    ]


def test_reach_grows_with_views_and_is_capped():
    small, big, huge = (score(view_count=v).score for v in (5_000, 500_000, 10**9))
    assert small < big < huge
    assert huge - score().score == DEFAULT_TUNING["priority.reach_cap"]


def test_more_flags_and_trusted_sources_rank_higher():
    assert score(distinct_flags=5).score > score(distinct_flags=1).score
    kpu = score(sources=frozenset({"kpu"})).score
    trusted = score(sources=frozenset({"trusted_flagger"})).score
    user = score(sources=frozenset({"user_report"})).score
    assert kpu > trusted > user


def test_automated_source_scales_with_confidence():
    low = priority_compute(
        signals(sources=frozenset({"automated"}), max_confidence=0.2), DEFAULT_TUNING
    )
    high = priority_compute(
        signals(sources=frozenset({"automated"}), max_confidence=1.0), DEFAULT_TUNING
    )
    assert low.score < high.score


@pytest.mark.parametrize(
    ("phase", "reason"),
    [("quiet_period", "quiet_period_campaign"), ("voting_day", "voter_suppression")],
)
def test_the_phase_makes_its_reason_urgent(phase, reason):
    in_phase = score(reasons=frozenset({reason}), phase_kind=phase).score
    outside = score(reasons=frozenset({reason}), phase_kind="campaign").score
    assert in_phase > outside


def test_sla_pressure():
    breached = score(due_at=NOW - timedelta(minutes=1)).score
    near = score(due_at=NOW + timedelta(minutes=20)).score
    far = score(due_at=NOW + timedelta(hours=5)).score
    assert breached > near > far


def test_weights_from_the_database_override_defaults():
    tuned = dict(DEFAULT_TUNING, **{"priority.severity.hoax": 90.0})
    assert priority_compute(signals(), tuned).score - score().score == 70


@pytest.mark.parametrize(
    ("n", "text"), [(999, "999"), (1_000, "1K"), (2_531_877, "2.5M"), (184_230, "184.2K")]
)
def test_humanise_count(n, text):
    assert humanise_count(n) == text

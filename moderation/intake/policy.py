"""What ingest reads for every event: the phase, SLA minutes, tuning values, platforms (memoised
per process for a few seconds), and the case priority computed from them."""

import time
from collections.abc import Callable
from datetime import datetime

from django.db import connection
from django.utils import timezone
from redis.exceptions import RedisError

from moderation.models import Case, ElectionPhase, Flag, Platform, TuningParameter, Video
from moderation.policy import phase_current, sla_due_at, sla_target_minutes, tuning_values
from moderation.priority import (
    DEFAULT_TUNING,
    FlagSummary,
    priority_compute,
    priority_signals,
)

# Memoised per process for POLICY_TTL_SECONDS: an administrator's edit reaches ingest within
# that time (the tuning values are also cached in Redis for 30 s by selectors.tuning_values).

POLICY_TTL_SECONDS = 10.0
_policy_memo: dict[object, tuple[float, object]] = {}


def memo[T](key: object, compute: Callable[[], T]) -> T:
    clock = time.monotonic()
    hit = _policy_memo.get(key)
    if hit is not None and hit[0] > clock:
        return hit[1]  # type: ignore[return-value]
    value = compute()
    _policy_memo[key] = (clock + POLICY_TTL_SECONDS, value)
    return value


def ingest_policy_forget() -> None:
    """Drop the memoised policy (tests; or after editing phases, SLA targets or tuning)."""
    _policy_memo.clear()


def phase_at(now: datetime) -> ElectionPhase | None:
    return memo(("phase", timezone.localtime(now).date()), lambda: phase_current(now))


def sla_minutes(phase: ElectionPhase | None, reasons: list[str]) -> int:
    key = ("sla", phase.pk if phase else None, frozenset(reasons))
    return memo(key, lambda: sla_target_minutes(phase=phase, reasons=sorted(set(reasons))))


def tuning() -> dict[str, float]:
    return memo("tuning", _tuning_read)


def _tuning_read() -> dict[str, float]:
    """Tuning values; the database's if Redis (the cache) is down, so ingest never needs it."""
    try:
        return tuning_values()
    except RedisError:
        return {**DEFAULT_TUNING, **dict(TuningParameter.objects.values_list("key", "value"))}


def due_at(case: Case, now: datetime) -> datetime:
    """The case's SLA due time, with the phase and SLA minutes memoised."""
    return sla_due_at(
        opened_at=case.opened_at, reasons=case.reasons, phase=phase_at(now), minutes=sla_minutes
    )


# --- Priority --------------------------------------------------------------------------------


_FLAG_SUMMARY = f"""
    SELECT count(*), coalesce(array_agg(DISTINCT source), '{{}}'), max(confidence)
    FROM {Flag._meta.db_table} WHERE case_id = %s
"""  # noqa: S608 (table name from the model, values are parameters)


def flag_summary(case: Case) -> FlagSummary:
    with connection.cursor() as cursor:
        cursor.execute(_FLAG_SUMMARY, [case.pk])
        count, sources, max_confidence = cursor.fetchone()
    return FlagSummary(count=count, sources=frozenset(sources), max_confidence=max_confidence)


def priority_apply(case: Case, *, video: Video, flags: FlagSummary, now: datetime) -> bool:
    """Recompute priority and breakdown on the case in memory; True if they changed. The
    caller writes the case once."""
    phase = phase_at(now)
    signals = priority_signals(
        view_count=video.view_count,
        published_at=video.published_at,
        flags=flags,
        reasons=case.reasons,
        phase_kind=phase.kind if phase else None,
        due_at=case.due_at,
        now=now,
    )
    result = priority_compute(signals, tuning())
    breakdown = result.breakdown()
    if case.priority == result.score and case.priority_breakdown == breakdown:
        return False
    case.priority = result.score
    case.priority_breakdown = breakdown
    return True


def platform_by_id(platform_id: int) -> Platform:
    """Platforms change rarely; processing reads them through the policy memo."""
    return memo(("platform", platform_id), lambda: Platform.objects.get(pk=platform_id))

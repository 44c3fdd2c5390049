"""The election policy every domain reads: the current phase, SLA targets and due times, the
tuning values administrators set, how long a claim lasts. Data, not code: administrators
edit phases, SLA targets and tuning parameters (administration/policy.py)."""

import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

from moderation.models import ElectionPhase, SlaTarget, TuningParameter
from moderation.priority import DEFAULT_TUNING

logger = logging.getLogger(__name__)

DEFAULT_SLA_MINUTES = 24 * 60


_TUNING_CACHE_KEY = "tuning-values:v1"


def phase_on(day: date) -> ElectionPhase | None:
    return (
        ElectionPhase.objects.filter(starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on")
        .first()
    )


def phase_current(now: datetime | None = None) -> ElectionPhase | None:
    """The phase of today's date in WIB (phases are calendar days in Indonesia)."""
    now = now or timezone.now()
    return phase_on(timezone.localtime(now).date())


def sla_target_minutes(*, phase: ElectionPhase | None, reasons: list[str]) -> int:
    """The tightest target among the case's reasons, for the phase, falling back to defaults."""
    if not reasons:
        return DEFAULT_SLA_MINUTES
    rows = SlaTarget.objects.filter(reason__in=reasons).filter(
        **({"phase__in": [phase]} if phase else {"phase__isnull": True})
    )
    targets = [r.target_minutes for r in rows]
    if phase and not targets:
        targets = [
            r.target_minutes
            for r in SlaTarget.objects.filter(reason__in=reasons, phase__isnull=True)
        ]
    return min(targets) if targets else DEFAULT_SLA_MINUTES


def sla_due_at(
    *,
    opened_at: datetime,
    reasons: Iterable[str],
    phase: ElectionPhase | None,
    minutes: Callable[[ElectionPhase | None, list[str]], int] | None = None,
) -> datetime:
    """The one rule for a case's SLA due time: opened at plus the tightest target among its
    reasons for the phase. ``minutes`` may be a memoised ``sla_target_minutes`` (ingest)."""
    reasons = sorted(set(reasons))
    target = (
        minutes(phase, reasons)
        if minutes is not None
        else sla_target_minutes(phase=phase, reasons=reasons)
    )
    return opened_at + timedelta(minutes=target)


# What a cache (Redis) that is down raises: the work goes on without the cache.
CACHE_ERRORS = (RedisError, OSError)


def tuning_values() -> dict[str, float]:
    """Defaults overlaid with what administrators set. Cached for a few seconds; read from the
    database when the cache is down (a decision must not fail because Redis is restarting)."""
    try:
        cached = cache.get(_TUNING_CACHE_KEY)
    except CACHE_ERRORS:
        cached = None
    if cached is not None:
        return dict(cached)
    values = dict(DEFAULT_TUNING)
    values.update(dict(TuningParameter.objects.values_list("key", "value")))
    with contextlib.suppress(*CACHE_ERRORS):
        cache.set(_TUNING_CACHE_KEY, values, timeout=30)
    return values


def tuning_values_forget() -> None:
    """Drop the cached values. With the cache down there is nothing to drop now; what it held
    before expires within its 30 s."""
    try:
        cache.delete(_TUNING_CACHE_KEY)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: tuning values refresh within 30 s")


def lease_duration() -> timedelta:
    from django.conf import settings

    return timedelta(minutes=settings.SARING["LEASE_MINUTES"])

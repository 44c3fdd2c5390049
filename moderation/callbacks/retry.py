"""The retry policy of our callbacks (contract §3), as pure functions.

After a failed attempt the next one waits 15 s, then twice as long each time up to one hour,
plus up to 30 % random jitter so that a platform coming back is not hit by every delivery at
the same second. A delivery fails for good only when it has been tried for at least 24 hours
*and* has used the whole schedule (``MIN_ATTEMPTS`` attempts, which the schedule spreads over
at least 24 hours even after an operator sent it again).
"""

import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

FIRST_WAIT = timedelta(seconds=15)
MAX_WAIT = timedelta(hours=1)
JITTER = 0.3
RETRY_WINDOW = timedelta(hours=24)
# Retry-After is honoured, but never beyond this.
MAX_RETRY_AFTER = timedelta(hours=24)
MIN_RETRY_AFTER = timedelta(seconds=1)


def base_wait(attempts: int) -> timedelta:
    """The wait before the next attempt, after ``attempts`` attempts (>= 1), without jitter."""
    exponent = max(attempts - 1, 0)
    if exponent > 20:  # 15 s * 2**20 is far beyond an hour already
        return MAX_WAIT
    return min(FIRST_WAIT * (2**exponent), MAX_WAIT)


def retry_wait(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """``base_wait`` plus jitter (never less than the base)."""
    factor = 1 + (rng or random).uniform(0, JITTER)  # jitter, not security
    return base_wait(attempts) * factor


def _min_attempts() -> int:
    """How many attempts the schedule needs, without jitter, to span RETRY_WINDOW."""
    total = timedelta(0)
    attempts = 1
    while total < RETRY_WINDOW:
        total += base_wait(attempts)
        attempts += 1
    return attempts


MIN_ATTEMPTS = _min_attempts()


def retry_exhausted(*, attempts: int, created_at: datetime, now: datetime) -> bool:
    return attempts >= MIN_ATTEMPTS and now - created_at >= RETRY_WINDOW


def parse_retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """``Retry-After`` as seconds or an HTTP date (RFC 9110 §10.2.3); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    wait: timedelta
    if value.isdigit():
        wait = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        wait = when - now
    return min(max(wait, MIN_RETRY_AFTER), MAX_RETRY_AFTER)


def schedule_table(attempts: int | None = None) -> list[tuple[int, timedelta, timedelta]]:
    """(attempt number, wait before it, time since the first attempt) without jitter: for docs."""
    rows = []
    elapsed = timedelta(0)
    for n in range(2, (attempts or MIN_ATTEMPTS) + 1):
        wait = base_wait(n - 1)
        elapsed += wait
        rows.append((n, wait, elapsed))
    return rows

"""The retry schedule of everything we send (callbacks and e-mails), as pure functions.

After a failed attempt the next one waits ``first_wait``, then twice as long each time up to
``max_wait``, plus up to ``jitter`` of random extra time so that a platform coming back is not
hit by every delivery at the same second. A row fails for good only when it has used the whole
schedule (``min_attempts`` attempts) *and* has been tried for at least ``window``.

Callbacks (contract §3): 15 s doubling to one hour, 30 % jitter, for at least 24 hours (the
schedule needs 30 attempts to span them, even after an operator sent a row again). E-mails: one
minute doubling, eight attempts (about two hours); a mail server is ours and back sooner.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

# Retry-After is honoured, but never beyond this.
MAX_RETRY_AFTER = timedelta(hours=24)
MIN_RETRY_AFTER = timedelta(seconds=1)


@dataclass(frozen=True)
class RetrySchedule:
    first_wait: timedelta
    max_wait: timedelta
    jitter: float = 0.0
    window: timedelta = timedelta(0)
    # At least this many attempts; by default as many as it takes to span ``window``.
    attempts: int | None = None
    min_attempts: int = field(init=False)

    def __post_init__(self) -> None:
        needed = 1
        spanned = timedelta(0)
        while spanned < self.window:
            spanned += self.base_wait(needed)
            needed += 1
        object.__setattr__(self, "min_attempts", max(needed, self.attempts or 1))

    def base_wait(self, attempts: int) -> timedelta:
        """The wait before the next attempt, after ``attempts`` attempts (>= 1), no jitter."""
        exponent = max(attempts - 1, 0)
        if exponent > 30:  # far beyond any max_wait already
            return self.max_wait
        return min(self.first_wait * (2**exponent), self.max_wait)

    def wait(self, attempts: int, *, rng: random.Random | None = None) -> timedelta:
        """``base_wait`` plus jitter (never less than the base)."""
        factor = 1 + (rng or random).uniform(0, self.jitter)
        return self.base_wait(attempts) * factor

    def exhausted(self, *, attempts: int, created_at: datetime, now: datetime) -> bool:
        return attempts >= self.min_attempts and now - created_at >= self.window

    def table(self) -> list[tuple[int, timedelta, timedelta]]:
        """(attempt number, wait before it, time since the first attempt), no jitter: docs."""
        rows = []
        elapsed = timedelta(0)
        for n in range(2, self.min_attempts + 1):
            wait = self.base_wait(n - 1)
            elapsed += wait
            rows.append((n, wait, elapsed))
        return rows


CALLBACK_RETRY = RetrySchedule(
    first_wait=timedelta(seconds=15),
    max_wait=timedelta(hours=1),
    jitter=0.3,
    window=timedelta(hours=24),
)
EMAIL_RETRY = RetrySchedule(
    first_wait=timedelta(minutes=1), max_wait=timedelta(hours=1), attempts=8
)


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

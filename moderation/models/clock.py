"""The one clock every host agrees on: PostgreSQL's.

A worker whose own clock is wrong (NTP lost, a VM resumed) must not decide what is due, how
long a claim holds or what time a signature carries from its own clock: the shift
(bench/shift, one worker's clock 5 minutes ahead) saw it lock a callback for 5 minutes too long
and sign it 5 minutes in the future. Work that compares times written by other hosts asks the
database instead.
"""

from datetime import datetime

from django.db import connection


def database_now() -> datetime:
    """PostgreSQL's wall clock now (``clock_timestamp()``, not the transaction's start)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        (now,) = cursor.fetchone()
    return now

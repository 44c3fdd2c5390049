"""Faults injected while a shift runs, each scripted and on a timer (seconds from the start of
the shift, scaled to its length: the figures below are for the default 10 minutes).

    60   PostgreSQL restarted (pg_ctl restart -m fast on the shift's private cluster)
    120  Redis restarted (the shift's private redis-server; it keeps nothing on disk, so the
         queued Celery messages and the beat lock are lost with it)
    170  Redis stopped for a minute
    265  a Celery worker SIGKILLed in the middle of a batch (the whole process tree, as when a
         host dies; the supervisor starts it again, as systemd would)
    300  a Celery worker SIGKILLed in the middle of a callback (the endpoint holds each
         callback 3 s so some are in flight; the kill happens once one is)
    340  a gunicorn worker SIGKILLed (its master starts another)
    375  the callback endpoint answers 500 for 30 s, then times out for 30 s, then 429 with
         Retry-After for 30 s
    480  one worker's clock skewed by +5 minutes for 90 s (restarted under libfaketime; then
         restarted with the true clock)
    530  with two of each: the beat that holds redbeat's lock SIGKILLed; the other takes over

Each fault records its window: a server error or a failed request inside [start, end + grace]
is attributed to it; one outside every window counts against the shift.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench.shift.stack import faketime_wrapper, log, wait_until

if TYPE_CHECKING:
    from bench.shift.run import Shift

GRACE_SECONDS = 20.0
SKEW = "+300s"


@dataclass
class Fault:
    at: float  # seconds into a 600 s shift
    name: str
    action: Callable[[Shift, Fault], None]
    started: float = 0.0
    ended: float = 0.0
    notes: list[str] = field(default_factory=list)
    two_only: bool = False

    def window(self) -> tuple[float, float]:
        return self.started, (self.ended or self.started) + GRACE_SECONDS


def _endpoint(shift: Shift, mode: str) -> None:
    urllib.request.urlopen(f"{shift.endpoint_url}/control?mode={mode}", timeout=5).read()  # noqa: S310 - a local http:// URL


def _endpoint_inflight(shift: Shift) -> int:
    import json

    with urllib.request.urlopen(f"{shift.endpoint_url}/stats", timeout=5) as r:  # noqa: S310 - a local http:// URL
        return int(json.loads(r.read())["inflight"])


def pg_restart(shift: Shift, fault: Fault) -> None:
    shift.pg.restart()
    fault.notes.append("pg_ctl restart -m fast: back and accepting connections")


def redis_restart(shift: Shift, fault: Fault) -> None:
    shift.redis.stop()
    shift.redis.start()
    fault.notes.append("redis-server stopped (SIGTERM) and started again, empty")


def redis_stop_a_minute(shift: Shift, fault: Fault) -> None:
    shift.redis.stop()
    fault.notes.append("redis-server stopped")
    time.sleep(60 * shift.scale)
    shift.redis.start()
    fault.notes.append(f"started again after {60 * shift.scale:.0f} s, empty")


def _pending_raw_events(shift: Shift) -> int:
    import psycopg

    with psycopg.connect(shift.db_url, connect_timeout=3) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM moderation_rawevent WHERE status = 'received'"
            ).fetchone()[0]
        )


def worker_kill_mid_batch(shift: Shift, fault: Fault) -> None:
    worker = shift.workers[0]
    # Wait (up to 20 s) for stored-but-unprocessed flags, so a batch is under way.
    seen = 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            seen = _pending_raw_events(shift)
        except Exception:
            seen = 0
        if seen:
            break
        time.sleep(0.05)
    worker.kill()
    fault.notes.append(f"SIGKILL {worker.name} (whole tree) with {seen} raw events unprocessed")


def worker_kill_mid_callback(shift: Shift, fault: Fault) -> None:
    _endpoint(shift, "slow")
    inflight = 0
    ok = wait_until(lambda: _endpoint_inflight(shift) > 0, timeout=30, interval=0.05)
    if ok:
        inflight = _endpoint_inflight(shift)
    victim = shift.workers[-1]
    victim.kill()
    fault.notes.append(
        f"SIGKILL {victim.name} with {inflight} callback(s) in flight at the endpoint"
        + ("" if ok else " (none seen in flight within 30 s)")
    )
    time.sleep(5)
    _endpoint(shift, "ok")


def gunicorn_worker_kill(shift: Shift, fault: Fault) -> None:
    web = shift.webs[0]
    children = web.children()
    if not children:
        fault.notes.append("no gunicorn worker found")
        return
    os.kill(children[0], signal.SIGKILL)
    fault.notes.append(f"SIGKILL gunicorn worker pid {children[0]} of {web.name}")


def callback_endpoint_failing(shift: Shift, fault: Fault) -> None:
    for mode in ("500", "timeout", "429"):
        _endpoint(shift, mode)
        fault.notes.append(f"{time.strftime('%H:%M:%S', time.gmtime())} endpoint: {mode}")
        time.sleep(30 * shift.scale)
    _endpoint(shift, "ok")
    fault.notes.append(f"{time.strftime('%H:%M:%S', time.gmtime())} endpoint: ok")


def clock_skew(shift: Shift, fault: Fault) -> None:
    victim = shift.workers[-1]
    wrapper, env = faketime_wrapper(SKEW)
    with shift.supervisor.lock:
        victim.held_down = True
        victim.stop()
        victim.wrapper, victim.extra_env = wrapper, env
        victim.start(wait=True)
        victim.held_down = False
    fault.notes.append(f"{victim.name} restarted under libfaketime FAKETIME={SKEW}")
    time.sleep(90 * shift.scale)
    with shift.supervisor.lock:
        victim.held_down = True
        victim.stop()
        victim.wrapper, victim.extra_env = [], {}
        victim.start(wait=True)
        victim.held_down = False
    fault.notes.append(f"{victim.name} restarted with the true clock")


def beat_kill(shift: Shift, fault: Fault) -> None:
    holder = shift.beat_holder()
    victim = next(
        (b for b in shift.beats if holder and b.process and b.process.pid == holder), shift.beats[0]
    )
    with shift.supervisor.lock:
        victim.held_down = True
        victim.kill()
    fault.notes.append(f"SIGKILL {victim.name} (pid {holder}), the beat holding the lock")
    took_over = wait_until(lambda: shift.beat_holder() not in (None, holder), timeout=60)
    fault.notes.append(
        f"the other beat took the lock after {time.time() - fault.started:.1f} s"
        if took_over
        else "no other beat took the lock within 60 s"
    )
    with shift.supervisor.lock:
        victim.held_down = False
        victim.start(wait=False)
    fault.notes.append(f"{victim.name} started again (now the standby)")


def timeline() -> list[Fault]:
    return [
        Fault(60, "PostgreSQL restarted", pg_restart),
        Fault(120, "Redis restarted", redis_restart),
        Fault(170, "Redis stopped for a minute", redis_stop_a_minute),
        Fault(265, "Celery worker SIGKILLed mid-batch", worker_kill_mid_batch),
        Fault(300, "Celery worker SIGKILLed mid-callback", worker_kill_mid_callback),
        Fault(340, "gunicorn worker SIGKILLed", gunicorn_worker_kill),
        Fault(375, "callback endpoint 500, timeout, 429", callback_endpoint_failing),
        Fault(480, "one worker's clock +5 min", clock_skew),
        Fault(530, "beat holding the lock SIGKILLed", beat_kill, two_only=True),
    ]


class FaultRunner:
    def __init__(self, shift: Shift, faults: list[Fault]) -> None:
        self.shift = shift
        self.faults = faults
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        for fault in self.faults:
            due = self.shift.started + fault.at * self.shift.scale
            while time.time() < due:
                if self.shift.stopping.is_set():
                    return
                time.sleep(0.2)
            fault.started = time.time()
            log(f"fault: {fault.name}")
            try:
                fault.action(self.shift, fault)
            except Exception as exc:
                fault.notes.append(f"fault script failed: {type(exc).__name__}: {exc}")
                log(f"fault {fault.name} failed: {exc}")
            fault.ended = time.time()
            log(f"fault done: {fault.name}: {'; '.join(fault.notes)}")

    def join(self, timeout: float) -> None:
        self.thread.join(timeout)

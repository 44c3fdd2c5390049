#!/usr/bin/env python3
"""Run the development web server and a Celery worker (with beat) together, for `make run`.

    python scripts/devserver.py [--addr 127.0.0.1:8000]

Both run as children in their own process groups. Ctrl-C (SIGINT) or SIGTERM here is passed on
to each whole group, so Django's autoreloader child and Celery's pool processes stop too. If
either child exits on its own, the other is stopped and its exit code is ours. A child still
running ten seconds after the signal is killed.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 10
QUEUES = "default,callbacks,email"


def child_setup() -> None:
    """In each child, before exec: default signal handling, and die with this supervisor.

    A shell starts background jobs with SIGINT ignored, and children inherit that; reset it so
    the forwarded Ctrl-C stops them however `make run` was launched. On Linux, also ask the
    kernel to send SIGTERM to the child if this supervisor is killed with -9.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            pr_set_pdeathsig = 1
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def spawn(name: str, command: list[str]) -> subprocess.Popen[bytes]:
    print(f"devserver: starting {name}: {' '.join(command)}", flush=True)
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=child_setup,
    )


def signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--addr", default="127.0.0.1:8000", help="runserver address")
    args = parser.parse_args()

    python = sys.executable
    children = {
        "web": spawn("web", [python, "manage.py", "runserver", args.addr]),
        "worker": spawn(
            "worker",
            [
                *(python, "-m", "celery", "-A", "pemilu", "worker", "-B", "-l", "info"),
                *("-Q", QUEUES, "-s", str(ROOT / "var" / "celerybeat-schedule")),
            ],
        ),
    }

    stopping: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    exit_code = 0
    while not stopping:
        finished = [(name, child) for name, child in children.items() if child.poll() is not None]
        if finished:
            name, child = finished[0]
            exit_code = child.returncode or 1
            print(
                f"devserver: {name} exited with {child.returncode}; stopping the other", flush=True
            )
            break
        time.sleep(0.2)

    sig = signal.SIGINT if stopping and stopping[0] == signal.SIGINT else signal.SIGTERM
    for child in children.values():
        signal_group(child, sig)
    deadline = time.monotonic() + GRACE_SECONDS
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"devserver: {name} did not stop in {GRACE_SECONDS}s; killing it", flush=True)
        signal_group(child, signal.SIGKILL)  # also reaps grandchildren left in the group
        child.wait()
    print("devserver: stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())

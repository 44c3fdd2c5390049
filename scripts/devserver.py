#!/usr/bin/env python3
"""Run the development web server, a Celery worker and Celery beat together, for `make run`.

    python scripts/devserver.py [--addr 127.0.0.1:8000]
    python scripts/devserver.py --addr 0.0.0.0:8123 --print-url   # http://127.0.0.1:8123

The three run as children in their own process groups. Ctrl-C (SIGINT) or SIGTERM here is passed
on to each whole group, so Django's autoreloader child and Celery's pool processes stop too. If
any child exits on its own, this says so loudly (which one, and its exit code), stops the
others and exits non-zero: the app never runs as half a system (a web server whose periodic
jobs silently stopped). A child still running ten seconds after the signal is killed.

Links go to the address actually served: the children get PUBLIC_BASE_URL set to it, unless it
is set already (`make run` passes the same URL to seed_demo for the demo platform's callbacks).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 10
WEB_START_SECONDS = 60
QUEUES = "default,callbacks,email"
DEFAULT_ADDR = "127.0.0.1:8000"


def served_url(addr: str) -> str:
    """The URL a browser (or our own callback sender) reaches for runserver's ``addr``.

    runserver takes ``port``, ``host:port`` or ``[ipv6]:port``; the wildcard addresses are
    reached through the loopback address.
    """
    addr = addr.strip()
    if addr.isdigit():
        host, port = "127.0.0.1", addr
    elif addr.startswith("["):
        host, _, port = addr[1:].partition("]:")
        host = f"[{'::1' if host == '::' else host}]"
    else:
        host, _, port = addr.rpartition(":")
        if host in {"", "0.0.0.0", "0"}:  # noqa: S104 - reading an address, not binding one
            host = "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not a runserver address: {addr!r} (want host:port or port)")
    return f"http://{host}:{port}"


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


def say(message: str) -> None:
    print(f"devserver: {message}", flush=True)


def shout(lines: list[str]) -> None:
    """A message that must not scroll by unnoticed, on stderr."""
    bar = "devserver: " + "*" * 72
    print("\n".join([bar, *(f"devserver: {line}" for line in lines), bar]), file=sys.stderr)
    sys.stderr.flush()


def spawn(name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=child_setup,
    )
    say(f"started {name} (pid {child.pid}): {' '.join(command)}")
    return child


def web_answers(url: str) -> bool:
    host, _, port = url.removeprefix("http://").rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"exit code {returncode} (killed by {name})"
    return f"exit code {returncode}"


def exit_status(returncode: int) -> int:
    """Ours when a child stopped on its own: never 0, and 128+N for a child killed by signal N."""
    if returncode < 0:
        return 128 - returncode
    return returncode or 1


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--addr", default=DEFAULT_ADDR, help="runserver address (host:port)")
    parser.add_argument(
        "--print-url", action="store_true", help="print the URL for --addr and exit"
    )
    args = parser.parse_args()
    try:
        url = served_url(args.addr)
    except ValueError as error:
        print(f"devserver: {error}", file=sys.stderr)
        return 2
    if args.print_url:
        print(url)
        return 0

    env = dict(os.environ)
    env.setdefault("PUBLIC_BASE_URL", url)
    python = sys.executable
    celery = (python, "-m", "celery", "-A", "pemilu")
    stopping: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    children = {"web": spawn("web", [python, "manage.py", "runserver", args.addr], env)}
    # The worker starts once the web server answers: the demo's callbacks go to the web
    # server's platform stand-in, and would all fail their first attempt before that.
    exit_code = 0
    deadline = time.monotonic() + WEB_START_SECONDS
    while not stopping and children["web"].poll() is None and not web_answers(url):
        if time.monotonic() > deadline:
            shout([f"web did not answer on {url} within {WEB_START_SECONDS}s; stopping it."])
            exit_code = 1
            stopping.append(signal.SIGTERM)
            break
        time.sleep(0.2)
    if not stopping and children["web"].poll() is None:
        children["worker"] = spawn("worker", [*celery, "worker", "-l", "info", "-Q", QUEUES], env)
        children["beat"] = spawn("beat", [*celery, "beat", "-l", "info"], env)
        say(f"serving {url}/ with a Celery worker and beat; links use {env['PUBLIC_BASE_URL']}")
        say("if any of web, worker or beat stops, the others are stopped too; Ctrl-C stops all")

    while not stopping:
        finished = [(name, child) for name, child in children.items() if child.poll() is not None]
        if finished:
            name, child = finished[0]
            others = [other for other in children if other != name] or ["nothing else"]
            exit_code = exit_status(child.returncode)
            shout(
                [
                    f"{name} (pid {child.pid}) stopped on its own: "
                    f"{describe_exit(child.returncode)}.",
                    f"Stopping {' and '.join(others)}: the app is NOT running any more.",
                    f"The lines above from {name} say why. Start it again with `make run`.",
                ]
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
            say(f"{name} did not stop in {GRACE_SECONDS}s; killing it")
        signal_group(child, signal.SIGKILL)  # also reaps grandchildren left in the group
        child.wait()
    say(f"stopped (exit status {exit_code})")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())

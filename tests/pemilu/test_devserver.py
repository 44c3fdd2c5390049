"""`make run`'s supervisor (scripts/devserver.py): web, worker and beat as real processes; when
one dies, the supervisor says which and how, stops the others and exits non-zero."""

import contextlib
import importlib.util
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.outbound.support import PrivateRedis, free_port, wait_until
from tests.oversight.support import subprocess_database_url

ROOT = Path(__file__).resolve().parents[2]
DEVSERVER = ROOT / "scripts" / "devserver.py"


def load_devserver():
    spec = importlib.util.spec_from_file_location("devserver", DEVSERVER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("addr", "url"),
    [
        ("127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("0.0.0.0:8123", "http://127.0.0.1:8123"),
        ("8123", "http://127.0.0.1:8123"),
        ("localhost:9000", "http://localhost:9000"),
        ("[::]:8123", "http://[::1]:8123"),
        ("[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_the_url_is_the_address_actually_served(addr, url):
    assert load_devserver().served_url(addr) == url
    printed = subprocess.run(
        [sys.executable, str(DEVSERVER), "--addr", addr, "--print-url"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout.strip() == url


@pytest.mark.parametrize("addr", ["", "127.0.0.1", "127.0.0.1:http", "host:99999"])
def test_a_bad_address_is_one_clear_line_and_exit_2(addr):
    result = subprocess.run(
        [sys.executable, str(DEVSERVER), "--addr", addr, "--print-url"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("devserver: not a runserver address")
    assert len(result.stderr.strip().splitlines()) == 1


class DevServer:
    def __init__(self, *, broker_url: str) -> None:
        self.port = free_port()
        self.log = Path(tempfile.mkstemp(prefix="saring-devserver-", suffix=".log")[1])
        env = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(),
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "SARING_ENV": "dev",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("PUBLIC_BASE_URL", None)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(ROOT / ".venv" / "bin" / "python"),
                    str(DEVSERVER),
                    "--addr",
                    f"127.0.0.1:{self.port}",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def pid_of(self, name: str) -> int:
        match = re.search(rf"started {name} \(pid (\d+)\)", self.output())
        assert match, self.output()
        return int(match.group(1))

    def web_answers(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}/healthz", timeout=2
            ) as response:
                return response.status == 200
        except OSError:
            return False

    def all_up(self) -> bool:
        out = self.output()
        return "beat: Acquired lock" in out and " ready." in out and self.web_answers()

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.unlink(missing_ok=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: its parent (the supervisor) has not reaped it yet.
    with contextlib.suppress(FileNotFoundError):
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    return False


@pytest.fixture(scope="module")
def broker() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.close()


@pytest.fixture
def devserver(broker, django_db_setup, django_db_blocker) -> Iterator[DevServer]:
    broker.flush()
    server = DevServer(broker_url=broker.url)
    try:
        assert wait_until(server.all_up, timeout=120, interval=0.5), server.output()[-4000:]
        yield server
    finally:
        server.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("victim", "sig"),
    [("beat", signal.SIGKILL), ("worker", signal.SIGTERM)],
)
def test_when_a_child_dies_it_is_named_the_others_stop_and_the_exit_is_non_zero(
    devserver, victim, sig
):
    pids = {name: devserver.pid_of(name) for name in ("web", "worker", "beat")}
    os.killpg(pids[victim], sig)  # the child and everything it started

    devserver.process.wait(timeout=60)
    out = devserver.output()
    if sig == signal.SIGKILL:
        assert devserver.process.returncode == 128 + signal.SIGKILL
        said = f"{victim} (pid {pids[victim]}) stopped on its own: exit code -9 (killed by SIGKILL)"
    else:
        # Celery's worker shuts down warmly on SIGTERM and exits 0: still not a running app.
        assert devserver.process.returncode == 1
        said = f"{victim} (pid {pids[victim]}) stopped on its own: exit code 0"
    assert said in out, out[-3000:]
    others = [name for name in ("web", "worker", "beat") if name != victim]
    assert f"Stopping {others[0]} and {others[1]}: the app is NOT running any more." in out
    assert "devserver: ****" in out
    assert wait_until(lambda: not any(alive(pid) for pid in pids.values()), timeout=15)
    assert not devserver.web_answers()


@pytest.mark.slow
def test_ctrl_c_stops_all_three_and_exits_zero(devserver):
    pids = [devserver.pid_of(name) for name in ("web", "worker", "beat")]
    devserver.process.send_signal(signal.SIGINT)
    devserver.process.wait(timeout=30)
    assert devserver.process.returncode == 0, devserver.output()[-3000:]
    assert "stopped on its own" not in devserver.output()
    assert wait_until(lambda: not any(alive(pid) for pid in pids), timeout=15)
    # The beat let go of its lock on the way out: a new beat would not wait.
    assert "beat: Releasing lock" in devserver.output()

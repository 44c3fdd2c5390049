"""Shared by the queue bench scripts: where the bench database is, Django setup, the
progress bar and percentile arithmetic."""

import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BENCH_MODERATORS = 32
# (slug, name, share of the videos)
PLATFORMS = [("tiktok", "TikTok", 70), ("metube", "MeTube", 20), ("vidio", "Vidio", 10)]


def server_url() -> str:
    """The PostgreSQL server: BENCH_DATABASE_SERVER, else DATABASE_URL without its database."""
    url = os.environ.get("BENCH_DATABASE_SERVER") or os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/saring"
    )
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def database_url(name: str) -> str:
    return f"{server_url()}/{name}"


def admin_url() -> str:
    return database_url("postgres")


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pemilu.settings")
    os.environ.setdefault("SARING_ENV", "dev")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("AXES_ENABLED", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


class Progress:
    """A one-line progress bar on stderr: label, bar, count, rate, ETA."""

    def __init__(self, total: int, label: str) -> None:
        self.total = max(total, 1)
        self.label = label
        self.done = 0
        self.started = time.monotonic()
        self.last = 0.0

    def update(self, n: int, extra: str = "") -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last < 0.2 and self.done < self.total:
            return
        self.last = now
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed else 0.0
        eta = (self.total - self.done) / rate if rate else 0.0
        width = 30
        filled = int(width * self.done / self.total)
        bar = "█" * filled + "·" * (width - filled)
        sys.stderr.write(
            f"\r{self.label:<20} {bar} {self.done:>10,}/{self.total:,} "
            f"{rate:,.0f}/s ETA {eta:4.0f}s {extra}   "
        )
        sys.stderr.flush()

    def close(self) -> None:
        self.last = 0.0
        self.update(0)
        sys.stderr.write(f"  ({time.monotonic() - self.started:.1f} s)\n")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def machine_info() -> dict[str, str]:
    def read(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": read(["psql", "--version"]),
    }

import math
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser

from moderation.management.base import SaringCommand
from moderation.oversight.dashboard_days import (
    RefreshBusy,
    RefreshResult,
    dashboard_days_refresh_for,
)

BUSY_ATTEMPTS = 60  # one a second


class Command(SaringCommand):
    help = (
        "Summarise every past day the dashboards have not summarised, or that changed since "
        "(what the periodic task does a month at a time), with progress. For after a deploy "
        "or a restore, so the first dashboard pages need not wait for the task."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", type=int, default=31, help="Days per transaction (default 31)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress lines.")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = options["batch"]
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        started = time.monotonic()

        def progress(done: int, result: RefreshResult) -> None:
            if not options["no_progress"]:
                total = done + result.remaining
                self.stderr.write(
                    f"{done:,}/{total:,} days ({done / max(total, 1):.0%}),"
                    f" {time.monotonic() - started:.1f} s"
                )

        # The periodic task takes the same lock a batch at a time: wait for it, a while.
        done = 0
        for _attempt in range(BUSY_ATTEMPTS):
            try:
                done += dashboard_days_refresh_for(seconds=math.inf, batch=batch, on_batch=progress)
                break
            except RefreshBusy:
                time.sleep(1)
        else:
            raise CommandError("another refresh kept the lock for a minute; try again later")
        self.stdout.write(
            self.style.SUCCESS(
                f"dashboard days up to date: {done} summarised in"
                f" {time.monotonic() - started:.1f} s"
            )
        )

import sys
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser

from moderation.management.base import SaringCommand
from moderation.oversight.dashboard_days import dashboard_days_refresh


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
        done = 0
        while True:
            result = dashboard_days_refresh(max_days=batch)
            if result.remaining < 0:
                raise CommandError("another refresh is running; try again when it has finished")
            done += result.days
            if not options["no_progress"] and result.days:
                total = done + result.remaining
                sys.stderr.write(
                    f"{done:,}/{total:,} days ({done / max(total, 1):.0%}),"
                    f" {time.monotonic() - started:.1f} s\n"
                )
            if result.days == 0 or result.remaining == 0:
                break
        self.stdout.write(
            self.style.SUCCESS(
                f"dashboard days up to date: {done} summarised in"
                f" {time.monotonic() - started:.1f} s"
            )
        )

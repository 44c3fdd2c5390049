import sys
import time
from typing import Any, TextIO

from django.core.management.base import CommandError, CommandParser

from moderation.management.base import SaringCommand
from moderation.models import AuditSeal
from moderation.oversight.audit_verification import audit_log_verify_record
from moderation.oversight.seal import audit_log_seal


class ProgressBar:
    """A one-line progress bar on stderr (redrawn in place on a terminal, a line every 10 %
    otherwise): events verified of the events sealed, and the rate."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.enabled = enabled
        self.tty = stream.isatty()
        self.done = 0
        self.started = time.monotonic()
        self.last_decile = -1

    def update(self, events: int) -> None:
        self.done += events
        if not self.enabled:
            return
        fraction = min(self.done / self.total, 1.0)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        filled = int(fraction * 30)
        line = (
            f"[{'#' * filled}{'.' * (30 - filled)}] {fraction:6.1%} "
            f"{self.done:,}/{self.total:,} events, {self.done / elapsed:,.0f}/s"
        )
        if self.tty:
            self.stream.write("\r" + line)
        elif int(fraction * 10) != self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")


class Command(SaringCommand):
    help = (
        "Recompute every audit seal in chain order, with a progress bar. Names the first broken "
        "link and exits 1 if anything is wrong; the result is shown on the audit page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seal", action="store_true", help="Seal settled events before verifying."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal"]:
            while audit_log_seal() is not None:
                pass
        total = sum(AuditSeal.objects.values_list("event_count", flat=True).iterator())
        bar = ProgressBar(total, sys.stderr, enabled=not options["no_progress"])
        started = time.monotonic()
        verification = audit_log_verify_record(on_seal=lambda seal: bar.update(seal.event_count))
        bar.close()
        seconds = max(time.monotonic() - started, 1e-6)
        if not verification.ok:
            raise CommandError(
                f"audit log verification FAILED: first broken link: "
                f"{verification.first_problem} ({verification.problem_count} problem(s) in "
                f"{verification.seals} seals)"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit log OK: {verification.events} events in {verification.seals} seals "
                f"verified ({verification.events / seconds:,.0f} events/s)"
            )
        )

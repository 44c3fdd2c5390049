from typing import Any

from django.core.management.base import CommandError, CommandParser

from moderation.management.base import SaringCommand
from moderation.oversight.seal import audit_log_seal, audit_log_verify


class Command(SaringCommand):
    help = "Recompute every audit seal and report tampering. Exit 1 if anything is wrong."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seal", action="store_true", help="Seal settled events before verifying."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal"]:
            while audit_log_seal() is not None:
                pass
        result = audit_log_verify()
        if not result.ok:
            for problem in result.problems[1:]:
                self.stderr.write(problem)
            raise CommandError(f"audit log verification FAILED: {result.problems[0]}")
        self.stdout.write(
            self.style.SUCCESS(
                f"audit log OK: {result.events} events in {result.seals} seals verified"
            )
        )

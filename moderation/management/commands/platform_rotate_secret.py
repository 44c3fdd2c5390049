"""platform_rotate_secret <slug> [--grace HOURS]

Contract §1: adds a new inbound webhook secret and prints it once. The old secrets stay valid
for the grace period (24 hours by default), so the platform can switch without a failed delivery.
"""

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from moderation.administration.platforms import DEFAULT_GRACE_HOURS, platform_secret_rotate
from moderation.errors import ModerationError
from moderation.management.base import SaringCommand


class Command(SaringCommand):
    help = "Add a new webhook signing secret for a platform; old ones expire after --grace hours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The platform's slug, e.g. tiktok.")
        parser.add_argument(
            "--grace",
            type=float,
            default=DEFAULT_GRACE_HOURS,
            help="Hours the current secrets stay valid (default 24).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = platform_secret_rotate(slug=options["slug"], grace_hours=options["grace"])
        except ModerationError as exc:
            raise CommandError(exc.detail) from None
        until = timezone.localtime(result.old_secrets_expire_at)
        self.stdout.write(self.style.SUCCESS(f"New secret for {result.platform.slug!r}."))
        self.stdout.write(
            f"  webhook signing secret (shown only this once; give to the platform): "
            f"{result.secret}"
        )
        self.stdout.write(
            f"  the previous secret(s) ({result.old_secrets}) stay valid until "
            f"{until:%Y-%m-%d %H:%M %Z}"
        )

"""platform_add <slug> --name --callback-url [--secret whsec_..] [--callback-secret whsec_..]

Contract §1: registers a platform or updates its callback URL. Generated secrets are printed
once, here, and never again.
"""

from typing import Any

from django.core.management.base import CommandError, CommandParser

from moderation.administration.platforms import platform_add
from moderation.errors import ModerationError
from moderation.management.base import SaringCommand


class Command(SaringCommand):
    help = (
        "Register a video platform (or update its callback URL). Secrets left out are "
        "generated and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The platform's slug in the webhook URL, e.g. tiktok.")
        parser.add_argument("--name", required=True, help="Display name, e.g. TikTok.")
        parser.add_argument(
            "--callback-url", required=True, help="Where we POST decisions and clarifications."
        )
        parser.add_argument(
            "--secret", help="whsec_... the platform signs its webhooks with (else generated)."
        )
        parser.add_argument(
            "--callback-secret", help="whsec_... we sign callbacks with (else generated)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = platform_add(
                slug=options["slug"],
                name=options["name"],
                callback_url=options["callback_url"],
                secret=options["secret"],
                callback_secret=options["callback_secret"],
            )
        except ModerationError as exc:
            raise CommandError(exc.detail) from None
        slug = result.platform.slug
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Platform {slug!r} added."))
        elif result.changed:
            self.stdout.write(
                self.style.SUCCESS(f"Platform {slug!r} updated: {', '.join(result.changed)}.")
            )
        else:
            self.stdout.write(f"Platform {slug!r} unchanged.")
        self.stdout.write(f"Webhook URL: /api/v1/webhooks/{slug}/")
        if result.generated:
            self.stdout.write("Generated secrets, shown only this once; store them now:")
        if "secret" in result.generated:
            self.stdout.write(
                f"  webhook signing secret (give to the platform): {result.generated['secret']}"
            )
        if "callback_secret" in result.generated:
            self.stdout.write(
                f"  callback secret (give to the platform): {result.generated['callback_secret']}"
            )

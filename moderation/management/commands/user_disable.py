"""user_disable USERNAME: the account can no longer sign in; its sessions end and its API tokens
are revoked at once."""

from typing import Any

from django.core.management.base import CommandError, CommandParser

from moderation.administration.people import user_disable
from moderation.errors import ModerationError
from moderation.management.base import SaringCommand


class Command(SaringCommand):
    help = "Disable a user: no sign-in, open sessions ended, API tokens revoked."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = user_disable(username=options["username"])
        except ModerationError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"User {result.user.username!r} disabled: {result.sessions_ended} session(s) "
                f"ended, {result.tokens_revoked} API token(s) revoked."
            )
        )

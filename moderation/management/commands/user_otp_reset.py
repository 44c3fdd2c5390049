"""user_otp_reset USERNAME: remove a user's authenticator and recovery codes (a lost phone) and
end their sessions; the next sign-in enrols a new authenticator. Audited."""

from typing import Any

from django.core.management.base import CommandError, CommandParser

from moderation.administration.people import user_second_factor_reset
from moderation.management.base import SaringCommand
from moderation.models import User


class Command(SaringCommand):
    help = "Reset a user's second factor: the next sign-in enrols a new authenticator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Unknown user: {options['username']}.")
        removed = user_second_factor_reset(user=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Second factor of {user.username!r} reset ({removed} device(s) removed); "
                "they enrol a new authenticator at the next sign-in."
            )
        )

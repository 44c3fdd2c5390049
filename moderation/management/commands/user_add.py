"""user_add USERNAME --role ROLE --organisation SLUG [--email EMAIL]

A working staff account in one command: one role in one organisation, a generated password
printed once. An account made by ``createsuperuser`` (no organisation, no role) gains them.
"""

from typing import Any

from django.core.management.base import CommandError, CommandParser

from moderation.administration.people import user_add
from moderation.choices import Role
from moderation.errors import ModerationError
from moderation.management.base import SaringCommand


class Command(SaringCommand):
    help = "Add a staff user with one role in one organisation; prints a generated password once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(Role.values)}.")
        parser.add_argument(
            "--organisation", required=True, help="The organisation's slug, e.g. kpu or tiktok."
        )
        parser.add_argument("--email", default="", help="Where notifications go.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = user_add(
                username=options["username"],
                role=options["role"],
                organisation_slug=options["organisation"],
                email=options["email"],
            )
        except ModerationError as exc:
            raise CommandError(exc.detail) from None
        user = result.user
        verb = "added" if result.created else "given a role and an organisation"
        self.stdout.write(
            self.style.SUCCESS(
                f"User {user.username!r} {verb}: {options['role']} of {options['organisation']}."
            )
        )
        self.stdout.write(f"Password, shown only this once: {result.password}")
        if options["role"] in (Role.SUPERVISOR, Role.ADMINISTRATOR):
            self.stdout.write("At the first sign-in they enrol an authenticator app (TOTP).")

"""The base of our operator commands: bad input is one clear line on stderr and a non-zero exit.

Django already turns ``CommandError`` into ``CommandError: <message>`` and exit 1. argparse errors
(a missing or unknown argument) would also print the whole usage block; operators asked for one
line, so we print only ``<command>: error: <message>`` (exit 2). ``--help`` still shows usage.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation


class SaringCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> Any:
        # Operators read our commands in English, as argparse speaks; the services' messages
        # are Indonesian at the source and translated.
        with translation.override("en"):
            return super().execute(*args, **options)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.print_usage = lambda file=None: None  # type: ignore[method-assign]
        return parser

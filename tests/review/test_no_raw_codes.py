"""Issue 14 point 10: no raw codes on screen. The main pages, rendered in Indonesian and in
English with a case that has history, a breakdown, a held decision and notifications, show
no snake_case code and no untranslated Django default in the text a person reads."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from moderation.choices import Action, PhaseKind, Reason
from moderation.models import Case, ElectionPhase
from moderation.oversight.notifications import notify_decision_reviewed
from moderation.priority import priority_compute, priority_signals_for_test
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from moderation.review.approvals import decision_approve
from tests.clients import signed_in, token_client

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
DJANGO_DEFAULTS = ("Select an option", "---------")


class _Text(HTMLParser):
    """The text a person reads: text nodes outside script, style and code, plus the labels of
    options and buttons; not attributes."""

    SKIP = {"script", "style", "code", "pre", "textarea"}

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def raw_codes(html: str) -> list[str]:
    text = visible_text(html)
    found = [m.group(0) for m in SNAKE.finditer(text)]
    found += [d for d in DJANGO_DEFAULTS if d in text]
    return found

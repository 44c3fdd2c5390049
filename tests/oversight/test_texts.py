"""Every kind of notification has its text in Indonesian and English, with the values the
services give it (the services' own tests write each kind; a missing value fails there)."""

import pytest
from django.utils import translation

from moderation.choices import NotificationKind
from moderation.notification_texts import (
    TITLES,
    notification_text,
    notification_text_stored,
)

PARAMS = {
    "case": 12,
    "video": "7312",
    "platform": "TikTok",
    "reasons": "hoax, sara",
    "note": "",
    "decision": 34,
    "action": "remove",
    "decided_by": "rina",
    "statement": "Video saya bukan hoaks.",
    "event_type": "decision.recorded",
    "subject": "decision 34",
    "attempts": 9,
    "last_error": "HTTP 500",
    "reason": "HTTP 410 Gone",
    "due": "14:05",
    "status": "in_review",
    "clarification": "Pemilih cukup membawa KTP-el",
    "version": 2,
    "title": "Pemilu tetap 14 Februari",
    "reviewer": "sari",
    "problem": "events 1-50000: contents changed since sealed",
    "count": 1,
}


def test_every_kind_has_a_title():
    assert set(TITLES) == set(NotificationKind)


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_each_kind_reads_in_indonesian_and_in_english(kind):
    stored = notification_text_stored(kind, PARAMS)
    with translation.override("en"):
        english = notification_text(kind, PARAMS)
    assert english is not None
    assert all(stored), stored
    assert english[0] != stored[0], "the title has an English translation"
    assert "%(" not in english[0] + english[1] + stored[0] + stored[1]


def test_values_that_do_not_fit_fall_back_to_the_stored_text():
    assert notification_text(NotificationKind.SLA_BREACHED, {"case": 1}) is None
    with pytest.raises(ValueError, match="sla_breached"):
        notification_text_stored(NotificationKind.SLA_BREACHED, {"case": 1})

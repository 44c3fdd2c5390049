"""Fixtures for the browser workspace tests (server-rendered pages)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from moderation.choices import FlagSource, Reason
from tests.factories import CaseFactory, FlagFactory, VideoFactory


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def make_case(tiktok):
    """A case with flags, as ingest would leave it; defaults to an unclaimed TikTok hoax."""

    def make(platform=None, *, flags=2, reasons=(Reason.HOAX,), priority=50, **kwargs):
        platform = platform or tiktok
        video = kwargs.pop("video", None) or VideoFactory(
            platform=platform,
            view_count=kwargs.pop("view_count", 250_000),
            thumbnail_url="",
            author_is_political=kwargs.pop("author_is_political", False),
        )
        case = CaseFactory(
            video=video,
            platform=platform,
            reasons=list(reasons),
            flag_count=flags,
            priority=priority,
            priority_breakdown=[
                {"signal": "reach", "label": "views 250K", "points": 24},
                {"signal": "severity", "label": f"reason {reasons[0]}", "points": 20},
            ],
            **kwargs,
        )
        for i in range(flags):
            FlagFactory(
                case=case,
                reason=reasons[i % len(reasons)],
                source=FlagSource.TRUSTED_FLAGGER if i == 0 else FlagSource.USER_REPORT,
                flagged_at=timezone.now() - timedelta(minutes=30 - i),
                note="Video menyebut TPS tutup pukul 10 pagi." if i == 0 else "",
            )
        return case

    return make

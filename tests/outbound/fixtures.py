"""Fixtures shared by tests/callbacks and tests/notifications (imported by their conftests)."""

from collections.abc import Iterator

import pytest

from moderation.models import Case, Platform, User
from moderation.review.claims import case_claim
from tests.factories import CaseFactory, VideoFactory
from tests.outbound.support import PrivateRedis, RecordingPlatform, celery_broker, platform_server


@pytest.fixture(scope="session")
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of our own for these tests: whatever they publish lands here, never in
    the shared Redis that other engineers' test runs use."""
    server = PrivateRedis()
    server.start()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _broker(private_redis: PrivateRedis, settings) -> Iterator[None]:
    """Broker and cache on the private Redis, as in production one Redis serves both: the
    workers these tests start and this process then see the same coalescing flags."""
    if not private_redis.answers():
        private_redis.start()
    private_redis.flush()
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": private_redis.url},
    }
    with celery_broker(private_redis.url):
        yield


@pytest.fixture
def platform() -> Iterator[RecordingPlatform]:
    with platform_server() as server:
        yield server


@pytest.fixture
def callback_platform(tiktok: Platform, platform: RecordingPlatform) -> Platform:
    """TikTok, with its callback URL on the recording platform."""
    tiktok.callback_url = platform.url
    tiktok.save(update_fields=["callback_url"])
    platform.secret = tiktok.callback_secret
    return tiktok


@pytest.fixture
def claimed_case(callback_platform: Platform, moderator: User) -> Case:
    case = CaseFactory(video=VideoFactory(platform=callback_platform))
    return case_claim(case=case, user=moderator)

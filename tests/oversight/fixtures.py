"""Fixtures of tests/oversight, shared with tests/pemilu (imported by their conftests)."""

import pytest

from tests.outbound.support import PrivateRedis


@pytest.fixture
def job_records(private_redis: PrivateRedis, settings) -> PrivateRedis:
    """The periodic job records are read from (and written to) the private Redis, empty."""
    if not private_redis.answers():
        private_redis.start()
    private_redis.flush()
    settings.REDIS_URL = private_redis.url
    return private_redis

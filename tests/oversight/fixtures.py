"""Fixtures of tests/oversight, shared with tests/pemilu (imported by their conftests)."""

from collections.abc import Iterator

import pytest

from tests.callbacks.support import PrivateRedis


@pytest.fixture(scope="session")
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of our own: beats, workers and job records of these tests land here, never
    in the shared Redis (where a `make run` of the same checkout may hold the beat lock)."""
    server = PrivateRedis()
    server.start()
    yield server
    server.close()


@pytest.fixture
def job_records(private_redis: PrivateRedis, settings) -> PrivateRedis:
    """The periodic job records are read from (and written to) the private Redis, empty."""
    if not private_redis.answers():
        private_redis.start()
    private_redis.flush()
    settings.REDIS_URL = private_redis.url
    return private_redis

from tests.outbound.fixtures import (  # noqa: F401 - fixtures
    _broker,
    callback_platform,
    claimed_case,
    platform,
    private_redis,
)

from tests.outbound.fixtures import (  # noqa: F401 - fixtures
    _broker,
    callback_platform,
    claimed_case,
    platform,
    private_redis,
)
from tests.oversight.fixtures import job_records  # noqa: F401 - fixtures

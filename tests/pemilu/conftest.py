from tests.outbound.fixtures import private_redis  # noqa: F401 - fixtures
from tests.oversight.fixtures import job_records  # noqa: F401 - fixtures

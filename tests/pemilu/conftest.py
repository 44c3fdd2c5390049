from tests.oversight.fixtures import job_records, private_redis  # noqa: F401 - fixtures

"""The container setup: docker-compose.yml's services, and .env.example against the settings.

No Docker is needed (nor a database): the files are read as YAML and text.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
# Variables in .env.example that configure the compose services, not Django.
COMPOSE_ONLY_VARS = {"POSTGRES_PASSWORD"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def command_of(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def settings_source() -> str:
    files = [ROOT / "pemilu" / "settings.py", *sorted((ROOT / "pemilu").glob("settings/*.py"))]
    return "\n".join(path.read_text() for path in files if path.exists())


def vars_read_by_settings() -> set[str]:
    source = settings_source()
    via_environ = re.findall(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", source)
    via_os = re.findall(
        r"""os\.(?:environ(?:\.get)?|getenv)\s*[\(\[]\s*["']([A-Z][A-Z0-9_]*)["']""", source
    )
    return set(via_environ) | set(via_os)


def vars_in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    # "NAME=value" and the commented defaults "# NAME=value".
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_the_five_services_exist(services: dict) -> None:
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)


def test_app_services_share_one_build(services: dict) -> None:
    builds = {repr(services[name].get("build")) for name in APP_SERVICES}
    images = {services[name].get("image") for name in APP_SERVICES}
    assert services["web"].get("build") is not None
    assert len(builds) == 1
    assert len(images) == 1


def test_app_services_run_the_right_process(services: dict) -> None:
    assert command_of(services["web"]).startswith("gunicorn pemilu.wsgi")
    assert re.match(r"celery -A pemilu worker\b", command_of(services["worker"]))
    assert "-Q default,callbacks,email" in command_of(services["worker"])
    assert re.match(r"celery -A pemilu beat\b", command_of(services["beat"]))


def test_migrations_run_before_the_app(services: dict) -> None:
    assert "manage.py migrate" in command_of(services["migrate"])
    for name in APP_SERVICES:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


@pytest.mark.parametrize("name", ["postgres", "redis", "web"])
def test_health_checks_exist(services: dict, name: str) -> None:
    assert services[name]["healthcheck"]["test"]


def test_data_stores_are_the_expected_images(services: dict) -> None:
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in " ".join(services["redis"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_data_stores(services: dict, name: str) -> None:
    depends_on = services[name]["depends_on"]
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_app_services_read_dotenv(services: dict, name: str) -> None:
    env_file = services[name]["env_file"]
    assert ".env" in ([env_file] if isinstance(env_file, str) else env_file)


def test_postgres_data_is_on_a_named_volume(compose: dict) -> None:
    mounts = compose["services"]["postgres"]["volumes"]
    named = [m.split(":")[0] for m in mounts if m.endswith(":/var/lib/postgresql/data")]
    assert named
    assert named[0] in compose["volumes"]


def test_env_example_lists_exactly_what_settings_read() -> None:
    in_settings = vars_read_by_settings()
    in_example = vars_in_env_example() - COMPOSE_ONLY_VARS
    assert in_settings, "found no env reads in pemilu/settings.py: is the regex out of date?"
    assert not in_settings - in_example, "read in settings but missing from .env.example"
    assert not in_example - in_settings, "in .env.example but not read in settings"


def test_compose_only_vars_are_used_by_compose() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for name in COMPOSE_ONLY_VARS:
        assert f"${{{name}" in text

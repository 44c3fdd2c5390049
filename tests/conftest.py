"""Personas and shared fixtures. Tests run against the real PostgreSQL and Redis."""

import importlib

import pytest
from django.conf import settings
from django.utils import translation

from moderation.choices import OrganisationKind, Role
from moderation.selectors import tuning_values_forget
from tests.factories import OrganisationFactory, PlatformFactory, UserFactory


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Roles, phases, SLA targets and standard queues come from a data migration. A
    transactional test flushes them away, so put them back for whoever comes next."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False) or (
        len(marker.args) > 0 and marker.args[0]
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=Role.SUPERVISOR).exists():
        importlib.import_module("moderation.migrations.0002_reference_data").seed(apps)


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves the thread's language active after a test client request.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_tuning():
    # Only our own keys: the cache shares Redis with the Celery broker, so never flush it.
    tuning_values_forget()
    yield
    tuning_values_forget()


@pytest.fixture
def kpu(db):
    return OrganisationFactory(slug="kpu", name="KPU RI", kind=OrganisationKind.KPU)


@pytest.fixture
def tiktok(db):
    return PlatformFactory(slug="tiktok", name="TikTok")


@pytest.fixture
def other_platform(db):
    return PlatformFactory(slug="metube", name="MeTube")


@pytest.fixture
def moderator(tiktok):
    """Rina, a TikTok trust & safety moderator."""
    return UserFactory(
        username="rina", organisation=tiktok.organisation, roles=[Role.PLATFORM_MODERATOR]
    )


@pytest.fixture
def second_moderator(tiktok):
    """Budi, another TikTok moderator on the same shift."""
    return UserFactory(
        username="budi", organisation=tiktok.organisation, roles=[Role.PLATFORM_MODERATOR]
    )


@pytest.fixture
def kpu_clarifier(kpu):
    """Sari, KPU staff who writes clarifications."""
    return UserFactory(username="sari", organisation=kpu, roles=[Role.KPU_CLARIFIER])


@pytest.fixture
def kpu_approver(kpu):
    """Hasan, KPU staff who signs clarifications off."""
    return UserFactory(username="hasan", organisation=kpu, roles=[Role.KPU_APPROVER])


@pytest.fixture
def supervisor(tiktok):
    """Dewi, the TikTok shift supervisor."""
    return UserFactory(username="dewi", organisation=tiktok.organisation, roles=[Role.SUPERVISOR])


@pytest.fixture
def platform_admin(kpu):
    """Andi, an administrator."""
    return UserFactory(username="andi", organisation=kpu, roles=[Role.ADMINISTRATOR])


@pytest.fixture
def outsider(db):
    """Joko has an account but no role."""
    return UserFactory(username="joko", organisation=OrganisationFactory(slug="lain"))

"""Personas and shared fixtures. Tests run against the real PostgreSQL and Redis."""

import importlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from moderation.choices import Action, FlagSource, Ground, OrganisationKind, Reason, Role
from moderation.policy import tuning_values_forget
from moderation.review.appeals import appeal_open
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from tests.factories import (
    CaseFactory,
    FlagFactory,
    OrganisationFactory,
    PlatformFactory,
    UserFactory,
    VideoFactory,
)
from tests.workers import Worker


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
def _force_login_is_a_full_sign_in(monkeypatch):
    """``client.force_login(user)`` stands for a finished sign-in: the password and, for the
    roles that need one, the second factor (a confirmed TOTP device, as after enrolment).
    tests/security/test_second_factor.py goes through the real pages instead."""
    from django.test.client import ClientMixin

    login = ClientMixin._login

    def _login(self, user, backend=None):
        login(self, user, backend)
        from tests.clients import second_factor_pass

        second_factor_pass(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)


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
def kpu_supervisor(kpu):
    """Kartika, KPU's supervisor: she watches every platform's queues."""
    return UserFactory(username="kartika", organisation=kpu, roles=[Role.SUPERVISOR])


@pytest.fixture
def platform_admin(kpu):
    """Andi, an administrator."""
    return UserFactory(username="andi", organisation=kpu, roles=[Role.ADMINISTRATOR])


@pytest.fixture
def outsider(db):
    """Joko has an account but no role."""
    return UserFactory(username="joko", organisation=OrganisationFactory(slug="lain"))


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


@pytest.fixture
def celery_worker():
    """``celery_worker(queues=..., concurrency=1, broker_url=None, name=..., env=None)``: a real
    ``celery -A pemilu worker`` process on this run's broker (or ``broker_url``) and test
    database, ready before it returns; every worker started is stopped after the test."""
    started: list[Worker] = []

    def start(
        *,
        queues: str = "default,callbacks,email",
        concurrency: int = 1,
        broker_url: str | None = None,
        name: str = "worker",
        env: dict[str, str] | None = None,
    ) -> Worker:
        worker = Worker(
            broker_url=broker_url or settings.CELERY_BROKER_URL,
            name=f"{name}-{len(started)}",
            queues=queues,
            env=env,
        )
        started.append(worker)
        return worker.start(concurrency=concurrency)

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def appealed_case(tiktok):
    """``appealed_case(decider, case=None)``: a case ``decider`` claimed and decided (reduce
    reach), then appealed by the platform, all through the services. Returns (case, decision)."""

    def make(decider, case=None):
        case = case_claim(
            case=case or CaseFactory(video=VideoFactory(platform=tiktok)), user=decider
        )
        decision = decision_record(
            case=case,
            user=decider,
            version=case.version,
            action=Action.REDUCE_REACH,
            ground=Ground.COMMUNITY_GUIDELINES,
            category=Reason.HOAX,
            statement_of_reasons="Mengurangi jangkauan hoaks TPS.",
        )
        appeal_open(
            platform=case.platform,
            appeal_id=f"apl_{case.pk}",
            decision=decision,
            statement="Video saya satire.",
            created_at=timezone.now(),
        )
        case.refresh_from_db()
        return case, decision

    return make

"""The oversight dashboard in a real browser: a supervisor reads it and changes the date range,
a platform supervisor sees only their platform, a moderator is refused. Screenshots in
test-artifacts/screenshots/dashboard-*.png."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.choices import Action, Reason, Role
from moderation.models import CaseSubject, ElectoralSubject, OutboundDelivery
from tests.browser.conftest import shot
from tests.factories import (
    CaseFactory,
    DecisionFactory,
    FlagFactory,
    PublishedClarificationFactory,
    UserFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shift(tiktok, other_platform, current_phase):
    """Two weeks of work on two platforms, with pairs and parties recorded on some cases."""
    from importlib import import_module

    from django.apps import apps

    import_module("moderation.migrations.0017_neutrality").seed(apps)
    subjects = list(ElectoralSubject.objects.all())
    rng = random.Random(7)
    now = timezone.now()
    moderators = [
        UserFactory(
            username=f"mod{i}",
            first_name=name,
            organisation=(tiktok if i < 3 else other_platform).organisation,
            roles=[Role.PLATFORM_MODERATOR],
        )
        for i, name in enumerate(["Rina", "Budi", "Sinta", "Agus", "Maya"])
    ]
    clarification = PublishedClarificationFactory()
    for i in range(80):
        platform = tiktok if i % 3 else other_platform
        opened = now - timedelta(minutes=rng.randrange(10, 13 * 24 * 60))
        case = CaseFactory(
            video=VideoFactory(platform=platform),
            platform=platform,
            reasons=[rng.choice(list(Reason.values))],
            opened_at=opened,
            due_at=opened + timedelta(minutes=rng.randrange(60, 600)),
        )
        FlagFactory(case=case, received_at=opened)
        if rng.random() < 0.4:
            CaseSubject.objects.create(
                case=case,
                subject=rng.choice(subjects),
                tagged_by=moderators[0],
                tagged_at=opened,
                case_opened_at=case.opened_at,
                case_platform_id=case.platform_id,
            )
        decided_at = opened + timedelta(minutes=rng.randrange(5, 900))
        if decided_at < now and rng.random() < 0.8:
            action = rng.choice(list(Action.values))
            DecisionFactory(
                case=case,
                action=action,
                category=case.reasons[0],
                clarification=clarification if action == Action.LABEL else None,
                decided_by=moderators[i % 3 if platform == tiktok else 3 + i % 2],
                decided_at=decided_at,
            )
    for i in range(12):
        OutboundDelivery.objects.create(
            platform=tiktok if i % 2 else other_platform,
            event_type="decision.recorded",
            payload={},
            status=["delivered", "delivered", "failed", "pending"][i % 4],
            next_attempt_at=now,
            created_at=now - timedelta(hours=i * 7),
        )


def test_supervisor_reads_the_dashboard_and_changes_the_range(new_page, kpu_supervisor, shift):
    page = new_page(user=kpu_supervisor)
    page.goto("/queues/")
    page.get_by_role("link", name="Dasbor").click()
    page.wait_for_url("**/oversight/dashboard/")
    assert page.get_by_role("heading", name="Dasbor pengawasan").is_visible()
    assert page.locator("svg.chart").count() >= 8
    assert (
        page.locator("#chart-backlog-title").text_content() == "Antrean tertunda di akhir tiap hari"
    )
    assert page.locator("#fig-flow[hx-trigger='every 30s']").count() == 1
    assert "menit" in page.locator("#kpi-median").inner_text()
    assert page.locator("#table-neutrality-1 tbody tr").count() == 3
    shot(page, "dashboard-kpu-supervisor")

    # The table behind a chart, for screen readers and exact numbers.
    page.locator("#fig-flow summary").click()
    assert page.locator("#table-flow").is_visible()
    assert page.locator("#table-flow tbody tr").count() == 14

    # A narrower range, then one the wrong way round.
    today = timezone.localdate()
    since = today - timedelta(days=2)
    page.fill("#id_since", since.isoformat())
    page.fill("#id_until", today.isoformat())
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url(f"**since={since.isoformat()}**")
    page.locator("#fig-flow summary").click()
    assert page.locator("#table-flow tbody tr").count() == 3
    assert since.strftime("%Y") in page.locator("#dashboard-range").inner_text()
    shot(page, "dashboard-three-days")

    page.fill("#id_since", today.isoformat())
    page.fill("#id_until", since.isoformat())
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_load_state()
    assert "tukar keduanya" in page.locator("#filter-errors").inner_text()
    assert page.input_value("#id_since") == today.isoformat()
    shot(page, "dashboard-reversed-range")

    # Year 9999 and a platform that does not exist.
    page.goto("/oversight/dashboard/?since=9999-01-01&until=9999-01-31&platform=nope")
    assert "di luar rentang" in page.content()
    assert "tidak dikenal" in page.content()


def test_dashboard_in_english(new_page, kpu_supervisor, shift):
    page = new_page(user=kpu_supervisor, language="en")
    page.goto("/oversight/dashboard/")
    shot(page, "dashboard-en")


def test_platform_supervisor_sees_only_their_platform(new_page, supervisor, shift):
    page = new_page(user=supervisor)
    page.goto("/oversight/dashboard/")
    options = page.locator("#id_platform option").all_inner_texts()
    assert options == ["TikTok"]
    page.locator("#fig-moderators summary").click()
    names = page.locator("#table-moderators tbody th").all_inner_texts()
    assert names
    assert set(names) <= {"Rina", "Budi", "Sinta"}
    assert "MeTube" not in page.locator("#table-callbacks").inner_text()
    shot(page, "dashboard-platform-supervisor")
    page.goto("/oversight/dashboard/?platform=metube")
    assert "di luar wewenang" in page.content()


def test_moderator_is_refused(new_page, moderator, shift):
    page = new_page(user=moderator)
    page.goto("/queues/")
    assert page.get_by_role("link", name="Dasbor").count() == 0
    response = page.goto("/oversight/dashboard/")
    assert response is not None
    assert response.status == 403
    shot(page, "dashboard-moderator-403")

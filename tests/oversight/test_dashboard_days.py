"""The dashboards' day summaries (moderation/oversight/dashboard_days.py): which writes mark a
day dirty (the triggers, on the database's clock), that a page reads the stored rows while they
hold and the tables once they do not, and the refresh (task and command).

The figures themselves are checked against SQL with and without summaries in
tests/oversight/test_dashboard.py."""

from datetime import datetime, timedelta

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from moderation.choices import CallbackEventType, DeliveryStatus
from moderation.jobs import TaskName
from moderation.models import Case, DashboardDay, DashboardDirtyDay, OutboundDelivery
from moderation.models import CaseSubject as CaseSubjectLink
from moderation.oversight import dashboard as figures
from moderation.oversight.dashboard import WIB, DashboardScope
from moderation.oversight.dashboard_days import (
    REFRESH_LOCK,
    SETTLE_GRACE,
    dashboard_days_refresh,
)
from moderation.tasks import dashboard_days_refresh as dashboard_days_refresh_task
from pemilu.celery import app
from tests.factories import CaseFactory, DecisionFactory, VideoFactory

pytestmark = pytest.mark.django_db


def wib_today():
    return timezone.now().astimezone(WIB).date()


def at(days_ago: int, hour: int = 10) -> datetime:
    day = wib_today() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=WIB)


def case_on(platform, days_ago: int, **fields):
    fields.setdefault("due_at", at(days_ago) + timedelta(hours=4))
    return CaseFactory(
        video=VideoFactory(platform=platform), platform=platform, opened_at=at(days_ago), **fields
    )


def refresh(**kwargs):
    """The refresh at the real clock, or at 01:00 WIB if the test runs in the first hour after
    midnight (when the refresh leaves yesterday alone, see the test of that)."""
    today = wib_today()
    kwargs.setdefault(
        "now", max(timezone.now(), datetime(today.year, today.month, today.day, 1, tzinfo=WIB))
    )
    return dashboard_days_refresh(**kwargs)


def marks() -> set[tuple[int, object]]:
    return set(DashboardDirtyDay.objects.values_list("platform_id", "day"))


def scope(days: int = 6, platform_ids=None) -> DashboardScope:
    return DashboardScope(
        since=wib_today() - timedelta(days=days),
        until=wib_today(),
        platform_ids=platform_ids,
        now=timezone.now(),
    )


def flow(days: int = 6) -> dict:
    return {row.day: row for row in figures.flow_by_day(scope(days))}


# --- The marks ---------------------------------------------------------------------------------


def test_writes_to_a_past_day_mark_it_and_writes_to_today_do_not(tiktok, moderator):
    today_case = case_on(tiktok, 0)
    assert marks() == set()

    old = case_on(tiktok, 3)
    assert marks() == {(tiktok.pk, at(3).date())}

    DashboardDirtyDay.objects.all().delete()
    DecisionFactory(case=old, decided_by=moderator, decided_at=at(2))
    # The decision's day, and the case's settled day (first_decided_at, kept by a trigger).
    assert marks() == {(tiktok.pk, at(2).date()), (tiktok.pk, at(3).date())}

    DashboardDirtyDay.objects.all().delete()
    DecisionFactory(case=today_case, decided_by=moderator, decided_at=timezone.now())
    Case.objects.filter(pk=today_case.pk).update(flag_count=F("flag_count") + 1)
    assert marks() == set()

    # A write that changes nothing the dashboards count marks nothing.
    Case.objects.filter(pk=old.pk).update(priority=F("priority") + 1)
    assert marks() == set()


def test_a_callback_and_a_pair_or_party_link_mark_their_days(tiktok, moderator):
    delivery = OutboundDelivery.objects.create(
        platform=tiktok,
        event_type=CallbackEventType.DECISION_RECORDED,
        payload={},
        next_attempt_at=at(4),
        created_at=at(4),
    )
    assert marks() == {(tiktok.pk, at(4).date())}
    DashboardDirtyDay.objects.all().delete()
    OutboundDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DELIVERED)
    assert marks() == {(tiktok.pk, at(4).date())}
    assert DashboardDirtyDay.objects.count() == 1  # an update marks its day once, not twice
    DashboardDirtyDay.objects.all().delete()
    case = case_on(tiktok, 6)
    DashboardDirtyDay.objects.all().delete()
    Case.objects.filter(pk=case.pk).update(flag_count=F("flag_count") + 1)
    assert list(DashboardDirtyDay.objects.values_list("platform_id", "day")) == [
        (tiktok.pk, at(6).date())
    ]

    case = case_on(tiktok, 5)
    DecisionFactory(case=case, decided_by=moderator, decided_at=at(3))
    DashboardDirtyDay.objects.all().delete()
    from moderation.models import ElectoralSubject

    subject = ElectoralSubject.objects.create(kind="pair", ballot_number=1, name="Pasangan 01")
    CaseSubjectLink.objects.create(
        case=case,
        subject=subject,
        tagged_by=moderator,
        tagged_at=timezone.now(),
        case_opened_at=case.opened_at,
        case_platform_id=tiktok.pk,
    )
    # The case's opening day (cases per pair) and its decision's day (removals, labels).
    assert marks() == {(tiktok.pk, at(5).date()), (tiktok.pk, at(3).date())}


# --- What a page reads -------------------------------------------------------------------------


def test_a_page_reads_the_stored_day_until_a_write_marks_it(tiktok, other_platform):
    cases = [case_on(tiktok, 3) for _ in range(3)] + [case_on(other_platform, 3)]
    assert refresh().days == 3  # three days ago to yesterday
    assert not DashboardDirtyDay.objects.exists()
    day = at(3).date()
    assert flow()[day].opened == 4

    # Proof that the page reads the row: a row changed behind its back shows.
    DashboardDay.objects.filter(platform=tiktok, day=day).update(opened=F("opened") + 100)
    assert flow()[day].opened == 104

    # A write to the day marks it; the page reads the tables for it again.
    Case.objects.filter(pk=cases[0].pk).update(status="closed", closed_at=at(2))
    assert (tiktok.pk, day) in marks()
    assert flow()[day].opened == 4
    assert flow()[at(2).date()].settled == 1

    # The refresh recomputes it and takes the mark.
    refresh()
    assert not DashboardDirtyDay.objects.filter(day=day).exists()
    assert DashboardDay.objects.get(platform=tiktok, day=day).opened == 3
    assert flow()[day].opened == 4


def test_a_stored_day_splits_its_unsettled_cases_at_the_readers_clock(tiktok):
    case_on(tiktok, 1, due_at=timezone.now() + timedelta(hours=3), reasons=["hoax"])
    case_on(tiktok, 1, due_at=at(1, 12), reasons=["hoax"])
    refresh()
    day = at(1).date()
    DashboardDay.objects.filter(platform=tiktok, day=day).update(opened=99)
    assert flow()[day].opened == 99  # the stored row is what the page reads

    def sla(now):
        view = DashboardScope(since=day, until=day, platform_ids=None, now=now)
        phases = figures.sla_by_phase(view)
        (hoax,) = figures.sla_by_reason(view)
        return (
            sum(r.running for r in phases),
            sum(r.breached for r in phases),
            hoax.running,
            hoax.breached,
        )

    assert sla(timezone.now()) == (1, 1, 1, 1)
    assert sla(timezone.now() + timedelta(hours=4)) == (0, 2, 0, 2)


def test_a_new_platform_has_no_rows_so_its_days_come_from_the_tables(tiktok):
    case_on(tiktok, 2)
    refresh()
    from tests.factories import PlatformFactory

    newcomer = PlatformFactory(slug="vidio", name="Vidio")
    case_on(newcomer, 2)  # marks the day too; without the mark the missing row is enough
    DashboardDirtyDay.objects.all().delete()
    assert flow()[at(2).date()].opened == 2


# --- The refresh -------------------------------------------------------------------------------


def test_the_refresh_takes_the_most_recent_days_first_and_says_what_remains(tiktok):
    for days_ago in range(1, 6):
        case_on(tiktok, days_ago)
    result = refresh(max_days=2)
    assert (result.days, result.remaining) == (2, 3)
    stored = set(DashboardDay.objects.values_list("day", flat=True))
    assert stored == {at(1).date(), at(2).date()}
    assert refresh(max_days=10).remaining == 0
    assert refresh().days == 0
    # Never today: it is always read from the tables.
    assert not DashboardDay.objects.filter(day__gte=wib_today()).exists()


def test_the_refresh_leaves_yesterday_alone_in_the_first_minutes_after_midnight(tiktok):
    case_on(tiktok, 1)
    case_on(tiktok, 2)
    today = wib_today()
    just_after_midnight = datetime(today.year, today.month, today.day, 0, 5, tzinfo=WIB)
    dashboard_days_refresh(now=just_after_midnight)
    assert set(DashboardDay.objects.values_list("day", flat=True)) == {at(2).date()}


def test_one_refresh_at_a_time(tiktok):
    case_on(tiktok, 2)
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=False,
    ) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        assert refresh().remaining == -1
        other.rollback()
    assert refresh().days >= 1


def test_the_periodic_task_is_scheduled_every_minute_and_runs(tiktok):
    entry = app.conf.beat_schedule["dashboard-days-refresh"]
    assert entry["task"] == TaskName.DASHBOARD_DAYS_REFRESH
    assert entry["schedule"] == 60.0
    case_on(tiktok, 2)
    case_on(tiktok, 70)
    # More than one batch of 31 days in one run (each batch its own transaction).
    assert dashboard_days_refresh_task() >= 68
    assert DashboardDay.objects.filter(platform=tiktok, day=at(2).date(), opened=1).exists()
    assert DashboardDay.objects.filter(platform=tiktok, day=at(70).date(), opened=1).exists()
    assert dashboard_days_refresh_task() == 0


def test_the_command_summarises_everything_with_progress(tiktok, capsys):
    for days_ago in (1, 2, 40):
        case_on(tiktok, days_ago)
    # From 40 days ago to yesterday (to the day before in the first minutes after midnight).
    last = (timezone.now() - SETTLE_GRACE).astimezone(WIB).date() - timedelta(days=1)
    days = (last - at(40).date()).days + 1
    call_command("refresh_dashboard_days", "--batch", "7")
    out, err = capsys.readouterr()
    assert f"dashboard days up to date: {days} summarised" in out
    assert f"7/{days} days" in err
    assert f"{days}/{days} days (100%)" in err
    assert DashboardDay.objects.count() == days


def test_the_command_refuses_a_batch_below_one():
    with pytest.raises(CommandError, match="--batch must be at least 1"):
        call_command("refresh_dashboard_days", "--batch", "0")

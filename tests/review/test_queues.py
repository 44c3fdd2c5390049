"""Queue reads: filters, visibility by role, the overview, pages and the claim-next filter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.choices import AuditAction, CaseStatus, Reason
from moderation.errors import InvalidInput, NotPermitted
from moderation.models import Case, Queue
from moderation.oversight.audit import audit_record
from moderation.permissions import platform_ids_of
from moderation.review.queue_filters import queue_claim_filter, queue_filter_q, queue_filters_clean
from moderation.review.queues import (
    COUNT_CAP,
    QueueListParams,
    capped_count,
    queue_cases,
    queue_for_user,
    queue_overview,
    queue_page,
    queues_for_user,
)
from tests.factories import CaseFactory, VideoFactory

pytestmark = pytest.mark.django_db


def case_on(platform, **kwargs):
    return CaseFactory(video=VideoFactory(platform=platform), platform=platform, **kwargs)


# --- Filters -----------------------------------------------------------------------------------


def test_filter_q_matches_each_key(tiktok, other_platform):
    hoax = case_on(tiktok, reasons=[Reason.HOAX], priority=70, language="id")
    sara = case_on(tiktok, reasons=[Reason.SARA], priority=20, language="jv")
    elsewhere = case_on(other_platform, reasons=[Reason.HOAX], priority=90)
    held = case_on(
        tiktok,
        status=CaseStatus.IN_REVIEW,
        awaiting_approval=True,
        reasons=[Reason.OTHER],
        priority=5,
    )
    closed = case_on(tiktok, status=CaseStatus.CLOSED)

    def ids(filters):
        return set(Case.objects.filter(queue_filter_q(filters)).values_list("pk", flat=True))

    assert ids({}) == {hoax.pk, sara.pk, elsewhere.pk, held.pk}  # open statuses only
    assert ids({"reasons": ["hoax", "defamation"]}) == {hoax.pk, elsewhere.pk}
    assert ids({"platforms": ["tiktok"]}) == {hoax.pk, sara.pk, held.pk}
    assert ids({"languages": ["jv"]}) == {sara.pk}
    assert ids({"min_priority": 60}) == {hoax.pk, elsewhere.pk}
    assert ids({"max_priority": 30}) == {sara.pk, held.pk}
    assert ids({"awaiting_approval": True}) == {held.pk}
    assert held.pk not in ids({"awaiting_approval": False})
    assert ids({"statuses": ["closed"]}) == {closed.pk}


def test_a_lapsed_claim_counts_as_new_in_a_queue_of_new_cases(moderator, supervisor, tiktok):
    """A claim whose lease ran out is new again (``case_status_now``) before the expiry job has
    run: a custom queue of new cases lists and counts it, one of cases in review does not."""
    now = timezone.now()
    fresh = case_on(tiktok)
    lapsed = case_on(
        tiktok,
        status=CaseStatus.IN_REVIEW,
        assignee=moderator,
        lease_expires_at=now - timedelta(minutes=1),
    )
    held = case_on(
        tiktok,
        status=CaseStatus.IN_REVIEW,
        assignee=moderator,
        lease_expires_at=now + timedelta(minutes=10),
    )

    def ids(filters):
        q = queue_filter_q(filters, now)
        return set(Case.objects.filter(q).values_list("pk", flat=True))

    assert ids({"statuses": ["new"]}) == {fresh.pk, lapsed.pk}
    assert ids({"statuses": ["in_review"]}) == {held.pk}
    assert ids({"statuses": ["new", "in_review"]}) == {fresh.pk, lapsed.pk, held.pk}
    assert ids({}) == {fresh.pk, lapsed.pk, held.pk}

    queue = Queue.objects.create(
        name="Baru saja", slug="baru-saja", position=90, filters={"statuses": ["new"]}
    )
    page = queue_page(user=supervisor, queue=queue, params=QueueListParams(per_page=25))
    assert {c.pk for c in page.rows} == {fresh.pk, lapsed.pk}
    summaries = {s.queue.slug: s for s in queue_overview(user=supervisor, now=now)}
    assert summaries["baru-saja"].open == 2


def test_filters_clean_normalises(tiktok):
    clean = queue_filters_clean(
        {"reasons": ["sara", "hoax", "hoax"], "languages": ["ID", " jv "], "min_priority": 10}
    )
    assert clean == {"reasons": ["hoax", "sara"], "languages": ["id", "jv"], "min_priority": 10}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"reasons": ["rumour"]}, "reasons"),
        ({"statuses": ["pending"]}, "statuses"),
        ({"platforms": ["myspace"]}, "platforms"),
        ({"languages": ["bahasa indonesia"]}, "languages"),
        ({"min_priority": -1}, "min_priority"),
        ({"min_priority": "high"}, "min_priority"),
        ({"min_priority": 80, "max_priority": 20}, "max_priority"),
        ({"awaiting_approval": "yes"}, "awaiting_approval"),
        ({"colour": "red"}, "filters"),
        ({"reasons": "hoax"}, "reasons"),
    ],
)
def test_filters_clean_rejects_bad_input(db, raw, field):
    with pytest.raises(InvalidInput) as err:
        queue_filters_clean(raw)
    assert field in err.value.extra["errors"]


# --- Visibility by role ------------------------------------------------------------------------


def test_moderator_sees_own_platform_only(moderator, tiktok, other_platform):
    mine = case_on(tiktok)
    case_on(other_platform)
    queue = Queue.objects.get(slug="informasi-palsu")
    assert list(queue_cases(user=moderator, queue=queue)) == [mine]


def test_kpu_sees_only_cases_awaiting_clarification(kpu_clarifier, tiktok):
    waiting = case_on(tiktok, status=CaseStatus.AWAITING_CLARIFICATION)
    case_on(tiktok)
    slugs = [q.slug for q in queues_for_user(kpu_clarifier)]
    assert slugs == ["menunggu-klarifikasi"]
    queue = Queue.objects.get(slug="menunggu-klarifikasi")
    assert list(queue_cases(user=kpu_clarifier, queue=queue)) == [waiting]
    with pytest.raises(NotPermitted):
        queue_for_user(user=kpu_clarifier, slug="informasi-palsu")


def test_kpu_supervisor_sees_every_queue_and_platform(kpu_supervisor, tiktok, other_platform):
    a, b = case_on(tiktok), case_on(other_platform)
    assert len(queues_for_user(kpu_supervisor)) == Queue.objects.count()
    queue = Queue.objects.get(slug="informasi-palsu")
    assert set(queue_cases(user=kpu_supervisor, queue=queue)) == {a, b}


def test_a_platform_supervisor_sees_their_platform_only(supervisor, tiktok, other_platform):
    a, _b = case_on(tiktok), case_on(other_platform)
    queue = Queue.objects.get(slug="informasi-palsu")
    assert set(queue_cases(user=supervisor, queue=queue)) == {a}


def test_moderator_does_not_see_the_approval_queue(moderator):
    assert "menunggu-persetujuan" not in [q.slug for q in queues_for_user(moderator)]
    with pytest.raises(NotPermitted):
        queue_for_user(user=moderator, slug="menunggu-persetujuan")


def test_outsider_sees_no_queue(outsider):
    with pytest.raises(NotPermitted):
        queues_for_user(outsider)


def test_moderator_does_not_see_a_queue_of_another_platform(moderator, other_platform, supervisor):
    Queue.objects.create(slug="metube-only", name="MeTube", filters={"platforms": ["metube"]})
    assert "metube-only" not in [q.slug for q in queues_for_user(moderator)]


# --- Pages and counts --------------------------------------------------------------------------


def test_queue_page_sorts_filters_and_paginates(moderator, tiktok):
    now = timezone.now()
    low = case_on(tiktok, priority=10, opened_at=now - timedelta(hours=5))
    high = case_on(tiktok, priority=90, opened_at=now - timedelta(hours=1))
    mid = case_on(tiktok, priority=50, opened_at=now - timedelta(hours=3), reasons=[Reason.SARA])
    queue = Queue.objects.get(slug="prioritas-tinggi")
    queue.filters = {"statuses": ["new"]}
    page = queue_page(user=moderator, queue=queue, params=QueueListParams(per_page=25))
    assert page.rows == [high, mid, low]
    assert (page.total, page.total_capped, page.has_next) == (3, False, False)

    oldest = queue_page(user=moderator, queue=queue, params=QueueListParams(sort="oldest"))
    assert oldest.rows == [low, mid, high]

    sara = queue_page(user=moderator, queue=queue, params=QueueListParams(reason="sara"))
    assert sara.rows == [mid]

    by_id = queue_page(user=moderator, queue=queue, params=QueueListParams(search=str(low.pk)))
    assert by_id.rows == [low]
    by_video = queue_page(
        user=moderator,
        queue=queue,
        params=QueueListParams(search=high.video.platform_video_id),
    )
    assert by_video.rows == [high]

    first = queue_page(user=moderator, queue=queue, params=QueueListParams(per_page=2))
    second = queue_page(user=moderator, queue=queue, params=QueueListParams(per_page=2, page=2))
    assert first.has_next
    assert not second.has_next
    assert first.rows + second.rows == [high, mid, low]
    assert (second.first_index, second.last_index) == (3, 3)


def test_params_from_query_fall_back_to_defaults():
    params = QueueListParams.from_query(
        {"sort": "drop table", "per_page": "1000", "page": "-4", "reason": "x", "assignee": "you"}
    )
    assert params == QueueListParams()


def test_capped_count_stops_at_the_cap(tiktok):
    for _ in range(4):
        case_on(tiktok)
    assert capped_count(Case.objects.all(), cap=3) == (3, True)
    assert capped_count(Case.objects.all(), cap=4) == (4, False)
    assert COUNT_CAP >= 1000


def test_queue_page_query_count_does_not_grow_with_page_size(
    moderator, tiktok, django_assert_max_num_queries
):
    for _ in range(30):
        case_on(tiktok)
    queue = Queue.objects.get(slug="informasi-palsu")
    moderator.role_names(), platform_ids_of(moderator)  # once per request, cached on the user
    with django_assert_max_num_queries(2):
        small = queue_page(user=moderator, queue=queue, params=QueueListParams(per_page=25))
        [c.video.url for c in small.rows]
    with django_assert_max_num_queries(2):
        big = queue_page(user=moderator, queue=queue, params=QueueListParams(per_page=100))
        [(c.video.url, c.platform.name, c.assignee) for c in big.rows]
    assert len(big.rows) == 30


def test_overview_counts_open_oldest_and_sla(supervisor, tiktok, django_assert_max_num_queries):
    now = timezone.now()
    old = case_on(tiktok, opened_at=now - timedelta(hours=6), due_at=now - timedelta(minutes=5))
    case_on(tiktok, opened_at=now - timedelta(hours=1), due_at=now + timedelta(minutes=20))
    case_on(tiktok, opened_at=now, due_at=now + timedelta(hours=5), reasons=[Reason.SARA])
    case_on(tiktok, status=CaseStatus.DECIDED, due_at=now - timedelta(hours=1))
    queues_for_user(supervisor)
    # The queues, the tuning values (cached in Redis after this), the supervisor's own platforms
    # (the isolation rule; cached on the user), one aggregate for all queues.
    with django_assert_max_num_queries(4):
        summaries = {s.queue.slug: s for s in queue_overview(user=supervisor, now=now)}
    false_info = summaries["informasi-palsu"]
    assert (false_info.open, false_info.past_sla, false_info.near_sla) == (2, 1, 1)
    assert false_info.oldest_opened_at == old.opened_at
    assert false_info.claimable
    assert summaries["kebencian-permusuhan"].open == 1
    assert summaries["banding"].open == 0
    assert not summaries["menunggu-persetujuan"].claimable


def test_overview_is_scoped_to_the_moderators_platform(moderator, tiktok, other_platform):
    case_on(tiktok)
    case_on(other_platform)
    summaries = {s.queue.slug: s for s in queue_overview(user=moderator)}
    assert summaries["informasi-palsu"].open == 1


# --- Claim-next filter -------------------------------------------------------------------------


def test_claim_filter_leaves_out_cases_the_user_skipped(moderator, second_moderator, tiktok):
    skipped = case_on(tiktok, priority=90)
    other = case_on(tiktok, priority=10)
    audit_record(action=AuditAction.CASE_SKIP, obj=skipped, case=skipped, actor=moderator)
    queue = Queue.objects.get(slug="informasi-palsu")
    mine = Case.objects.filter(queue_claim_filter(user=moderator, queue=queue))
    assert list(mine) == [other]
    theirs = Case.objects.filter(queue_claim_filter(user=second_moderator, queue=queue))
    assert set(theirs) == {skipped, other}


def test_claim_filter_refuses_a_queue_without_claimable_cases(moderator):
    queue = Queue.objects.get(slug="menunggu-klarifikasi")
    with pytest.raises(InvalidInput):
        queue_claim_filter(user=moderator, queue=queue)


def test_overview_numbers_are_cached_per_scope(
    supervisor, moderator, tiktok, settings, django_assert_max_num_queries
):
    settings.SARING = {**settings.SARING, "QUEUE_OVERVIEW_CACHE_SECONDS": 30}
    # A queue of its own makes this test's cache key new on every run.
    Queue.objects.create(slug=f"cached-{Queue.objects.count()}", name="Cached", filters={})
    case_on(tiktok)
    first = {s.queue.slug: s.open for s in queue_overview(user=supervisor)}
    case_on(tiktok)
    with django_assert_max_num_queries(1):  # the queues; the numbers come from the cache
        again = {s.queue.slug: s.open for s in queue_overview(user=supervisor)}
    assert again == first
    # Another scope (a moderator) does not get the supervisor's numbers.
    mine = {s.queue.slug: s.open for s in queue_overview(user=moderator)}
    assert mine["informasi-palsu"] == first["informasi-palsu"] + 1

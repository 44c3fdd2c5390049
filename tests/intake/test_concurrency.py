"""Idempotency under real concurrency: threads, each with its own database connection, released
at once by a barrier against the real PostgreSQL. Constraints and locks, not luck.

Requests store raw events; processing runs right after (the raw_events_process task). Both
race here: many requests at once, then several processors at once, and both together."""

import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from moderation.choices import OPEN_CASE_STATUSES, AuditAction, CaseStatus, RawEventStatus
from moderation.intake.processing import raw_events_process
from moderation.models import AuditEvent, Case, Flag, RawEvent, Video
from tests.factories import DecisionFactory
from tests.intake.helpers import encode, fixture, flag_event, signed_headers, url

N = 20

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(n: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def post(raw: bytes, headers: dict[str, str]) -> int:
    response = Client().post(url(), data=raw, content_type="application/json", headers=headers)
    assert response.status_code < 500, response.content
    return response.status_code


def process_at_once(n: int = 4) -> int:
    """n workers run the processing task at the same time; how many events they handled."""
    handled = sum(run_at_once(n, lambda i: raw_events_process(batch=5)))
    assert not RawEvent.objects.filter(status=RawEventStatus.RECEIVED).exists()
    return handled


def test_twenty_copies_of_one_delivery_make_one_raw_event_one_flag_one_case(secret):
    raw = encode(fixture("flag.created"))
    headers = signed_headers(secret, raw, webhook_id="msg_same")

    statuses = Counter(run_at_once(N, lambda i: post(raw, headers)))

    assert statuses == {202: 1, 200: N - 1}
    assert RawEvent.objects.count() == 1
    assert process_at_once() == 1
    assert Flag.objects.count() == 1
    case = Case.objects.get()
    assert case.flag_count == 1
    assert AuditEvent.objects.filter(action=AuditAction.CASE_OPEN).count() == 1


def test_one_flag_id_under_twenty_webhook_ids_is_one_flag(secret):
    raw = encode(flag_event(flag_id="flg_retried"))
    headers = [signed_headers(secret, raw, webhook_id=f"msg_{i}") for i in range(N)]

    statuses = Counter(run_at_once(N, lambda i: post(raw, headers[i])))

    assert statuses == {202: 1, 200: N - 1}
    assert RawEvent.objects.count() == 1
    process_at_once()
    assert Flag.objects.count() == 1
    assert Case.objects.get().flag_count == 1


def test_twenty_different_flags_on_one_new_video_make_one_case_with_twenty_flags(secret):
    bodies = [encode(flag_event(video_id="7300000000000000001")) for _ in range(N)]
    headers = [signed_headers(secret, body) for body in bodies]

    statuses = Counter(run_at_once(N, lambda i: post(bodies[i], headers[i])))

    assert statuses == {202: N}
    assert process_at_once() == N
    assert Video.objects.count() == 1
    case = Case.objects.get()
    assert case.status == CaseStatus.NEW
    assert case.flag_count == N
    assert Flag.objects.filter(case=case).count() == N
    assert AuditEvent.objects.filter(action=AuditAction.CASE_OPEN).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CASE_FLAG_JOIN).count() == N - 1


def test_many_videos_many_flags_and_retries_at_once(secret):
    """4 videos x 5 flags, each delivered twice (a retry racing its original): 40 requests."""
    events = [
        flag_event(video_id=f"73000000000000001{v}", reason=("hoax", "sara")[f % 2])
        for v in range(4)
        for f in range(5)
    ]
    receipts = []
    for event in events:
        raw = encode(event)
        headers = signed_headers(secret, raw)
        receipts += [(raw, headers), (raw, headers)]

    statuses = Counter(run_at_once(len(receipts), lambda i: post(*receipts[i])))

    assert statuses == {202: 20, 200: 20}
    assert process_at_once() == 20
    assert Flag.objects.count() == 20
    assert RawEvent.objects.count() == 20
    for video in Video.objects.all():
        open_cases = Case.objects.filter(video=video, status__in=OPEN_CASE_STATUSES)
        assert open_cases.count() == 1
        assert open_cases.get().flag_count == 5


def test_flags_racing_a_removal_leave_no_flag_behind(secret):
    """Flags and a video.removed at once, in whatever order the locks give them: no deadlock,
    every flag lands on a case, and the video never has two open cases."""
    video_id = "7300000000000000009"
    bodies = [encode(flag_event(video_id=video_id, source="user_report")) for _ in range(N - 1)]
    removed = fixture("video.removed")
    removed["data"]["video_id"] = video_id
    bodies.append(encode(removed))
    headers = [signed_headers(secret, body) for body in bodies]

    statuses = Counter(run_at_once(N, lambda i: post(bodies[i], headers[i])))

    assert statuses == {202: N}
    process_at_once()
    assert Flag.objects.count() == N - 1
    assert RawEvent.objects.count() == N
    assert Flag.objects.filter(case__isnull=True).count() == 0
    assert Case.objects.filter(status__in=OPEN_CASE_STATUSES).count() <= 1


def test_twenty_copies_of_one_appeal_open_it_once(secret, tiktok):
    decision = DecisionFactory(case__video__platform=tiktok)
    event = fixture("appeal.created")
    event["data"]["decision_id"] = decision.pk
    raw = json.dumps(event).encode()
    headers = [signed_headers(secret, raw) for _ in range(N)]

    statuses = Counter(run_at_once(N, lambda i: post(raw, headers[i])))

    assert statuses == {202: 1, 200: N - 1}
    assert Case.objects.get().status == CaseStatus.APPEALED
    assert AuditEvent.objects.filter(action=AuditAction.APPEAL_OPEN).count() == 1


def test_requests_and_processors_at_the_same_time(secret):
    """30 flags on 3 new videos arrive while 3 processors run: whatever interleaving the
    scheduler picks, each video ends with one case holding its 10 flags."""
    bodies = [encode(flag_event(video_id=f"73000000000000002{i % 3}")) for i in range(30)]
    headers = [signed_headers(secret, body) for body in bodies]

    def work(i: int) -> object:
        if i < 30:
            return post(bodies[i], headers[i])
        handled = 0
        for _ in range(20):
            handled += raw_events_process(batch=3)
        return handled

    results = run_at_once(33, work)

    assert Counter(results[:30]) == {202: 30}
    raw_events_process()  # whatever arrived after the processors' last look
    assert Flag.objects.count() == 30
    for video in Video.objects.all():
        case = Case.objects.get(video=video)
        assert case.flag_count == 10
        assert Flag.objects.filter(case=case).count() == 10


def test_a_run_that_gathers_takes_what_arrives_meanwhile_into_one_batch(secret):
    """A processing run that finds less than a full batch waits (gather_seconds), then takes
    the events that arrived meanwhile together: one batch, one processing time for all."""
    first = encode(flag_event(video_id="7501"))
    assert post(first, signed_headers(secret, first)) == 202

    def process(i: int) -> int:
        if i == 0:
            return raw_events_process(gather_seconds=1.0)
        for n in range(3):  # while the processor waits
            raw = encode(flag_event(video_id=f"750{n + 2}"))
            assert post(raw, signed_headers(secret, raw)) == 202
        return 0

    assert sum(run_at_once(2, process)) == 4
    processed_at = set(RawEvent.objects.values_list("processed_at", flat=True))
    assert len(processed_at) == 1, "all four in one batch"
    assert Case.objects.count() == 4

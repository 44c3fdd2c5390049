"""POST /api/v1/webhooks/<slug>/ as a platform sees it: one test per row of the contract's
response table (§2), then the edge cases around each row."""

import json
import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.choices import AuditAction, CaseStatus, CloseReason, RawEventStatus
from moderation.intake.receive import webhook_platforms_forget
from moderation.intake.secrets import secret_generate
from moderation.models import AuditEvent, Case, Flag, Platform, PlatformSecret, RawEvent, Video
from tests.factories import DecisionFactory, PlatformFactory
from tests.intake.helpers import (
    deliver,
    encode,
    fixture,
    flag_event,
    process,
    sign,
    signed_headers,
    url,
)

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
CAP = 256 * 1024


@pytest.fixture
def security_log(caplog):
    """saring.security does not propagate to the root logger; listen to it directly."""
    logger = logging.getLogger("saring.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="saring.security")
    yield caplog
    logger.removeHandler(caplog.handler)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    assert all(isinstance(body[k], str) for k in ("type", "title", "detail"))
    return body


def nothing_stored() -> bool:
    return not (RawEvent.objects.exists() or Flag.objects.exists() or Case.objects.exists())


# --- 202 accepted ------------------------------------------------------------------------------


def test_accepted_and_stored(client, secret):
    response = deliver(client, secret, fixture("flag.created"), webhook_id="msg_2Zx001")

    assert response.status_code == 202
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "accepted", "webhook_id": "msg_2Zx001"}
    raw = RawEvent.objects.get()
    assert raw.webhook_id == "msg_2Zx001"
    assert raw.event_type == "flag.created"
    assert raw.natural_key == "flag:flg_01HPKQ3V8Z6T2M4N5B7C9D0E1F"
    assert json.loads(raw.body) == fixture("flag.created")
    # Stored (durable) before the answer; processed right after, by the task.
    assert raw.status == RawEventStatus.RECEIVED
    assert not Flag.objects.exists()

    assert process() == 1

    raw.refresh_from_db()
    assert raw.status == RawEventStatus.PROCESSED
    flag = Flag.objects.get()
    assert flag.platform_flag_id == "flg_01HPKQ3V8Z6T2M4N5B7C9D0E1F"
    assert flag.raw_event == raw
    case = Case.objects.get()
    assert case.status == CaseStatus.NEW
    assert case.flag_count == 1


@pytest.mark.parametrize(
    "name",
    [
        "flag.created",
        "flag.created.automated",
        "video.updated",
        "video.updated.full",
        "video.removed",
        "video.removed.platform",
    ],
)
def test_every_fixture_event_is_accepted(client, secret, name):
    response = deliver(client, secret, fixture(name))
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "accepted"
    assert RawEvent.objects.get().event_type == fixture(name)["type"]


def test_appeal_created_is_accepted_and_the_case_is_appealed(client, secret, tiktok):
    decision = DecisionFactory(case__video__platform=tiktok)
    event = fixture("appeal.created")
    event["data"]["decision_id"] = decision.pk
    response = deliver(client, secret, event)
    assert response.status_code == 202
    assert Case.objects.get().status == CaseStatus.APPEALED
    assert AuditEvent.objects.filter(action=AuditAction.APPEAL_OPEN).count() == 1


def test_video_removed_closes_the_open_case(client, secret):
    deliver(client, secret, fixture("flag.created"))
    response = deliver(client, secret, fixture("video.removed"))
    assert response.status_code == 202
    assert process() == 2
    case = Case.objects.get()
    assert case.status == CaseStatus.CLOSED
    assert case.close_reason == CloseReason.VIDEO_REMOVED_BY_AUTHOR
    assert AuditEvent.objects.filter(action=AuditAction.VIDEO_REMOVE).count() == 1


def test_video_updated_for_an_unknown_video_is_stored_without_a_case(client, secret):
    response = deliver(client, secret, fixture("video.updated"))
    assert response.status_code == 202
    process()
    assert Video.objects.get().view_count == 2_531_877
    assert not Case.objects.exists()


def test_path_without_trailing_slash_works_too(client, secret):
    raw = encode(fixture("flag.created"))
    response = client.post(
        "/api/v1/webhooks/tiktok",
        data=raw,
        content_type="application/json",
        headers=signed_headers(secret, raw),
    )
    assert response.status_code == 202


def test_exactly_the_size_cap_is_accepted(client, secret):
    event = fixture("flag.created")
    raw = encode(event)
    raw = raw[:-1] + b" " * (CAP - len(raw)) + b"}"
    assert len(raw) == CAP
    assert deliver(client, secret, raw).status_code == 202


# --- 200 duplicate -----------------------------------------------------------------------------


def test_same_webhook_id_is_a_duplicate_and_changes_nothing(client, secret):
    event = fixture("flag.created")
    assert deliver(client, secret, event, webhook_id="msg_dup").status_code == 202
    process()
    audit_before = AuditEvent.objects.count()

    response = deliver(client, secret, event, webhook_id="msg_dup")

    assert response.status_code == 200
    assert response.json() == {"status": "duplicate", "webhook_id": "msg_dup"}
    assert process() == 0
    assert RawEvent.objects.count() == 1
    assert Flag.objects.count() == 1
    assert Case.objects.get().flag_count == 1
    assert AuditEvent.objects.count() == audit_before


def test_same_flag_id_under_a_new_webhook_id_is_a_duplicate(client, secret):
    event = fixture("flag.created")
    assert deliver(client, secret, event, webhook_id="msg_a").status_code == 202
    response = deliver(client, secret, event, webhook_id="msg_b")
    assert response.status_code == 200
    assert response.json() == {"status": "duplicate", "webhook_id": "msg_b"}
    assert process() == 1
    assert Flag.objects.count() == 1
    assert Case.objects.get().flag_count == 1
    assert RawEvent.objects.count() == 1


def test_a_reused_webhook_id_with_another_event_is_a_duplicate(client, secret):
    assert deliver(client, secret, fixture("video.updated"), webhook_id="msg_x").status_code == 202
    response = deliver(client, secret, fixture("flag.created"), webhook_id="msg_x")
    assert response.status_code == 200
    process()
    assert not Flag.objects.exists()


def test_the_same_appeal_twice_is_a_duplicate(client, secret, tiktok):
    decision = DecisionFactory(case__video__platform=tiktok)
    event = fixture("appeal.created")
    event["data"]["decision_id"] = decision.pk
    assert deliver(client, secret, event).status_code == 202
    response = deliver(client, secret, event)
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"


def test_webhook_ids_are_per_platform(client, secret, tiktok):
    metube_secret = secret_generate()
    PlatformFactory(slug="metube", name="MeTube", inbound_secret=metube_secret)
    assert deliver(client, secret, fixture("video.updated"), webhook_id="msg_1").status_code == 202
    response = deliver(
        client, metube_secret, fixture("video.updated"), slug="metube", webhook_id="msg_1"
    )
    assert response.status_code == 202


# --- 202 ignored -------------------------------------------------------------------------------


def test_unknown_type_is_stored_and_ignored(client, secret):
    event = fixture("unknown.type")
    response = deliver(client, secret, event, webhook_id="msg_unknown")
    assert response.status_code == 202
    assert response.json() == {
        "status": "ignored",
        "webhook_id": "msg_unknown",
        "type": "comment.created",
    }
    raw = RawEvent.objects.get()
    assert raw.status == RawEventStatus.IGNORED
    assert raw.event_type == "comment.created"
    assert json.loads(raw.body) == event
    assert not Video.objects.exists()

    again = deliver(client, secret, event, webhook_id="msg_unknown")
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"


def test_unknown_type_still_needs_a_valid_envelope(client, secret):
    event = fixture("unknown.type")
    event["data"] = "not an object"
    body = assert_problem(deliver(client, secret, event), 400)
    assert body["errors"] == [{"field": "data", "message": "must be an object"}]


# --- 404 unknown platform ----------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["nope", "TikTok!", "a" * 60, "%00"])
def test_unknown_platform_is_404(client, secret, slug, security_log):
    response = deliver(client, secret, fixture("flag.created"), slug=slug)
    assert_problem(response, 404)
    assert nothing_stored()
    assert "unknown platform" in security_log.text


def test_disabled_platform_is_404(client, secret, tiktok):
    Platform.objects.filter(pk=tiktok.pk).update(enabled=False)
    assert_problem(deliver(client, secret, fixture("flag.created")), 404)


# --- 401 signature -----------------------------------------------------------------------------


def _post(client, raw: bytes, headers: dict[str, str], slug: str = "tiktok"):
    return client.post(url(slug), data=raw, content_type="application/json", headers=headers)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_401(client, secret, missing, security_log):
    raw = encode(fixture("flag.created"))
    headers = signed_headers(secret, raw)
    del headers[missing]
    assert_problem(_post(client, raw, headers), 401)
    assert nothing_stored()
    assert f"missing {missing}" in security_log.text


def test_wrong_secret_is_401_and_only_a_security_log_line(client, secret, security_log):
    raw = encode(fixture("flag.created"))
    response = _post(client, raw, signed_headers(secret_generate(), raw, webhook_id="msg_bad"))
    body = assert_problem(response, 401)
    assert "errors" not in body
    assert nothing_stored()
    assert not AuditEvent.objects.exists()
    [record] = [r for r in security_log.records if r.name == "saring.security"]
    line = record.getMessage()
    assert "platform=tiktok" in line
    assert "reason=no valid signature" in line
    assert "ip=203.0.113.7" in line
    assert "webhook_id=msg_bad" in line
    assert "relawan" not in line  # never the body


def test_tampered_body_is_401(client, secret):
    raw = encode(fixture("flag.created"))
    headers = signed_headers(secret, raw)
    tampered = raw.replace(b"trusted_flagger", b"user_report")
    assert tampered != raw
    assert_problem(_post(client, tampered, headers), 401)
    tampered = raw.replace(b"184230", b"184231")
    assert_problem(_post(client, tampered, headers), 401)


def test_signature_of_another_webhook_id_is_401(client, secret):
    raw = encode(fixture("flag.created"))
    headers = signed_headers(secret, raw, webhook_id="msg_1")
    headers["webhook-id"] = "msg_2"
    assert_problem(_post(client, raw, headers), 401)


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-301, 401), (-360, 401), (301, 401), (3600, 401), (-290, 202), (290, 202), (0, 202)],
)
def test_timestamp_tolerance_is_five_minutes_both_ways(client, secret, offset, status):
    response = deliver(client, secret, flag_event(), timestamp=int(time.time()) + offset)
    assert response.status_code == status


@pytest.mark.parametrize(
    "timestamp", ["", "abc", "1.7e9", "-1700000000", "1700000000.5", " 1700000000", "0x65"]
)
def test_malformed_timestamp_is_401(client, secret, timestamp):
    raw = encode(fixture("flag.created"))
    headers = signed_headers(secret, raw)
    headers["webhook-timestamp"] = timestamp
    assert_problem(_post(client, raw, headers), 401)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "v1",
        "v1,",
        "v1,!!!",
        "v1,abc",
        "v2,{valid_b64}",
        "{valid}x",
        "v1,a,b",
        "v1 ,x",
        "garbage" * 100,
        "v1," + "A" * 5000,
    ],
)
def test_malformed_signature_header_is_401_never_500(client, secret, signature):
    raw = encode(fixture("flag.created"))
    headers = signed_headers(secret, raw)
    valid = headers["webhook-signature"]
    headers["webhook-signature"] = signature.format(
        valid=valid, valid_b64=valid.removeprefix("v1,")
    )
    assert_problem(_post(client, raw, headers), 401)


@pytest.mark.parametrize(
    "template",
    [
        "v1,{wrong} {valid}",
        "{valid} v1,{wrong}",
        "v1a,xyz {valid}",
        "v1,not-base64!! {valid}",
        "v1,abc {valid}",
        "v2,{wrong} {valid}",
        "v1,a,b {valid}",
    ],
)
def test_any_one_valid_signature_among_several_is_enough(client, secret, template):
    raw = encode(flag_event())
    headers = signed_headers(secret, raw)
    wrong = sign(secret_generate(), headers["webhook-id"], int(time.time()), raw)
    headers["webhook-signature"] = template.format(
        valid=headers["webhook-signature"], wrong=wrong.removeprefix("v1,")
    )
    assert _post(client, raw, headers).status_code == 202


def test_rotation_keeps_the_old_secret_valid_during_the_grace_period(client, secret, tiktok):
    from moderation.administration.platforms import platform_secret_rotate

    rotated = platform_secret_rotate(slug="tiktok", grace_hours=24)
    assert deliver(client, secret, flag_event()).status_code == 202
    assert deliver(client, rotated.secret, flag_event()).status_code == 202

    PlatformSecret.objects.filter(secret=secret).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    webhook_platforms_forget()  # an edit behind the services' back: seen after the cache TTL
    assert_problem(deliver(client, secret, flag_event()), 401)
    assert deliver(client, rotated.secret, flag_event()).status_code == 202


def test_a_grace_period_ends_on_time_even_with_the_platform_cached(client, secret, tiktok):
    from moderation.administration.platforms import platform_secret_rotate

    rotated = platform_secret_rotate(slug="tiktok", grace_hours=1 / 3600)  # one second
    assert deliver(client, secret, flag_event()).status_code == 202  # cached with its expiry
    time.sleep(1.2)
    assert_problem(deliver(client, secret, flag_event()), 401)
    assert deliver(client, rotated.secret, flag_event()).status_code == 202


def test_a_platform_without_a_valid_secret_accepts_nothing(client, secret, tiktok):
    PlatformSecret.objects.filter(platform=tiktok).update(expires_at=timezone.now())
    assert_problem(deliver(client, secret, flag_event()), 401)


# --- 400 invalid -------------------------------------------------------------------------------


def errors_of(response) -> list[dict[str, str]]:
    body = assert_problem(response, 400)
    assert isinstance(body["errors"], list)
    assert body["errors"]
    for item in body["errors"]:
        assert set(item) == {"field", "message"}
        assert isinstance(item["field"], str)
        assert isinstance(item["message"], str)
    return body["errors"]


def fields_of(response) -> list[str]:
    return [e["field"] for e in errors_of(response)]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"{",
        b'{"type": "flag.created",}',
        b"\xff\xfe\x00{",
        '{"type": "caf\u00e9"}'.encode("latin-1"),
        b'\xef\xbb\xbf{"type": "flag.created"}',
        b"NaN",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": 1, "a": 2}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' + b"9" * 5000 + b"}",
    ],
    ids=[
        "empty",
        "text",
        "truncated",
        "trailing-comma",
        "binary",
        "latin-1",
        "bom",
        "nan",
        "nan-member",
        "infinity",
        "duplicate-key",
        "very-deep",
        "5000-digit-integer",
    ],
)
def test_body_not_json_is_400(client, secret, raw):
    assert fields_of(deliver(client, secret, raw)) == [""]
    assert nothing_stored()


@pytest.mark.parametrize("document", [[], [1, 2], "flag.created", 42, None, True])
def test_body_that_is_not_an_object_is_400(client, secret, document):
    errors = errors_of(deliver(client, secret, json.dumps(document)))
    assert errors[0]["field"] == ""


def test_envelope_problems_are_listed_per_field(client, secret):
    fields = fields_of(deliver(client, secret, {}))
    assert fields == ["type", "timestamp", "data"]
    fields = fields_of(deliver(client, secret, {"type": 5, "timestamp": "yesterday", "data": []}))
    assert fields == ["type", "timestamp", "data"]


def test_missing_video_id_is_reported_at_its_path(client, secret):
    event = flag_event()
    del event["data"]["video"]["id"]
    errors = errors_of(deliver(client, secret, event))
    assert errors == [{"field": "data.video.id", "message": "this field is required"}]
    assert nothing_stored()


def test_every_problem_is_reported_at_once(client, secret):
    event = flag_event()
    event["data"].update(reason="spam", source="bot", confidence=1.5, flagged_at="12/01/2024")
    event["data"]["video"].update(view_count=-1, url="ftp://x", region="IDN")
    del event["data"]["flag_id"]
    del event["data"]["video"]["author"]["handle"]
    assert sorted(fields_of(deliver(client, secret, event))) == sorted(
        [
            "data.flag_id",
            "data.flagged_at",
            "data.reason",
            "data.source",
            "data.confidence",
            "data.video.url",
            "data.video.author.handle",
            "data.video.region",
            "data.video.view_count",
        ]
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"flag_id": ""}, "data.flag_id"),
        ({"flag_id": 123}, "data.flag_id"),
        ({"flag_id": "f" * 257}, "data.flag_id"),
        ({"flagged_at": "2024-01-12T08:29:58"}, "data.flagged_at"),
        ({"flagged_at": "2024-01-12 08:29:58Z"}, "data.flagged_at"),
        ({"flagged_at": "2024-02-30T08:29:58Z"}, "data.flagged_at"),
        ({"flagged_at": "2024-01-12T25:00:00Z"}, "data.flagged_at"),
        ({"flagged_at": 1705048198}, "data.flagged_at"),
        ({"flagged_at": None}, "data.flagged_at"),
        ({"reason": "HOAX"}, "data.reason"),
        ({"source": "trusted"}, "data.source"),
        ({"confidence": -0.1}, "data.confidence"),
        ({"confidence": "0.5"}, "data.confidence"),
        ({"confidence": True}, "data.confidence"),
        ({"note": "x" * 2001}, "data.note"),
        ({"note": 7}, "data.note"),
        ({"video": "7312"}, "data.video"),
        ({"video": {"id": 7312345678901234567}}, "data.video.id"),
        ({"video": {"id": "7" * 129}}, "data.video.id"),
        ({"video": {"url": "not a url"}}, "data.video.url"),
        ({"video": {"url": "javascript:alert(1)"}}, "data.video.url"),
        ({"video": {"author": "@user"}}, "data.video.author"),
        ({"video": {"author": {"handle": "@user"}}}, "data.video.author.id"),
        ({"video": {"caption": "x" * 4001}}, "data.video.caption"),
        ({"video": {"language": "Bahasa Indonesia"}}, "data.video.language"),
        ({"video": {"region": "Indonesia"}}, "data.video.region"),
        ({"video": {"published_at": "kemarin"}}, "data.video.published_at"),
        ({"video": {"view_count": 1.5}}, "data.video.view_count"),
        ({"video": {"view_count": "100"}}, "data.video.view_count"),
        ({"video": {"view_count": 2**63}}, "data.video.view_count"),
        ({"video": {"view_count": 10**100}}, "data.video.view_count"),
        ({"video": {"thumbnail_url": "//cdn/x.jpg"}}, "data.video.thumbnail_url"),
    ],
)
def test_invalid_flag_field_is_400_at_its_path(client, secret, change, field):
    event = flag_event()
    video = change.pop("video", None)
    event["data"].update(change)
    if isinstance(video, dict):
        event["data"]["video"].update(video)
    elif video is not None:
        event["data"]["video"] = video
    assert field in fields_of(deliver(client, secret, event))
    assert nothing_stored()


def test_infinite_number_is_400_at_its_path(client, secret):
    raw = json.dumps(flag_event()).encode()
    raw = raw.replace(b'"reason"', b'"confidence": 1e400, "reason"', 1)
    assert fields_of(deliver(client, secret, raw)) == ["data.confidence"]


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("bad\u0000note", "data.note"),
        ("\ud800", "data.note"),
    ],
)
def test_nul_and_lone_surrogates_are_400(client, secret, value, path):
    event = flag_event()
    event["data"]["note"] = value
    assert path in fields_of(deliver(client, secret, json.dumps(event)))


def test_nul_in_an_unknown_field_or_key_is_400_too(client, secret):
    event = flag_event()
    event["data"]["extra"] = {"x\u0000": "y"}
    assert fields_of(deliver(client, secret, event))
    event = flag_event()
    event["extra"] = ["ok", "n\u0000ul"]
    assert fields_of(deliver(client, secret, event)) == ["extra[1]"]


def test_nesting_deeper_than_16_is_400(client, secret):
    event = flag_event()
    deep: dict = {}
    node = deep
    for _ in range(20):
        node["x"] = {}
        node = node["x"]
    event["data"]["extra"] = deep
    assert "nesting" in errors_of(deliver(client, secret, event))[0]["message"]


def test_unknown_fields_are_ignored(client, secret):
    event = flag_event()
    event["data"]["video"]["duet_of"] = {"id": "1", "nested": [1, 2, {"a": None}]}
    event["data"]["new_field"] = True
    event["meta"] = {"region_code": "ID"}
    assert deliver(client, secret, event).status_code == 202


def test_optional_fields_may_be_null_or_absent(client, secret):
    event = flag_event(confidence=None, note=None)
    for key in ("caption", "language", "region", "published_at", "view_count", "thumbnail_url"):
        event["data"]["video"][key] = None
    assert deliver(client, secret, event).status_code == 202
    minimal = flag_event()
    minimal["data"]["video"] = {
        "id": "7312345678901234567",
        "url": "https://www.tiktok.com/@user/video/7312345678901234567",
        "author": {"id": "6800000000000000000", "handle": "@user"},
    }
    del minimal["data"]["note"]
    assert deliver(client, secret, minimal).status_code == 202


@pytest.mark.parametrize(
    "stamp",
    [
        "2024-01-12T08:29:58Z",
        "2024-01-12t08:29:58z",
        "2024-01-12T15:29:58+07:00",
        "2024-01-12T08:29:58.123456789Z",
        "2016-12-31T23:59:60Z",
    ],
)
def test_rfc3339_variants_are_accepted(client, secret, stamp):
    assert deliver(client, secret, flag_event(flagged_at=stamp)).status_code == 202


def test_offsets_are_stored_in_utc(client, secret):
    deliver(client, secret, flag_event(flagged_at="2024-01-12T15:29:58+07:00"))
    process()
    assert Flag.objects.get().flagged_at.isoformat() == "2024-01-12T08:29:58+00:00"


@pytest.mark.parametrize(
    ("event_name", "change", "field"),
    [
        ("video.updated", {"video": {}}, "data.video.id"),
        ("video.updated", {"video": {"id": "1", "view_count": -5}}, "data.video.view_count"),
        ("video.removed", {"by": "moderator"}, "data.by"),
        ("video.removed", {"video_id": None}, "data.video_id"),
        ("video.removed", {"removed_at": "soon"}, "data.removed_at"),
        ("appeal.created", {"decision_id": "1842"}, "data.decision_id"),
        ("appeal.created", {"decision_id": 0}, "data.decision_id"),
        ("appeal.created", {"appeal_id": ""}, "data.appeal_id"),
        ("appeal.created", {"created_at": None}, "data.created_at"),
        ("appeal.created", {"statement": ["a"]}, "data.statement"),
    ],
)
def test_invalid_data_of_other_events_is_400(client, secret, event_name, change, field):
    event = fixture(event_name)
    event["data"].update(change)
    assert field in fields_of(deliver(client, secret, event))
    assert nothing_stored()


def test_appeal_on_an_unknown_decision_is_400_at_decision_id(client, secret, tiktok):
    event = fixture("appeal.created")
    event["data"]["decision_id"] = 987_654
    errors = errors_of(deliver(client, secret, event))
    assert [e["field"] for e in errors] == ["data.decision_id"]
    assert not RawEvent.objects.exists()


def test_appeal_on_another_platforms_decision_is_400(client, secret, other_platform):
    decision = DecisionFactory(case__video__platform=other_platform)
    event = fixture("appeal.created")
    event["data"]["decision_id"] = decision.pk
    assert fields_of(deliver(client, secret, event)) == ["data.decision_id"]


def test_appeal_on_a_case_that_is_not_decided_is_400(client, secret, tiktok):
    decision = DecisionFactory(case__video__platform=tiktok)
    Case.objects.filter(pk=decision.case_id).update(status=CaseStatus.CLOSED)
    event = fixture("appeal.created")
    event["data"]["decision_id"] = decision.pk
    errors = errors_of(deliver(client, secret, event))
    assert errors[0]["field"] == "data.decision_id"
    assert "cannot be appealed" in errors[0]["message"]
    assert not RawEvent.objects.exists()


@pytest.mark.parametrize("webhook_id", ["m" * 257, "msg with space", "msg_\u00e9"])
def test_unusable_webhook_id_is_400(client, secret, webhook_id):
    raw = encode(flag_event())
    headers = signed_headers(secret, raw, webhook_id=webhook_id)
    # What a WSGI server hands Django: the header's UTF-8 bytes decoded as latin-1.
    headers["webhook-id"] = webhook_id.encode().decode("latin-1")
    assert fields_of(_post(client, raw, headers)) == ["webhook-id"]


def test_non_utf8_body_with_a_valid_signature_is_400_not_401(client, secret):
    raw = b'{"type": "flag.created", "note": "\xff"}'
    assert fields_of(deliver(client, secret, raw)) == [""]


def test_invalid_payload_is_logged_without_its_body(client, secret, security_log):
    event = flag_event(note="SECRET-BODY-MARKER")
    del event["data"]["video"]["id"]
    deliver(client, secret, event, webhook_id="msg_inv")
    [record] = [r for r in security_log.records if r.name == "saring.security"]
    line = record.getMessage()
    assert "status=400" in line
    assert "data.video.id" in line
    assert "webhook_id=msg_inv" in line
    assert "SECRET-BODY-MARKER" not in security_log.text


# --- 413 too large -----------------------------------------------------------------------------


def test_body_over_256_kib_is_413(client, secret, security_log):
    event = flag_event(note="x")
    raw = encode(event)
    raw = raw[:-1] + b" " * (CAP + 1 - len(raw)) + b"}"
    assert len(raw) == CAP + 1
    assert_problem(deliver(client, secret, raw), 413)
    assert nothing_stored()
    assert "size cap" in security_log.text


def test_declared_content_length_over_the_cap_is_413_before_reading(client, secret):
    raw = encode(flag_event())
    headers = signed_headers(secret, raw)
    response = client.generic(
        "POST",
        url(),
        data=raw,
        content_type="application/json",
        headers=headers,
        CONTENT_LENGTH=str(CAP + 10),
    )
    assert_problem(response, 413)


def test_oversized_body_is_413_even_for_an_unknown_platform(client, secret):
    assert_problem(deliver(client, secret, b"x" * (CAP + 1), slug="nope"), 413)


# --- other methods -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post(client, method):
    response = getattr(client, method)(url())
    assert_problem(response, 405)
    assert response["Allow"] == "POST"


def test_platform_cache_sees_expiry_at_once_and_other_changes_within_its_ttl(
    client, secret, tiktok, monkeypatch
):
    from moderation.intake import receive as ingest

    assert deliver(client, secret, flag_event()).status_code == 202  # cached now
    Platform.objects.filter(pk=tiktok.pk).update(enabled=False)  # as another process would
    assert deliver(client, secret, flag_event()).status_code == 202  # within the TTL
    monkeypatch.setattr(ingest, "PLATFORM_CACHE_SECONDS", 0.0)
    ingest.webhook_platforms_forget()
    assert_problem(deliver(client, secret, flag_event()), 404)

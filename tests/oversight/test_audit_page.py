"""The audit log page: who may read it (and which events), the filters, keyset pages, an
event's diff, the streamed export and its progress, and every kind of bad input answered
with a message, never a 500."""

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.choices import AuditAction
from moderation.models import AuditEvent
from moderation.oversight.audit import audit_record
from moderation.oversight.audit_search import COUNT_CAP, AuditFilter, audit_events_filtered
from tests.clients import signed_in
from tests.factories import CaseFactory, DecisionFactory, PublishedClarificationFactory

pytestmark = pytest.mark.django_db

URL = "/audit/"


def event_on(day: str, *, actor, case=None, action=AuditAction.CASE_CLAIM) -> AuditEvent:
    when = timezone.make_aware(datetime.fromisoformat(f"{day}T10:00:00"))
    case = case or CaseFactory()
    return AuditEvent.objects.create(
        created_at=when,
        actor=actor,
        actor_kind="user",
        actor_organisation_id=actor.organisation_id,
        action=action,
        object_type="case",
        object_id=str(case.pk),
        case=case,
        before={"status": "new"},
        after={"status": "in_review"},
    )


@pytest.fixture
def tiktok_case(make_case):
    return make_case()


@pytest.fixture
def other_case(make_case, other_platform):
    return make_case(platform=other_platform)


@pytest.fixture
def history(moderator, tiktok_case, other_case, kpu_clarifier):
    """A claim on a TikTok case, one on another platform's case, a KPU clarification."""
    clarification = PublishedClarificationFactory(author=kpu_clarifier)
    return {
        "tiktok": audit_record(
            action=AuditAction.CASE_CLAIM,
            obj=tiktok_case,
            case=tiktok_case,
            actor=moderator,
            before={"status": "new"},
            after={"status": "in_review", "assignee": moderator.pk},
        ),
        "other": audit_record(
            action=AuditAction.CASE_CLAIM, obj=other_case, case=other_case, actor=None
        ),
        "clarification": audit_record(
            action=AuditAction.CLARIFICATION_PUBLISH,
            obj=clarification,
            actor=kpu_clarifier,
            before={"status": "submitted"},
            after={"status": "published", "title": "TPS tidak tutup pukul 10"},
        ),
    }


def shown_ids(response) -> set[int]:
    """The events listed on the page, leaving out the sign-ins the test clients made."""
    html = response.content.decode()
    events = AuditEvent.objects.exclude(action=AuditAction.USER_SIGN_IN)
    return {e.pk for e in events if f'data-event="{e.pk}"' in html}


# --- who ------------------------------------------------------------------------------------


def test_a_moderator_gets_403(moderator, history):
    client = signed_in(moderator)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("audit_event", args=[history["tiktok"].pk])).status_code == 403
    assert client.get(reverse("audit_export") + "?format=csv").status_code == 403


def test_someone_without_a_role_gets_403_and_strangers_sign_in(outsider, client):
    assert signed_in(outsider).get(URL).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_kpu_supervisor_sees_every_platform(kpu_supervisor, history):
    response = signed_in(kpu_supervisor).get(URL)
    assert response.status_code == 200
    assert shown_ids(response) == {e.pk for e in history.values()}


def test_a_platform_supervisor_sees_their_platform_and_their_staff_only(supervisor, history):
    client = signed_in(supervisor)
    response = client.get(URL)
    assert shown_ids(response) == {history["tiktok"].pk}
    assert client.get(reverse("audit_event", args=[history["tiktok"].pk])).status_code == 200
    assert client.get(reverse("audit_event", args=[history["other"].pk])).status_code == 404
    assert client.get(reverse("audit_event", args=[history["clarification"].pk])).status_code == 404


def test_administrators_read_it_too(platform_admin, history):
    assert signed_in(platform_admin).get(URL).status_code == 200


# --- filters --------------------------------------------------------------------------------


def test_filters(kpu_supervisor, history, moderator, tiktok_case, kpu):
    client = signed_in(kpu_supervisor)
    assert shown_ids(client.get(URL, {"actor": "rina"})) == {history["tiktok"].pk}
    assert shown_ids(client.get(URL, {"actor": str(moderator.pk)})) == {history["tiktok"].pk}
    assert shown_ids(client.get(URL, {"case": tiktok_case.pk})) == {history["tiktok"].pk}
    assert shown_ids(client.get(URL, {"action": "clarification.publish"})) == {
        history["clarification"].pk
    }
    assert shown_ids(client.get(URL, {"organisation": kpu.pk})) == {history["clarification"].pk}
    clar = history["clarification"]
    assert shown_ids(
        client.get(URL, {"object_type": "clarification", "object_id": clar.object_id})
    ) == {clar.pk}
    assert shown_ids(client.get(URL, {"q": "TPS"})) == {clar.pk}
    assert shown_ids(client.get(URL, {"q": "published"})) == {clar.pk}
    today = timezone.localdate().isoformat()
    assert len(shown_ids(client.get(URL, {"date_from": today, "date_to": today}))) == 3
    assert shown_ids(client.get(URL, {"date_to": "2024-01-01"})) == set()


def test_date_range_is_in_wib(kpu_supervisor, moderator):
    # 14 Feb 2024 00:30 WIB is 13 Feb 17:30 UTC: it belongs to the 14th.
    case = CaseFactory()
    event = AuditEvent.objects.create(
        created_at=datetime(2024, 2, 14, 0, 30, tzinfo=ZoneInfo("Asia/Jakarta")),
        actor=moderator,
        actor_kind="user",
        action=AuditAction.CASE_CLAIM,
        object_type="case",
        object_id=str(case.pk),
        case=case,
    )
    client = signed_in(kpu_supervisor)
    assert shown_ids(client.get(URL, {"date_from": "2024-02-14", "date_to": "2024-02-14"})) == {
        event.pk
    }
    assert shown_ids(client.get(URL, {"date_from": "2024-02-13", "date_to": "2024-02-13"})) == set()


# --- pages ----------------------------------------------------------------------------------


def test_keyset_pages_walk_older_and_back_newer_without_gaps(kpu_supervisor, moderator):
    client = signed_in(kpu_supervisor)  # its sign-in is the oldest event
    case = CaseFactory()
    events = [
        audit_record(action=AuditAction.CASE_LEASE_RENEW, obj=case, case=case, actor=moderator)
        for _ in range(120)
    ]
    first = client.get(URL)
    seen = shown_ids(first)
    assert len(seen) == 50
    older = first.context["older_url"]
    second = client.get(URL + older)
    assert len(shown_ids(second)) == 50
    assert not seen & shown_ids(second)
    third = client.get(URL + second.context["older_url"])
    assert len(shown_ids(third)) == 20
    assert third.context["older_url"] == ""
    assert seen | shown_ids(second) | shown_ids(third) == {e.pk for e in events}
    back = client.get(URL + third.context["newer_url"])
    assert shown_ids(back) == shown_ids(second)
    assert "121 peristiwa" in first.content.decode()


def test_count_is_capped_not_counted(kpu_supervisor, moderator):
    case = CaseFactory()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            created_at=timezone.now(),
            actor=moderator,
            actor_kind="user",
            action=AuditAction.CASE_LEASE_RENEW,
            object_type="case",
            object_id=str(case.pk),
            case=case,
        )
        for _ in range(COUNT_CAP + 5)
    )
    response = signed_in(kpu_supervisor).get(URL)
    assert response.context["more"] is True
    assert "Lebih dari 1000 peristiwa" in response.content.decode()


# --- bad input: a message, never a 500 ------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2024-02-20", "date_to": "2024-02-10"}, "lebih awal dari tanggal mulai"),
        ({"date_to": "9999-12-31"}, "Tanggal harus antara"),
        ({"date_from": "9999-12-31"}, "Tanggal harus antara"),
        ({"date_from": "31-31-2024"}, "tanggal"),
        ({"actor": "tidak-ada"}, "Pengguna tidak-ada tidak dikenal"),
        ({"actor": "99999999999999999999999"}, "tidak dikenal"),
        ({"case": "99999999999999999999999"}, ""),
        ({"case": "abc"}, ""),
        ({"action": "case.explode"}, ""),
        ({"after": "garbage"}, "Penanda halaman tidak valid"),
        ({"after": "9" * 40 + "." + "9" * 40}, "Penanda halaman tidak valid"),
        ({"before": "1.99999999999999999999"}, "Penanda halaman tidak valid"),
        ({"after": "253402300799000000.5"}, "Penanda halaman tidak valid"),
        ({"before": "-99999999999999999.1"}, "Penanda halaman tidak valid"),
    ],
)
def test_bad_input_is_a_message(kpu_supervisor, history, params, message):
    response = signed_in(kpu_supervisor).get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    for value in params.values():  # what was typed stays in the form
        if len(value) < 30 and not value.startswith(("garbage", "1.", "-", "2534")):
            assert value in html


def test_a_huge_event_number_is_not_found(kpu_supervisor):
    client = signed_in(kpu_supervisor)
    assert client.get("/audit/99999999999999999999999/").status_code == 404
    assert client.get("/audit/123456/").status_code == 404


def test_an_export_of_an_empty_range_says_so(kpu_supervisor, history):
    response = signed_in(kpu_supervisor).get(
        reverse("audit_export"),
        {"format": "csv", "date_from": "2001-01-01", "date_to": "2001-01-02"},
    )
    assert response.status_code == 400
    assert "tidak ada yang diekspor" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT).exists()


def test_an_export_with_bad_input_or_format_says_so(kpu_supervisor, history):
    client = signed_in(kpu_supervisor)
    response = client.get(reverse("audit_export"), {"format": "xlsx"})
    assert response.status_code == 400
    assert "Format ekspor tidak dikenal" in response.content.decode()
    response = client.get(
        reverse("audit_export"),
        {"format": "csv", "date_from": "2024-03-01", "date_to": "2024-02-01"},
    )
    assert response.status_code == 400


# --- one event ------------------------------------------------------------------------------


def test_event_detail_shows_the_diff_and_links(kpu_supervisor, history, tiktok_case):
    client = signed_in(kpu_supervisor)
    response = client.get(reverse("audit_event", args=[history["tiktok"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    diff = {row.key: row for row in response.context["diff"]}
    assert diff["status"].before == "new"
    assert diff["status"].after == "in_review"
    assert diff["status"].changed
    assert diff["assignee"].only_after
    assert reverse("case_detail", args=[tiktok_case.pk]) in html
    response = client.get(reverse("audit_event", args=[history["clarification"].pk]))
    clar_id = int(history["clarification"].object_id)
    assert reverse("clarification_public", args=[clar_id]) in response.content.decode()


def test_a_decision_event_links_to_its_case(kpu_supervisor, moderator, tiktok_case):
    decision = DecisionFactory(case=tiktok_case, decided_by=moderator)
    event = audit_record(
        action=AuditAction.DECISION_RECORD, obj=decision, case=tiktok_case, actor=moderator
    )
    html = signed_in(kpu_supervisor).get(reverse("audit_event", args=[event.pk])).content.decode()
    assert f"Keputusan #{decision.pk}" in html
    assert reverse("case_detail", args=[tiktok_case.pk]) + "#decisions-h" in html


def test_client_request_id_is_kept_beside_ours(kpu_supervisor, moderator, history):
    client = signed_in(kpu_supervisor)
    response = client.get(
        reverse("audit_export"), {"format": "csv"}, HTTP_X_REQUEST_ID="client-chose-this"
    )
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert event.client_request_id == "client-chose-this"
    assert event.request_id == response["X-Request-ID"] != "client-chose-this"


# --- export ---------------------------------------------------------------------------------


def test_csv_export_streams_the_filter_and_is_audited(kpu_supervisor, history, moderator):
    client = signed_in(kpu_supervisor)
    response = client.get(
        reverse("audit_export"), {"format": "csv", "actor": "rina", "progress": "abc123"}
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["id"]) for r in rows] == [history["tiktok"].pk]
    assert rows[0]["actor"] == "rina"
    assert json.loads(rows[0]["after"])["status"] == "in_review"
    export = AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert export.actor == kpu_supervisor
    assert export.after["filter"] == {"actor_id": moderator.pk}
    assert export.after["format"] == "csv"
    progress = client.get(reverse("audit_export_progress"), {"token": "abc123"})
    assert 'data-export-state="finished"' in progress.content.decode()


def exported_ids(response) -> list[int]:
    """The events in a JSON Lines export, leaving out the test's sign-in and the export's own
    event (written before the first row, so it is in the file)."""
    lines = b"".join(response.streaming_content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    skip = {AuditAction.USER_SIGN_IN, AuditAction.AUDIT_EXPORT}
    return [row["id"] for row in rows if row["action"] not in skip]


def test_jsonl_export(kpu_supervisor, history):
    response = signed_in(kpu_supervisor).get(reverse("audit_export"), {"format": "jsonl"})
    assert response["Content-Type"] == "application/x-ndjson"
    assert set(exported_ids(response)) == {e.pk for e in history.values()}


def test_the_export_is_only_what_the_reader_may_see(supervisor, history):
    response = signed_in(supervisor).get(reverse("audit_export"), {"format": "jsonl"})
    assert exported_ids(response) == [history["tiktok"].pk]


def test_progress_of_an_unknown_export(kpu_supervisor):
    client = signed_in(kpu_supervisor)
    assert (
        "Menyiapkan"
        in client.get(reverse("audit_export_progress"), {"token": "ffff"}).content.decode()
    )
    assert client.get(reverse("audit_export_progress"), {"token": "<x>"}).status_code == 200


def test_the_selector_refuses_moderators(moderator):
    from moderation.errors import NotPermitted

    with pytest.raises(NotPermitted):
        audit_events_filtered(user=moderator, audit_filter=AuditFilter())


# --- the case page --------------------------------------------------------------------------


def test_case_page_history_links_to_events_for_supervisors(kpu_supervisor, history, tiktok_case):
    html = (
        signed_in(kpu_supervisor)
        .get(reverse("case_detail", args=[tiktok_case.pk]))
        .content.decode()
    )
    assert reverse("audit_event", args=[history["tiktok"].pk]) in html
    assert f"/audit/?case={tiktok_case.pk}" in html


def test_case_page_history_for_moderators_has_no_audit_links(moderator, history, tiktok_case):
    html = signed_in(moderator).get(reverse("case_detail", args=[tiktok_case.pk])).content.decode()
    assert 'id="history-h"' in html
    assert "/audit/" not in html


def test_free_text_plans_by_how_common_the_word_is(kpu_supervisor, moderator):
    """A word found in many events is searched by walking the time index, a rare one through
    the GIN index; both find the same events."""
    from moderation.oversight.audit_search import TEXT_COMMON, text_plan

    case = CaseFactory()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            created_at=timezone.now(),
            actor=moderator,
            actor_kind="user",
            action=AuditAction.CASE_LEASE_RENEW,
            object_type="case",
            object_id=str(case.pk),
            case=case,
            after={"note": "umum" if i else "langka"},
        )
        for i in range(TEXT_COMMON + 1)
    )
    assert text_plan("umum").common
    assert ("enable_bitmapscan", "off") in text_plan("umum").settings
    assert text_plan("langka").settings == (("enable_indexscan", "off"),)
    assert not text_plan("").settings
    client = signed_in(kpu_supervisor)
    common = client.get(URL, {"q": "umum"})
    assert len(shown_ids(common)) == 50
    assert "Lebih dari 1000 peristiwa" in common.content.decode()
    assert len(shown_ids(client.get(URL, {"q": "langka"}))) == 1
    assert len(shown_ids(client.get(URL, {"q": "tidakada"}))) == 0
    response = client.get(reverse("audit_export"), {"format": "jsonl", "q": "langka"})
    assert len(exported_ids(response)) == 1

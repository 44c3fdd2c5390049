"""The dashboard page, its polled sections, the statement-of-reasons export and the case
page's neutrality form: who may, what they see, and bad input (a 400 that says why)."""

import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moderation.choices import Action, AuditAction, Ground, Reason, Role
from moderation.models import AuditEvent, CaseSubject, ElectoralSubject
from moderation.oversight.neutrality import case_subjects_set
from tests.clients import signed_in
from tests.factories import (
    CaseFactory,
    DecisionFactory,
    FlagFactory,
    PublishedClarificationFactory,
    UserFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db

URL = "/oversight/dashboard/"


@pytest.fixture
def electoral_subjects(db):
    from importlib import import_module

    from django.apps import apps

    import_module("moderation.migrations.0017_neutrality").seed(apps)
    return list(ElectoralSubject.objects.order_by("kind", "ballot_number"))


@pytest.fixture
def bawaslu_supervisor(db):
    from moderation.choices import OrganisationKind
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(slug="bawaslu", kind=OrganisationKind.BAWASLU)
    return UserFactory(username="wulan", organisation=org, roles=[Role.SUPERVISOR])


def decided_case(platform, *, action=Action.REMOVE, hours_ago=3, **decision):
    now = timezone.now()
    case = CaseFactory(
        video=VideoFactory(platform=platform),
        platform=platform,
        opened_at=now - timedelta(hours=hours_ago),
        due_at=now - timedelta(hours=hours_ago - 1),
        status="decided",
    )
    FlagFactory(case=case)
    DecisionFactory(
        case=case,
        action=action,
        decided_at=now - timedelta(hours=hours_ago - 2),
        clarification=PublishedClarificationFactory() if action == Action.LABEL else None,
        **decision,
    )
    return case


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor", "kpu_supervisor", "platform_admin"])
def test_supervisors_and_administrators_read_the_dashboard(request, persona, tiktok):
    decided_case(tiktok)
    response = signed_in(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for section in (
        "fig-flow",
        "fig-sla",
        "fig-times",
        "fig-decisions",
        "fig-moderators",
        "fig-clarifications",
        "fig-callbacks",
        "fig-neutrality",
    ):
        assert f'id="{section}"' in html
    assert "<svg" in html
    assert "<title id=" in html
    assert "<details><summary>" in html  # table fallbacks
    assert 'hx-trigger="every 30s"' in html  # today is in the default range


def test_bawaslu_supervisor_reads_every_platform(bawaslu_supervisor, tiktok, other_platform):
    response = signed_in(bawaslu_supervisor).get(URL)
    assert response.status_code == 200
    assert [c[0] for c in response.context["form"].fields["platform"].choices] == [
        "",
        "metube",
        "tiktok",
    ]


@pytest.mark.parametrize("persona", ["moderator", "kpu_clarifier", "kpu_approver", "outsider"])
def test_others_get_403(request, persona):
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(URL + "sections/flow/").status_code == 403
    assert client.get("/oversight/statements-of-reasons/").status_code == 403


def test_signed_out_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_platform_supervisor_sees_only_their_platform(supervisor, tiktok, other_platform):
    decided_case(tiktok)
    decided_case(other_platform)
    decided_case(other_platform)
    client = signed_in(supervisor)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert [c[0] for c in form.fields["platform"].choices] == ["tiktok"]
    assert response.context["scope"].platform_ids == (tiktok.pk,)
    flow = response.context["sections"][0]
    assert sum(r.opened for r in flow["rows"]) == 1
    decisions = response.context["sections"][3]
    assert decisions["counts"].total == 1
    # Asking for another platform is refused, not widened.
    response = client.get(URL, {"platform": "metube"})
    assert response.status_code == 400
    assert "metube" in response.content.decode()
    assert "scope" not in response.context


def test_kpu_supervisor_filters_by_platform(kpu_supervisor, tiktok, other_platform):
    decided_case(tiktok)
    decided_case(other_platform)
    client = signed_in(kpu_supervisor)
    every = client.get(URL).context["sections"][3]["counts"].total
    only = client.get(URL, {"platform": "metube"}).context["sections"][3]["counts"].total
    assert (every, only) == (2, 1)


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2024-02-14", "until": "2024-02-01"}, "sesudah tanggal akhir"),
        ({"since": "9999-01-01", "until": "9999-12-31"}, "di luar rentang"),
        ({"until": "9999-12-31"}, "di luar rentang"),
        ({"since": "1900-01-01"}, "di luar rentang"),
        ({"since": "2024-13-45"}, "TTTT-BB-HH"),
        ({"since": "99999-01-01"}, "TTTT-BB-HH"),
        ({"platform": "nope"}, "tidak dikenal"),
        ({"since": "2020-01-01", "until": "2024-01-01"}, "paling panjang"),
    ],
)
def test_bad_filters_say_why_and_keep_the_input(kpu_supervisor, tiktok, params, message):
    client = signed_in(kpu_supervisor)
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    for value in params.values():
        assert (
            f'value="{value}"' in html
            or f'value="{value}" selected' in html
            or (params.get("platform") == value)
        )
    section = client.get(URL + "sections/flow/", params)
    assert section.status_code == 400
    assert message in section.content.decode()
    export = client.get("/oversight/statements-of-reasons/", {**params, "format": "csv"})
    assert export.status_code == 400
    assert message in export.content.decode()


def test_unknown_section_is_404(kpu_supervisor):
    assert signed_in(kpu_supervisor).get(URL + "sections/nope/").status_code == 404


def test_unknown_export_format_is_400(kpu_supervisor):
    response = signed_in(kpu_supervisor).get("/oversight/statements-of-reasons/", {"format": "xml"})
    assert response.status_code == 400
    assert "csv atau json" in response.content.decode()


def test_english_messages(kpu_supervisor):
    client = signed_in(kpu_supervisor)
    client.cookies["django_language"] = "en"
    response = client.get(URL, {"since": "2024-02-14", "until": "2024-02-01"})
    assert response.status_code == 400


# --- Sections for polling ---------------------------------------------------------------------


def test_section_fragment_refreshes_one_figure(
    kpu_supervisor, tiktok, django_assert_max_num_queries
):
    client = signed_in(kpu_supervisor)
    response = client.get(URL + "sections/decisions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section class="card figure figure-decisions" id="fig-decisions"')
    assert 'hx-trigger="every 30s"' in html
    decided_case(tiktok)
    assert "(1)" in client.get(URL + "sections/decisions/").content.decode()


def test_a_past_range_does_not_poll(kpu_supervisor):
    response = signed_in(kpu_supervisor).get(URL, {"since": "2024-02-01", "until": "2024-02-14"})
    assert response.status_code == 200
    assert 'hx-get="/oversight/dashboard/sections/' not in response.content.decode()


def test_dashboard_query_count_is_fixed(kpu_supervisor, tiktok, django_assert_max_num_queries):
    client = signed_in(kpu_supervisor)
    client.get(URL)
    for _ in range(5):
        decided_case(tiktok)
    with django_assert_max_num_queries(30):
        assert client.get(URL).status_code == 200


# --- Statement-of-reasons export -------------------------------------------------------------


def test_export_csv_in_dsa_shape_and_audited(kpu_supervisor, tiktok):
    removed = decided_case(tiktok, ground=Ground.ELECTION_LAW, category=Reason.VOTER_SUPPRESSION)
    decided_case(tiktok, action=Action.LABEL, category=Reason.HOAX)
    decided_case(tiktok, action=Action.NO_ACTION)  # no restriction, no statement
    decided_case(tiktok, approval_state="pending")  # not in effect
    response = signed_in(kpu_supervisor).get("/oversight/statements-of-reasons/", {"format": "csv"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    first = rows[0]
    decision = removed.decisions.get()
    assert first["puid"] == f"saring-tiktok-decision-{decision.pk}"
    assert first["decision_visibility"] == "DECISION_VISIBILITY_CONTENT_REMOVED"
    assert first["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert "UU No. 7 Tahun 2017" in first["illegal_content_legal_ground"]
    assert first["illegal_content_explanation"] == decision.statement_of_reasons
    assert (
        first["category"] == "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
    )
    assert first["content_type"] == "CONTENT_TYPE_VIDEO"
    assert first["automated_detection"] == "No"
    assert first["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert first["source_type"] == "SOURCE_ARTICLE_16"
    assert first["id_legal_ground_code"] == "election_law"
    label = rows[1]
    assert label["decision_visibility"] == "DECISION_VISIBILITY_CONTENT_LABELLED"
    assert label["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert label["incompatible_content_ground"] == "Pedoman komunitas"
    assert label["category_specification"] == "KEYWORD_MISINFORMATION"
    event = AuditEvent.objects.get(action=AuditAction.TRANSPARENCY_EXPORT)
    assert event.actor == kpu_supervisor
    assert event.after["format"] == "csv"
    assert event.object_type == "statement_of_reasons"


def test_export_json_is_valid_and_scoped(supervisor, tiktok, other_platform):
    decided_case(tiktok)
    decided_case(other_platform)
    response = signed_in(supervisor).get("/oversight/statements-of-reasons/", {"format": "json"})
    assert response.status_code == 200
    body = json.loads(b"".join(response.streaming_content))
    assert [s["platform"] for s in body["statements"]] == ["tiktok"]
    assert body["statements"][0]["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]


def test_export_of_an_empty_range(kpu_supervisor):
    response = signed_in(kpu_supervisor).get(
        "/oversight/statements-of-reasons/",
        {"format": "json", "since": "2024-01-01", "until": "2024-01-02"},
    )
    assert response.status_code == 200
    assert json.loads(b"".join(response.streaming_content)) == {"statements": []}
    csv_response = signed_in(kpu_supervisor).get(
        "/oversight/statements-of-reasons/", {"since": "2024-01-01", "until": "2024-01-02"}
    )
    lines = b"".join(csv_response.streaming_content).decode().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("puid,decision_visibility")


# --- Neutrality: the case page form and the service --------------------------------------------


def test_moderator_records_what_the_case_concerns(moderator, make_case, electoral_subjects):
    case = make_case()
    client = signed_in(moderator)
    page = client.get(f"/cases/{case.pk}/")
    assert 'id="case-subjects"' in page.content.decode()
    assert "02 Prabowo" in page.content.decode()
    pair, party = electoral_subjects[1], electoral_subjects[5]
    response = client.post(
        f"/cases/{case.pk}/subjects/", {"subjects": [pair.pk, party.pk]}, follow=True
    )
    assert response.status_code == 200
    assert set(CaseSubject.objects.filter(case=case).values_list("subject_id", flat=True)) == {
        pair.pk,
        party.pk,
    }
    event = AuditEvent.objects.get(action=AuditAction.CASE_SUBJECTS_SET)
    assert event.actor == moderator
    assert event.case_id == case.pk
    assert event.after == {"subjects": sorted([pair.pk, party.pk])}
    assert event.before == {"subjects": []}
    # Unchanged: no second audit event. Cleared: audited.
    client.post(f"/cases/{case.pk}/subjects/", {"subjects": [pair.pk, party.pk]})
    client.post(f"/cases/{case.pk}/subjects/", {})
    assert AuditEvent.objects.filter(action=AuditAction.CASE_SUBJECTS_SET).count() == 2
    assert not CaseSubject.objects.filter(case=case).exists()


def test_unknown_subject_is_a_message_not_a_500(moderator, make_case, electoral_subjects):
    case = make_case()
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/subjects/", {"subjects": ["999999"]}, follow=True
    )
    assert response.status_code == 200
    assert "tidak dikenal" in response.content.decode()
    assert not CaseSubject.objects.exists()


def test_other_platforms_moderator_may_not_tag(
    moderator, other_platform, make_case, electoral_subjects
):
    case = make_case(other_platform)
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/subjects/", {"subjects": [electoral_subjects[0].pk]}
    )
    assert response.status_code == 403
    assert not CaseSubject.objects.exists()


def test_bawaslu_reads_but_does_not_tag(bawaslu_supervisor, make_case, electoral_subjects):
    from moderation.errors import NotPermitted

    case = make_case()
    with pytest.raises(NotPermitted):
        case_subjects_set(
            case=case, user=bawaslu_supervisor, subject_ids=[electoral_subjects[0].pk]
        )
    response = signed_in(bawaslu_supervisor).post(
        f"/cases/{case.pk}/subjects/", {"subjects": [electoral_subjects[0].pk]}, follow=True
    )
    assert response.status_code == 200
    assert not CaseSubject.objects.exists()


def test_neutrality_section_shows_pairs_and_parties(
    kpu_supervisor, tiktok, electoral_subjects, moderator
):
    case = decided_case(tiktok)
    case_subjects_set(
        case=case,
        user=UserFactory(roles=[Role.ADMINISTRATOR]),
        subject_ids=[electoral_subjects[0].pk],
    )
    html = signed_in(kpu_supervisor).get(URL + "sections/neutrality/").content.decode()
    assert "01 Anies" in html
    assert "24 Ummat" in html


def test_sections_are_shared_for_30_seconds_until_a_row_is_added(kpu_supervisor, tiktok, settings):
    settings.DASHBOARD_CACHE_SECONDS = 30
    client = signed_in(kpu_supervisor)
    params = {"since": "2023-01-01", "until": "2023-01-31"}
    decided_case(tiktok)  # outside the range: only the generation matters here
    first = client.get(URL + "sections/decisions/", params)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = client.get(URL + "sections/decisions/", params)
    assert again.content == first.content
    assert not [q for q in queries.captured_queries if "GROUPING(" in q["sql"]]  # from cache
    # A new decision in the range changes the generation: the next poll shows it.
    case = decided_case(tiktok)
    DecisionFactory(
        case=case,
        action=Action.REMOVE,
        decided_at=datetime(2023, 1, 15, 9, tzinfo=ZoneInfo("Asia/Jakarta")),  # in the range
    )
    assert "(1)" in client.get(URL + "sections/decisions/", params).content.decode()

"""Contract §4 case operations: list, detail, claim, release, claim-next, decisions, attach.

Each endpoint has its happy path, a permission-denied case and a bad-input case."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from moderation.choices import ApprovalState, AuditAction, CaseStatus, Reason
from moderation.models import AuditEvent, Case, Decision
from moderation.review.claims import case_claim
from tests.factories import PublishedClarificationFactory, UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


# --- List --------------------------------------------------------------------------------------


def test_list_shape_and_pagination(api, moderator, make_case):
    case = make_case(priority=80)
    make_case(priority=10)
    response = api(moderator).get("/api/v1/cases/?page_size=1")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert body["next"]
    row = body["results"][0]
    assert set(row) == {
        "id",
        "status",
        "priority",
        "flag_count",
        "reasons",
        "video",
        "assignee",
        "due_at",
    }
    assert row["id"] == case.pk
    assert row["video"] == {
        "platform": "tiktok",
        "id": case.video.platform_video_id,
        "url": case.video.url,
    }
    assert row["reasons"] == ["hoax"]
    assert row["assignee"] is None


def test_list_filters_by_platform_video_and_status(api, kpu_supervisor, make_case, other_platform):
    tiktok_case = make_case()
    other = make_case(other_platform)
    decided = make_case(status=CaseStatus.DECIDED)
    client = api(kpu_supervisor)

    def ids(query):
        return [r["id"] for r in client.get(f"/api/v1/cases/?{query}").json()["results"]]

    assert set(ids("platform=tiktok")) == {tiktok_case.pk, decided.pk}
    assert ids("platform=metube") == [other.pk]
    assert ids(f"video={other.video.platform_video_id}") == [other.pk]
    assert ids("status=decided") == [decided.pk]
    assert ids("platform=nope") == []


def test_the_status_filter_agrees_with_the_status_shown(api, kpu_supervisor, moderator, make_case):
    """A claim whose lease ran out is shown as new (the expiry job has not run yet): the
    filter finds it under new, not under in review."""
    lapsed = make_case()
    Case.objects.filter(pk=lapsed.pk).update(
        status=CaseStatus.IN_REVIEW,
        assignee=moderator,
        lease_expires_at=timezone.now() - timedelta(minutes=1),
    )
    client = api(kpu_supervisor)

    def rows(query):
        return client.get(f"/api/v1/cases/?{query}").json()["results"]

    assert [(r["id"], r["status"]) for r in rows("status=new")] == [(lapsed.pk, "new")]
    assert rows("status=in_review") == []


def test_list_bad_status_is_a_400_problem(api, moderator):
    body = assert_problem(api(moderator).get("/api/v1/cases/?status=banned"), 400)
    assert body["errors"][0]["field"] == "status"


def test_list_is_scoped_to_the_moderators_platform(api, moderator, make_case, other_platform):
    mine = make_case()
    make_case(other_platform)
    results = api(moderator).get("/api/v1/cases/").json()["results"]
    assert [r["id"] for r in results] == [mine.pk]
    results = api(moderator).get("/api/v1/cases/?platform=metube").json()["results"]
    assert results == []


def test_list_refuses_anonymous_and_outsider(api, outsider):
    assert_problem(APIClient().get("/api/v1/cases/"), 401)
    assert_problem(api(outsider).get("/api/v1/cases/"), 403)


def test_list_accepts_session_auth(moderator, make_case):
    make_case()
    client = APIClient()
    client.force_login(moderator)
    assert client.get("/api/v1/cases/").json()["count"] == 1


def test_list_query_count_does_not_grow_with_page_size(
    api, supervisor, make_case, django_assert_max_num_queries
):
    for _ in range(5):
        make_case(flags=0)
    client = api(supervisor)
    client.get("/api/v1/cases/?page_size=5")
    with django_assert_max_num_queries(8) as small:
        client.get("/api/v1/cases/?page_size=5")
    for _ in range(40):
        make_case(flags=0, assignee=None)
    with django_assert_max_num_queries(len(small)):
        body = client.get("/api/v1/cases/?page_size=100").json()
    assert len(body["results"]) == 45


# --- Detail ------------------------------------------------------------------------------------


def test_detail_has_flags_clarifications_decisions_and_version(
    api, moderator, kpu_clarifier, make_case
):
    case = make_case(flags=2)
    clarification = PublishedClarificationFactory(author=kpu_clarifier)
    api(kpu_clarifier).post(
        f"/api/v1/cases/{case.pk}/clarifications/", {"clarification": clarification.pk}
    )
    body = api(moderator).get(f"/api/v1/cases/{case.pk}/").json()
    assert body["id"] == case.pk
    assert len(body["flags"]) == 2
    assert body["flags"][0]["flag_id"].startswith("flg_")
    assert body["clarifications"][0]["id"] == clarification.pk
    assert body["decisions"] == []
    assert body["version"] == Case.objects.get(pk=case.pk).version
    assert body["priority_breakdown"][0]["signal"] == "reach"
    assert body["video"]["author_handle"] == case.video.author_handle


def test_detail_permission_and_not_found(api, make_case, outsider, other_platform):
    case = make_case()
    stranger = UserFactory(
        username="meta-mod", organisation=other_platform.organisation, roles=["platform_moderator"]
    )
    assert_problem(api(stranger).get(f"/api/v1/cases/{case.pk}/"), 403)
    assert_problem(api(outsider).get(f"/api/v1/cases/{case.pk}/"), 403)
    assert_problem(api(stranger).get("/api/v1/cases/99999999/"), 404)


def test_kpu_reads_any_case(api, kpu_clarifier, make_case):
    case = make_case()
    assert api(kpu_clarifier).get(f"/api/v1/cases/{case.pk}/").status_code == 200


# --- Claim and release -------------------------------------------------------------------------


def test_claim_then_release(api, moderator, make_case):
    case = make_case()
    client = api(moderator)
    body = client.post(f"/api/v1/cases/{case.pk}/claim/").json()
    assert (body["status"], body["assignee"]) == ("in_review", "rina")
    body = client.post(f"/api/v1/cases/{case.pk}/release/").json()
    assert (body["status"], body["assignee"]) == ("new", None)


def test_release_with_reason_is_a_skip(api, moderator, make_case):
    case = make_case()
    client = api(moderator)
    client.post(f"/api/v1/cases/{case.pk}/claim/")
    client.post(f"/api/v1/cases/{case.pk}/release/", {"reason": "language"}, format="json")
    assert AuditEvent.objects.filter(case=case, action=AuditAction.CASE_SKIP).exists()


def test_claim_taken_is_409(api, moderator, second_moderator, make_case):
    case = make_case()
    api(moderator).post(f"/api/v1/cases/{case.pk}/claim/")
    body = assert_problem(api(second_moderator).post(f"/api/v1/cases/{case.pk}/claim/"), 409)
    assert body["type"] == "/problems/already-claimed"


def test_claim_refused_to_kpu(api, kpu_clarifier, make_case):
    case = make_case()
    assert_problem(api(kpu_clarifier).post(f"/api/v1/cases/{case.pk}/claim/"), 403)


def test_claim_of_a_decided_case_is_409(api, moderator, make_case):
    case = make_case(status=CaseStatus.DECIDED)
    body = assert_problem(api(moderator).post(f"/api/v1/cases/{case.pk}/claim/"), 409)
    assert body["type"] == "/problems/invalid-transition"


def test_release_refused_for_someone_elses_claim_and_bad_reason(
    api, moderator, second_moderator, make_case
):
    case = make_case()
    api(moderator).post(f"/api/v1/cases/{case.pk}/claim/")
    assert_problem(api(second_moderator).post(f"/api/v1/cases/{case.pk}/release/"), 403)
    assert_problem(
        api(moderator).post(
            f"/api/v1/cases/{case.pk}/release/", {"reason": "x" * 600}, format="json"
        ),
        400,
    )


# --- Claim next --------------------------------------------------------------------------------


def test_claim_next_gives_the_highest_priority_case(api, moderator, make_case):
    make_case(priority=10)
    top = make_case(priority=70)
    make_case(priority=99, reasons=(Reason.SARA,))
    body = api(moderator).post(
        "/api/v1/cases/claim-next/", {"queue": "informasi-palsu"}, format="json"
    )
    assert body.status_code == 200
    assert body.json()["id"] == top.pk


def test_claim_next_without_queue_and_when_empty(api, moderator, make_case):
    case = make_case()
    client = api(moderator)
    assert client.post("/api/v1/cases/claim-next/").json()["id"] == case.pk
    assert client.post("/api/v1/cases/claim-next/").status_code == 204


def test_claim_next_permission_and_bad_input(api, outsider, moderator, kpu_clarifier, make_case):
    make_case()
    assert_problem(api(outsider).post("/api/v1/cases/claim-next/"), 403)
    assert_problem(
        api(moderator).post("/api/v1/cases/claim-next/", {"queue": "no such"}, format="json"), 400
    )
    assert_problem(
        api(moderator).post("/api/v1/cases/claim-next/", {"queue": "nope"}, format="json"), 404
    )
    assert_problem(
        api(moderator).post(
            "/api/v1/cases/claim-next/", {"queue": "menunggu-persetujuan"}, format="json"
        ),
        403,
    )
    # KPU staff work no queue: nothing is claimable for them.
    assert api(kpu_clarifier).post("/api/v1/cases/claim-next/").status_code == 204


# --- Decisions ---------------------------------------------------------------------------------


def decision_body(case, **overrides):
    body = {
        "action": "no_action",
        "ground": "community_guidelines",
        "category": "hoax",
        "statement_of_reasons": "Tidak melanggar pedoman komunitas.",
        "version": case.version,
    }
    body.update(overrides)
    return body


def test_record_a_label_decision(api, moderator, kpu_clarifier, make_case):
    case = case_claim(case=make_case(), user=moderator)
    clarification = PublishedClarificationFactory(author=kpu_clarifier)
    response = api(moderator).post(
        f"/api/v1/cases/{case.pk}/decisions/",
        decision_body(case, action="label", clarification=clarification.pk),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["action"], body["clarification"], body["is_final"]) == (
        "label",
        clarification.pk,
        True,
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DECIDED


def test_stale_version_is_409_problem_and_nothing_is_written(api, moderator, make_case):
    case = case_claim(case=make_case(), user=moderator)
    response = api(moderator).post(
        f"/api/v1/cases/{case.pk}/decisions/",
        decision_body(case, version=case.version - 1),
        format="json",
    )
    body = assert_problem(response, 409)
    assert body["type"] == "/problems/stale-version"
    assert body["current_version"] == case.version
    assert not Decision.objects.exists()


def test_decision_bad_input(api, moderator, make_case):
    case = case_claim(case=make_case(), user=moderator)
    body = assert_problem(
        api(moderator).post(
            f"/api/v1/cases/{case.pk}/decisions/",
            decision_body(case, action="ban", statement_of_reasons="", version="x"),
            format="json",
        ),
        400,
    )
    fields = {e["field"] for e in body["errors"]}
    assert {"action", "statement_of_reasons", "version"} <= fields
    body = assert_problem(
        api(moderator).post(
            f"/api/v1/cases/{case.pk}/decisions/",
            decision_body(case, action="label"),
            format="json",
        ),
        400,
    )
    assert body["errors"][0]["field"] == "clarification"


def test_decision_permission_denied(api, moderator, second_moderator, kpu_clarifier, make_case):
    case = case_claim(case=make_case(), user=moderator)
    for user in (second_moderator, kpu_clarifier):
        assert_problem(
            api(user).post(
                f"/api/v1/cases/{case.pk}/decisions/", decision_body(case), format="json"
            ),
            403,
        )


def test_held_decision_is_pending(api, moderator, make_case):
    case = case_claim(case=make_case(view_count=5_000_000), user=moderator)
    body = (
        api(moderator)
        .post(
            f"/api/v1/cases/{case.pk}/decisions/",
            decision_body(case, action="remove"),
            format="json",
        )
        .json()
    )
    assert body["approval_state"] == ApprovalState.PENDING
    assert body["is_final"] is False


def test_original_decider_cannot_decide_the_appeal(
    api, moderator, second_moderator, supervisor, make_case, appealed_case
):
    case, _ = appealed_case(moderator, make_case())
    assert_problem(api(moderator).post(f"/api/v1/cases/{case.pk}/claim/"), 403)
    # Even when a supervisor hands it to them, the decision itself is refused.
    api(supervisor).post(f"/api/v1/cases/{case.pk}/release/")
    from moderation.review.claims import case_reassign

    case_reassign(case=Case.objects.get(pk=case.pk), user=supervisor, assignee=moderator)
    case.refresh_from_db()
    body = assert_problem(
        api(moderator).post(
            f"/api/v1/cases/{case.pk}/decisions/", decision_body(case), format="json"
        ),
        403,
    )
    assert "Pemutus awal" in body["detail"]
    response = api(second_moderator).post(f"/api/v1/cases/{case.pk}/claim/")
    assert response.status_code == 409  # still held by the reassigned moderator
    case.refresh_from_db()
    assert case.lease_expires_at > timezone.now() - timedelta(seconds=1)


# --- Attach ------------------------------------------------------------------------------------


def test_attach_permission_and_bad_input(api, outsider, kpu_clarifier, make_case):
    case = make_case(status=CaseStatus.AWAITING_CLARIFICATION)
    clarification = PublishedClarificationFactory(author=kpu_clarifier)
    assert_problem(
        api(outsider).post(
            f"/api/v1/cases/{case.pk}/clarifications/", {"clarification": clarification.pk}
        ),
        403,
    )
    assert_problem(
        api(kpu_clarifier).post(f"/api/v1/cases/{case.pk}/clarifications/", {"clarification": 0}),
        400,
    )
    response = api(kpu_clarifier).post(
        f"/api/v1/cases/{case.pk}/clarifications/", {"clarification": clarification.pk}
    )
    assert response.status_code == 201
    assert response.json()["attached_by"] == "sari"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NEW

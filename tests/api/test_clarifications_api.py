"""Contract §4 clarifications: list, create, submit, publish, retract."""

import pytest

from moderation.choices import ClarificationStatus
from moderation.models import Clarification
from tests.api.test_cases_api import assert_problem
from tests.factories import ClarificationFactory, PublishedClarificationFactory

pytestmark = pytest.mark.django_db

NEW = {
    "claim": "Pemilih wajib membawa undangan C6.",
    "rating": "false",
    "title": "Pemilih cukup membawa KTP-el",
    "body": "Pemilih terdaftar di DPT dapat memilih dengan KTP-el.",
    "sources": ["https://www.kpu.go.id/berita/baca/1"],
}


def test_kpu_writes_submits_and_an_approver_publishes(api, kpu_clarifier, kpu_approver):
    created = api(kpu_clarifier).post("/api/v1/clarifications/", NEW, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert api(kpu_clarifier).post(f"/api/v1/clarifications/{pk}/submit/").json()["status"] == (
        "in_review"
    )
    published = api(kpu_approver).post(f"/api/v1/clarifications/{pk}/publish/")
    assert published.status_code == 200
    assert (published.json()["status"], published.json()["version"]) == ("published", 1)
    retracted = api(kpu_approver).post(
        f"/api/v1/clarifications/{pk}/retract/", {"reason": "Data berubah"}, format="json"
    )
    assert retracted.json()["status"] == "retracted"


def test_create_bad_input_and_permission(api, kpu_clarifier, moderator):
    body = assert_problem(
        api(kpu_clarifier).post(
            "/api/v1/clarifications/",
            {**NEW, "rating": "maybe", "sources": ["ftp://x"]},
            format="json",
        ),
        400,
    )
    fields = {e["field"].split(".")[0].split("[")[0] for e in body["errors"]}
    assert fields >= {"rating", "sources"}
    assert_problem(api(moderator).post("/api/v1/clarifications/", NEW, format="json"), 403)


def test_list_by_role(api, kpu_clarifier, moderator, outsider):
    draft = ClarificationFactory(author=kpu_clarifier)
    published = PublishedClarificationFactory(author=kpu_clarifier)
    kpu_ids = {c["id"] for c in api(kpu_clarifier).get("/api/v1/clarifications/").json()["results"]}
    assert kpu_ids == {draft.pk, published.pk}
    mod_ids = {c["id"] for c in api(moderator).get("/api/v1/clarifications/").json()["results"]}
    assert mod_ids == {published.pk}
    only = api(kpu_clarifier).get("/api/v1/clarifications/?status=draft").json()["results"]
    assert [c["id"] for c in only] == [draft.pk]
    assert_problem(api(kpu_clarifier).get("/api/v1/clarifications/?status=sort-of"), 400)
    assert_problem(api(outsider).get("/api/v1/clarifications/"), 403)


def test_list_query_count_does_not_grow(api, kpu_clarifier, django_assert_max_num_queries):
    PublishedClarificationFactory(author=kpu_clarifier)
    client = api(kpu_clarifier)
    client.get("/api/v1/clarifications/")
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/clarifications/")
    for _ in range(20):
        PublishedClarificationFactory(author=kpu_clarifier)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get("/api/v1/clarifications/").json()["results"]) == 21


def test_publish_refused_to_author_clarifier_and_moderator(
    api, kpu_clarifier, kpu_approver, moderator
):
    own = ClarificationFactory(author=kpu_approver, status=ClarificationStatus.IN_REVIEW)
    assert_problem(api(kpu_approver).post(f"/api/v1/clarifications/{own.pk}/publish/"), 403)
    other = ClarificationFactory(author=kpu_clarifier, status=ClarificationStatus.IN_REVIEW)
    assert_problem(api(kpu_clarifier).post(f"/api/v1/clarifications/{other.pk}/publish/"), 403)
    # Moderators do not even see drafts or clarifications in review.
    assert_problem(api(moderator).post(f"/api/v1/clarifications/{other.pk}/publish/"), 404)


def test_publish_a_draft_is_409_and_unknown_is_404(api, kpu_clarifier, kpu_approver):
    draft = ClarificationFactory(author=kpu_clarifier)
    assert_problem(api(kpu_approver).post(f"/api/v1/clarifications/{draft.pk}/publish/"), 409)
    assert_problem(api(kpu_approver).post("/api/v1/clarifications/999999/publish/"), 404)


def test_retract_permission_and_bad_input(api, kpu_clarifier, kpu_approver):
    published = PublishedClarificationFactory(author=kpu_clarifier)
    assert_problem(api(kpu_clarifier).post(f"/api/v1/clarifications/{published.pk}/retract/"), 403)
    assert_problem(
        api(kpu_approver).post(
            f"/api/v1/clarifications/{published.pk}/retract/", {"reason": ["x"]}, format="json"
        ),
        400,
    )
    assert Clarification.objects.get(pk=published.pk).status == ClarificationStatus.PUBLISHED


def test_sources_may_be_references_and_a_huge_body_is_a_400(api, kpu_clarifier):
    created = api(kpu_clarifier).post(
        "/api/v1/clarifications/",
        {**NEW, "sources": ["PKPU 25/2023 Pasal 18", "https://jdih.kpu.go.id/x"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["sources"] == ["PKPU 25/2023 Pasal 18", "https://jdih.kpu.go.id/x"]
    body = assert_problem(
        api(kpu_clarifier).post(
            "/api/v1/clarifications/", {**NEW, "body": "x" * 100_000}, format="json"
        ),
        400,
    )
    assert "body" in str(body)


def test_versions_are_listed_newest_first(api, kpu_clarifier, kpu_approver, moderator):
    from moderation.clarifications.services import (
        clarification_create,
        clarification_publish,
        clarification_submit,
        clarification_update,
    )

    draft = clarification_create(user=kpu_clarifier, **NEW)
    clarification_submit(clarification=draft, user=kpu_clarifier)
    clarification_publish(clarification=draft, user=kpu_approver)
    clarification_update(clarification=draft, user=kpu_clarifier, title="Judul versi 2")
    clarification_submit(clarification=draft, user=kpu_clarifier)
    clarification_publish(clarification=draft, user=kpu_approver)
    clarification_update(clarification=draft, user=kpu_clarifier, title="Draf versi 3")
    versions = api(moderator).get(f"/api/v1/clarifications/{draft.pk}/versions/").json()
    assert [(v["version"], v["title"]) for v in versions] == [
        (2, "Judul versi 2"),
        (1, NEW["title"]),
    ]

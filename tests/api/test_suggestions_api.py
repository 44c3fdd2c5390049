"""Contract §4: GET /api/v1/cases/<id>/suggested-clarifications/."""

import pytest

from moderation.choices import ClarificationStatus
from tests.api.test_cases_api import assert_problem
from tests.factories import IndexedClarificationFactory, VideoFactory

pytestmark = pytest.mark.django_db

CAPTION = "PEMILU 2024 DIUNDUR ke 2025!! kata orang dalam KPU, sebarkan #pemiluditunda"


@pytest.fixture
def postponed(kpu_clarifier):
    return IndexedClarificationFactory(
        author=kpu_clarifier,
        claim="Pemilu 2024 diundur ke tahun 2025.",
        title="Pemilu 2024 tidak diundur",
        body="KPU menegaskan pemungutan suara tetap 14 Februari 2024 sesuai PKPU 3/2022.",
        keywords=["pemilu diundur", "pemilu ditunda"],
    )


@pytest.fixture
def ink(kpu_clarifier):
    return IndexedClarificationFactory(
        author=kpu_clarifier,
        claim="Tinta pemilu mengandung babi.",
        title="Tinta pemilu halal",
        body="Tinta pemilu telah bersertifikat halal dari MUI.",
        keywords=["tinta babi", "tinta haram"],
    )


def _case(make_case, tiktok, caption):  # type: ignore[no-untyped-def]
    return make_case(video=VideoFactory(platform=tiktok, caption=caption))


def test_suggestions_ranked_with_score_and_matched_words(
    api, moderator, kpu_clarifier, supervisor, make_case, tiktok, postponed, ink
):
    case = _case(make_case, tiktok, CAPTION)
    for user in (moderator, kpu_clarifier, supervisor):
        response = api(user).get(f"/api/v1/cases/{case.pk}/suggested-clarifications/")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["results"]) >= 1
        best = body["results"][0]
        assert best["clarification"] == {
            "id": postponed.pk,
            "title": postponed.title,
            "claim": postponed.claim,
            "rating": postponed.rating,
            "version": postponed.version,
        }
        assert 0 < best["score"] <= 1
        assert "diundur" in best["matched"]
        assert ink.pk not in [r["clarification"]["id"] for r in body["results"]]


def test_nothing_fits_is_an_empty_list(api, moderator, make_case, tiktok, postponed):
    case = _case(make_case, tiktok, "resep nasi goreng kampung enak banget #kuliner")
    body = api(moderator).get(f"/api/v1/cases/{case.pk}/suggested-clarifications/").json()
    assert body == {"count": 0, "results": []}


def test_retracted_clarifications_are_not_suggested(api, moderator, make_case, tiktok, postponed):
    postponed.status = ClarificationStatus.RETRACTED
    postponed.save(update_fields=["status"])
    case = _case(make_case, tiktok, CAPTION)
    body = api(moderator).get(f"/api/v1/cases/{case.pk}/suggested-clarifications/").json()
    assert body["results"] == []


def test_refused_and_unknown(api, moderator, outsider, make_case, other_platform, client):
    elsewhere = make_case(other_platform)
    assert_problem(
        api(moderator).get(f"/api/v1/cases/{elsewhere.pk}/suggested-clarifications/"), 403
    )
    assert_problem(api(moderator).get("/api/v1/cases/999999/suggested-clarifications/"), 404)
    assert_problem(
        api(outsider).get(f"/api/v1/cases/{elsewhere.pk}/suggested-clarifications/"), 403
    )
    anonymous = client.get(f"/api/v1/cases/{elsewhere.pk}/suggested-clarifications/")
    assert anonymous.status_code in (401, 403)
    assert anonymous["Content-Type"].startswith("application/problem+json")

"""The public side (contract §5): the page of a clarification with its ClaimReview and one
MediaReview per labelled video, checked field by field and parsed as JSON-LD (pyld, offline
with a local schema.org context); the public list and API; caching; no staff names;
Indonesian by default and English where a translation exists."""

import json
import re

import pytest
from django.urls import reverse
from pyld import jsonld

from moderation.choices import Action, ApprovalState
from moderation.clarifications.public import BEST_RATING, RATING_VALUES, WORST_RATING
from moderation.clarifications.services import (
    clarification_create,
    clarification_publish,
    clarification_retract,
    clarification_submit,
    clarification_update,
)
from moderation.models import Clarification
from tests.factories import CaseFactory, DecisionFactory, VideoFactory

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
# schema.org's own context, cut to what our documents use: offline, the test never fetches it.
LOCAL_CONTEXT = {
    "@context": {
        "@vocab": SCHEMA,
        "url": {"@id": f"{SCHEMA}url", "@type": "@id"},
        "mediaAuthenticityCategory": {
            "@id": f"{SCHEMA}mediaAuthenticityCategory",
            "@type": "@id",
        },
    }
}


def offline_loader(url, options=None):
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {"contextUrl": None, "documentUrl": url, "document": LOCAL_CONTEXT}


FIELDS = {
    "claim": "Surat suara sudah dicoblos sebelum hari pemungutan.",
    "rating": "false",
    "title": "Surat suara tidak dicoblos sebelum hari pemungutan",
    "body": "Surat suara disimpan tersegel di gudang KPU sampai hari pemungutan suara.",
    "title_en": "Ballots are not pre-marked",
    "body_en": "Ballots stay sealed in KPU's warehouses until voting day.",
    "sources": ["https://www.kpu.go.id/berita/baca/2", "PKPU 25/2023 Pasal 18"],
}


@pytest.fixture
def live(kpu_clarifier, kpu_approver, tiktok) -> Clarification:
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    clarification_submit(clarification=draft, user=kpu_clarifier)
    clarification = clarification_publish(clarification=draft, user=kpu_approver)
    for n in range(2):
        case = CaseFactory(
            video=VideoFactory(
                platform=tiktok,
                platform_video_id=f"73120000{n}",
                url=f"https://www.tiktok.com/@x/video/73120000{n}",
            )
        )
        DecisionFactory(case=case, action=Action.LABEL, clarification=clarification)
    # A held label decision does not count as a labelled video.
    held = CaseFactory(video=VideoFactory(platform=tiktok, platform_video_id="999"))
    DecisionFactory(
        case=held,
        action=Action.LABEL,
        clarification=clarification,
        approval_state=ApprovalState.PENDING,
    )
    return clarification


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    found: list[dict] = []
    for block in blocks:
        data = json.loads(block)
        found.extend(data if isinstance(data, list) else [data])
    return found


def test_the_claim_review_has_every_required_field(client, live):
    response = client.get(reverse("clarification_public", args=[live.pk]))
    assert response.status_code == 200
    documents = json_ld(response.content.decode())
    reviews = [d for d in documents if d["@type"] == "ClaimReview"]
    assert len(reviews) == 1
    review = reviews[0]
    assert review["@context"] == "https://schema.org"
    assert review["claimReviewed"] == FIELDS["claim"]
    assert review["url"].endswith(f"/klarifikasi/{live.pk}/")
    assert review["url"].startswith("http")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", review["datePublished"])
    assert review["author"]["@type"] == "Organization"
    assert review["author"]["name"] == "Komisi Pemilihan Umum Republik Indonesia"
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (1, 5, 1)
    assert rating["alternateName"] == "Salah"
    assert review["itemReviewed"]["@type"] == "Claim"
    assert sorted(a["url"] for a in review["itemReviewed"]["appearance"]) == [
        "https://www.tiktok.com/@x/video/731200000",
        "https://www.tiktok.com/@x/video/731200001",
    ]
    media = [d for d in documents if d["@type"] == "MediaReview"]
    assert len(media) == 2  # one per labelled video; the held one is not labelled yet
    for m in media:
        assert m["itemReviewed"]["@type"] == "MediaReviewItem"
        assert m["itemReviewed"]["creativeWork"]["@type"] == "VideoObject"
        assert m["mediaAuthenticityCategory"].startswith(SCHEMA)
        assert m["author"]["@type"] == "Organization"


def test_the_json_ld_parses_as_json_ld(client, live):
    documents = json_ld(
        client.get(reverse("clarification_public", args=[live.pk])).content.decode()
    )
    expanded = jsonld.expand(documents, {"documentLoader": offline_loader})
    types = sorted(t for node in expanded for t in node["@type"])
    assert types == [f"{SCHEMA}ClaimReview", f"{SCHEMA}MediaReview", f"{SCHEMA}MediaReview"]
    review = next(n for n in expanded if n["@type"] == [f"{SCHEMA}ClaimReview"])
    for prop in ("claimReviewed", "reviewRating", "author", "datePublished", "url", "itemReviewed"):
        assert f"{SCHEMA}{prop}" in review, prop
    rating = review[f"{SCHEMA}reviewRating"][0]
    for prop in ("ratingValue", "bestRating", "worstRating", "alternateName"):
        assert f"{SCHEMA}{prop}" in rating, prop
    assert review[f"{SCHEMA}url"][0]["@id"].endswith(f"/klarifikasi/{live.pk}/")


@pytest.mark.parametrize(
    ("rating", "value", "name"),
    [
        ("false", 1, "Salah"),
        ("misleading", 2, "Menyesatkan"),
        ("missing_context", 3, "Kurang konteks"),
        ("true", 5, "Benar"),
    ],
)
def test_each_rating_has_its_value_on_one_scale(
    client, kpu_clarifier, kpu_approver, rating, value, name
):
    draft = clarification_create(user=kpu_clarifier, **{**FIELDS, "rating": rating})
    clarification_submit(clarification=draft, user=kpu_clarifier)
    clarification_publish(clarification=draft, user=kpu_approver)
    review = json_ld(client.get(reverse("clarification_public", args=[draft.pk])).content.decode())[
        0
    ]
    got = review["reviewRating"]
    assert (got["ratingValue"], got["alternateName"]) == (value, name)
    assert WORST_RATING <= got["ratingValue"] <= BEST_RATING
    assert RATING_VALUES[rating] == value


def test_english_where_a_translation_exists(client, live):
    html = client.get(reverse("clarification_public", args=[live.pk]) + "?lang=en").content.decode()
    assert '<html lang="en">' in html
    assert "Ballots are not pre-marked" in html
    assert json_ld(html)[0]["reviewRating"]["alternateName"] == "False"
    live.title_en = live.body_en = ""
    live.save(update_fields=["title_en", "body_en"])
    html = client.get(reverse("clarification_public", args=[live.pk]) + "?lang=en").content.decode()
    assert '<html lang="id">' in html
    assert FIELDS["title"] in html


def test_the_page_is_cacheable_names_no_one_and_answers_304(
    client, live, kpu_clarifier, kpu_approver
):
    url = reverse("clarification_public", args=[live.pk])
    response = client.get(url)
    assert "public" in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]
    etag = response["ETag"]
    html = response.content.decode()
    for name in (kpu_clarifier.username, kpu_approver.username):
        assert not re.search(rf"\b{name}\b", html), name
    assert "csrfmiddlewaretoken" not in html
    assert "Set-Cookie" not in response.headers
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    # A new version changes the ETag.
    clarification_update(clarification=live, user=kpu_clarifier, title="Judul baru")
    clarification_submit(clarification=live, user=kpu_clarifier)
    clarification_publish(clarification=live, user=kpu_approver)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Judul baru" in changed.content.decode()
    assert "Versi 2" in changed.content.decode()


def test_a_retracted_page_stays_marked_without_its_review(client, live, kpu_approver):
    clarification_retract(clarification=live, user=kpu_approver, reason="Diganti klarifikasi baru.")
    response = client.get(reverse("clarification_public", args=[live.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Klarifikasi ini telah ditarik" in html
    assert "Diganti klarifikasi baru." in html
    assert json_ld(html) == []


def test_drafts_have_no_public_page(client, kpu_clarifier):
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    assert client.get(reverse("clarification_public", args=[draft.pk])).status_code == 404


def test_the_public_list_searches_and_shows_no_drafts(client, live, kpu_clarifier):
    clarification_create(user=kpu_clarifier, **{**FIELDS, "title": "Draf rahasia"})
    html = client.get(reverse("clarification_public_list")).content.decode()
    assert FIELDS["title"] in html
    assert "Draf rahasia" not in html
    assert (
        FIELDS["title"]
        not in client.get(reverse("clarification_public_list") + "?q=tinta").content.decode()
    )
    assert "public" in client.get(reverse("clarification_public_list"))["Cache-Control"]


def test_the_public_api_lists_published_and_retracted_as_in_the_callback(
    client, live, kpu_clarifier, kpu_approver, django_assert_max_num_queries
):
    clarification_create(user=kpu_clarifier, **{**FIELDS, "title": "Draf"})
    with django_assert_max_num_queries(5):
        response = client.get(reverse("api-public-clarifications"))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    for key in (
        "clarification_id",
        "version",
        "title",
        "body",
        "language",
        "rating",
        "claim",
        "sources",
        "url",
        "video_ids",
        "published_at",
        "status",
    ):
        assert key in item
    assert item["video_ids"] == ["731200000", "731200001"]
    assert item["status"] == "published"
    assert not re.search(r"\b(sari|hasan)\b", response.content.decode())
    assert (
        client.get(
            reverse("api-public-clarifications"), HTTP_IF_NONE_MATCH=response["ETag"]
        ).status_code
        == 304
    )
    clarification_retract(clarification=live, user=kpu_approver, reason="x")
    since = client.get(reverse("api-public-clarifications") + "?since=2000-01-01T00:00:00Z")
    assert since.json()["results"][0]["status"] == "retracted"
    assert (
        client.get(reverse("api-public-clarifications") + "?since=2999-01-01T00:00:00Z").json()[
            "count"
        ]
        == 0
    )


def test_the_public_api_refuses_a_bad_since_with_problem_json(client):
    response = client.get(reverse("api-public-clarifications") + "?since=kemarin")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")


def test_the_public_page_varies_on_nothing_personal_and_costs_few_queries(
    client, live, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("clarification_public", args=[live.pk]))
    assert "Cookie" not in response.get("Vary", "")
    with django_assert_max_num_queries(4):
        client.get(reverse("clarification_public_list"))


def test_a_newly_labelled_video_changes_the_etags(client, live, tiktok):
    page = reverse("clarification_public", args=[live.pk])
    api = reverse("api-public-clarifications")
    before = client.get(page)["ETag"], client.get(api)["ETag"]
    case = CaseFactory(video=VideoFactory(platform=tiktok, platform_video_id="7312999"))
    DecisionFactory(case=case, action=Action.LABEL, clarification=live)
    after = client.get(page, HTTP_IF_NONE_MATCH=before[0])
    assert after.status_code == 200
    assert len(json_ld(after.content.decode())) == 4  # the review and three MediaReviews
    assert client.get(api, HTTP_IF_NONE_MATCH=before[1]).status_code == 200
    assert "7312999" in client.get(api).json()["results"][0]["video_ids"]

"""The case page's clarification panel and hoax wave, over HTTP: suggestions with their score
and matched words, attaching (by key press or search), the wave and applying its decision."""

import re

import pytest

from moderation.choices import Action, CaseStatus, ClarificationStatus
from moderation.models import CaseClarification, Decision
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from tests.clients import signed_in
from tests.factories import IndexedClarificationFactory, VideoFactory

pytestmark = pytest.mark.django_db

CAPTION = "PEMILU 2024 DIUNDUR ke 2025!! kata orang dalam KPU, sebarkan #pemiluditunda"
COPY = "pemilu 2024 diundur ke 2025!!! kata orang dalam kpu, sebarkan #pemiluditunda"


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
def captioned(make_case, tiktok):
    def make(caption, platform=None, **kwargs):  # type: ignore[no-untyped-def]
        platform = platform or tiktok
        return make_case(platform, video=VideoFactory(platform=platform, caption=caption), **kwargs)

    return make


def test_case_page_shows_suggestions_with_score_matched_words_and_key_hints(
    moderator, captioned, postponed
):
    case = captioned(CAPTION)
    body = signed_in(moderator).get(f"/cases/{case.pk}/").content.decode()
    assert f'data-suggestion="{postponed.pk}"' in body
    assert "<mark>diundur</mark>" in body
    assert re.search(r"skor [01][.,]\d\d", body)
    assert 'data-attach-key="1"' in body
    assert "<kbd>Shift</kbd>+<kbd>1</kbd>" in body
    assert "waves.js" in body
    assert "<script>" not in body  # no inline script


def test_no_suggestion_when_nothing_fits(moderator, captioned, postponed):
    case = captioned("resep nasi goreng kampung enak banget")
    body = signed_in(moderator).get(f"/cases/{case.pk}/").content.decode()
    assert "data-suggestion=" not in body
    assert 'data-state="no-suggestion"' in body


def test_attach_a_suggestion_is_audited(moderator, captioned, postponed):
    case = captioned(CAPTION)
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/clarifications/", {"clarification": postponed.pk}, follow=True
    )
    assert response.status_code == 200
    assert CaseClarification.objects.filter(case=case, clarification=postponed).exists()
    assert case.audit_events.filter(action="clarification.attach").count() == 1
    body = response.content.decode()
    assert "sudah terlampir" in body


@pytest.mark.parametrize("value", ["999999", "abc", ""])
def test_attach_an_unknown_clarification_is_a_form_error(moderator, captioned, value):
    case = captioned(CAPTION)
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/clarifications/", {"clarification": value}, follow=True
    )
    assert response.status_code == 200
    assert "Pilih klarifikasi yang sudah terbit." in response.content.decode()
    assert not CaseClarification.objects.exists()


def test_attach_a_retracted_clarification_is_a_form_error(moderator, captioned, postponed):
    postponed.status = ClarificationStatus.RETRACTED
    postponed.save(update_fields=["status"])
    case = captioned(CAPTION)
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/clarifications/", {"clarification": postponed.pk}, follow=True
    )
    assert "Pilih klarifikasi yang sudah terbit." in response.content.decode()
    assert not CaseClarification.objects.exists()


def test_attach_on_another_platforms_case_is_refused(
    moderator, captioned, postponed, other_platform
):
    case = captioned(CAPTION, platform=other_platform)
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/clarifications/", {"clarification": postponed.pk}
    )
    assert response.status_code == 403
    assert not CaseClarification.objects.exists()


def test_search_fragment(moderator, captioned, postponed, other_platform):
    case = captioned(CAPTION)
    client = signed_in(moderator)
    found = client.get(f"/cases/{case.pk}/clarifications/search/", {"q": "diundur"})
    assert found.status_code == 200
    assert f'data-search-result="{postponed.pk}"' in found.content.decode()
    none = client.get(f"/cases/{case.pk}/clarifications/search/", {"q": "tinta babi"})
    assert 'data-state="no-result"' in none.content.decode()
    long = client.get(f"/cases/{case.pk}/clarifications/search/", {"q": "a" * 3000})
    assert long.status_code == 200
    # Past the URL limit (4096) the answer is a 414 problem, never a 500.
    too_long = client.get(f"/cases/{case.pk}/clarifications/search/", {"q": "a" * 5000})
    assert too_long.status_code == 414
    elsewhere = captioned(CAPTION, platform=other_platform)
    assert client.get(f"/cases/{elsewhere.pk}/clarifications/search/?q=x").status_code == 403


@pytest.fixture
def source(captioned, second_moderator, postponed) -> Decision:
    case = case_claim(case=captioned(CAPTION), user=second_moderator)
    return decision_record(
        case=case,
        user=second_moderator,
        version=case.version,
        action=Action.LABEL,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Klaim pemilu diundur keliru; lihat klarifikasi resmi KPU.",
        clarification=postponed,
    )


def test_the_wave_is_shown_on_the_case_page_and_marked_in_the_queue(moderator, captioned, source):
    copy = captioned(COPY)
    client = signed_in(moderator)
    body = client.get(f"/cases/{copy.pk}/").content.decode()
    assert 'id="wave"' in body
    assert f'data-wave-member="{copy.pk}"' in body
    assert "Klaim pemilu diundur keliru" in body
    queue = client.get("/queues/informasi-palsu/").content.decode()
    row = queue.split(f'data-case="{copy.pk}"')[1].split("data-row-link")[0]
    assert "data-wave" in row


def test_apply_the_wave_decision_from_the_case_page(moderator, second_moderator, captioned, source):
    first, second = captioned(COPY), captioned(COPY + " ya")
    taken = case_claim(case=captioned(COPY + " dong"), user=second_moderator)
    response = signed_in(moderator).post(
        f"/cases/{first.pk}/wave/",
        {"source": source.pk, "cases": [first.pk, second.pk, taken.pk]},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Keputusan diterapkan pada 2 kasus" in body
    assert f"Kasus #{taken.pk} tidak diubah: Sedang ditangani oleh budi." in body
    for case in (first, second):
        case.refresh_from_db()
        assert case.status == CaseStatus.DECIDED
        assert Decision.objects.get(case=case).decided_by == moderator
    assert not Decision.objects.filter(case=taken).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"cases": []},  # empty selection
        {"cases": ["abc"]},
        {"source_override": "999999"},  # unknown source
        {"source_override": "abc"},
    ],
)
def test_apply_bad_input_is_a_message_never_a_500(moderator, captioned, source, data):
    first = captioned(COPY)
    post = {
        "source": data.get("source_override", source.pk),
        "cases": data.get("cases", [first.pk]),
    }
    response = signed_in(moderator).post(f"/cases/{first.pk}/wave/", post, follow=True)
    assert response.status_code == 200
    assert 'class="alert error"' in response.content.decode()
    assert Decision.objects.count() == 1


def test_apply_refuses_a_case_of_another_platform(moderator, captioned, source, other_platform):
    first = captioned(COPY)
    elsewhere = captioned(COPY, platform=other_platform)
    response = signed_in(moderator).post(
        f"/cases/{first.pk}/wave/", {"source": source.pk, "cases": [elsewhere.pk]}, follow=True
    )
    assert "bukan anggota gelombang ini" in response.content.decode()
    assert Decision.objects.count() == 1
    assert (
        signed_in(moderator)
        .post(f"/cases/{elsewhere.pk}/wave/", {"source": source.pk, "cases": [elsewhere.pk]})
        .status_code
        == 403
    )

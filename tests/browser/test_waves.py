"""A moderator meets a hoax wave in Chromium: KPU's published clarification is suggested with
the words that matched, one key press attaches it, and the decision already taken on the
first video of the wave is applied to two more members."""

import re

import pytest
from playwright.sync_api import expect

from moderation.choices import Action, CaseStatus
from moderation.models import CaseClarification, Decision
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from tests.browser.conftest import shot
from tests.factories import IndexedClarificationFactory, VideoFactory

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE = "PEMILU 2024 DIUNDUR ke 2025!! kata orang dalam KPU, sebarkan #pemiluditunda"
COPIES = [
    "pemilu 2024 diundur ke 2025!!! kata orang dalam kpu, sebarkan #pemiluditunda",
    "Pemilu 2024 diundur ke 2025 kata orang dalam KPU sebarkan ya #pemiluditunda",
    "PEMILU 2024 DIUNDUR KE 2025 kata orang dalam KPU, sebarkan!! #pemiluditunda #fyp",
]


def test_moderator_attaches_a_suggestion_with_one_key_and_applies_the_wave_decision(
    new_page, moderator, second_moderator, kpu_clarifier, make_case, tiktok, current_phase
):
    clarification = IndexedClarificationFactory(
        author=kpu_clarifier,
        claim="Pemilu 2024 diundur ke tahun 2025.",
        title="Pemilu 2024 tidak diundur",
        body="KPU menegaskan pemungutan suara tetap 14 Februari 2024 sesuai PKPU 3/2022.",
        keywords=["pemilu diundur", "pemilu ditunda"],
    )

    def case_with(caption):  # type: ignore[no-untyped-def]
        return make_case(video=VideoFactory(platform=tiktok, caption=caption))

    decided = case_claim(case=case_with(SOURCE), user=second_moderator)
    source = decision_record(
        case=decided,
        user=second_moderator,
        version=decided.version,
        action=Action.LABEL,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Klaim pemilu diundur keliru; lihat klarifikasi resmi KPU.",
        clarification=clarification,
    )
    here, second, third = (case_with(caption) for caption in COPIES)

    page = new_page(moderator)
    page.goto(f"/cases/{here.pk}/")
    suggestion = page.locator(f'[data-suggestion="{clarification.pk}"]')
    expect(suggestion).to_contain_text("Pemilu 2024 tidak diundur")
    expect(suggestion.locator("mark", has_text="diundur")).to_be_visible()
    expect(suggestion.locator(".score")).to_have_text(re.compile(r"skor [01][.,]\d\d"))
    expect(suggestion.get_by_role("button", name=re.compile("Lampirkan"))).to_contain_text(
        "Shift+1"
    )
    expect(page.locator("#wave")).to_be_visible()
    shot(page, "waves-01-case-with-suggestion-and-wave")

    page.locator("body").click(position={"x": 5, "y": 5})  # focus the page, not a field
    page.keyboard.press("Shift+Digit1")
    expect(page.locator(".messages")).to_contain_text("Klarifikasi dilampirkan")
    expect(suggestion).to_contain_text("sudah terlampir")
    assert CaseClarification.objects.filter(case=here, clarification=clarification).exists()
    assert here.audit_events.filter(action="clarification.attach").count() == 1
    shot(page, "waves-02-attached")

    wave = page.locator("#wave")
    expect(wave.locator("[data-wave-member]")).to_have_count(3)
    wave.locator(f'input[name="cases"][value="{second.pk}"]').check()
    wave.locator(f'input[name="cases"][value="{third.pk}"]').check()
    shot(page, "waves-03-members-selected")
    wave.get_by_role("button", name=re.compile("Terapkan keputusan")).click()

    expect(page.locator(".messages")).to_contain_text("Keputusan diterapkan pada 2 kasus")
    shot(page, "waves-04-applied")
    for member in (second, third):
        decision = Decision.objects.get(case=member)
        assert (decision.action, decision.clarification_id, decision.decided_by_id) == (
            Action.LABEL,
            clarification.pk,
            moderator.pk,
        )
        assert decision.statement_of_reasons == source.statement_of_reasons
        member.refresh_from_db()
        assert member.status == CaseStatus.DECIDED
    assert not Decision.objects.filter(case=here).exists()  # not selected

    page.goto("/queues/informasi-palsu/")
    expect(page.locator(f'[data-case="{here.pk}"] [data-wave]')).to_be_visible()
    shot(page, "waves-05-queue-marked")


def test_kpu_attaches_a_clarification_to_the_open_cases_of_a_search(
    new_page, kpu_clarifier, make_case, tiktok, other_platform, current_phase
):
    clarification = IndexedClarificationFactory(
        author=kpu_clarifier,
        claim="Pemilu 2024 diundur ke tahun 2025.",
        title="Pemilu 2024 tidak diundur",
        body="KPU menegaskan pemungutan suara tetap 14 Februari 2024.",
    )
    ours = [
        make_case(video=VideoFactory(platform=tiktok, caption=caption), priority=60 - i)
        for i, caption in enumerate(COPIES)
    ]
    theirs = make_case(
        other_platform, video=VideoFactory(platform=other_platform, caption=COPIES[0])
    )
    unrelated = make_case(video=VideoFactory(platform=tiktok, caption="resep nasi goreng"))

    page = new_page(kpu_clarifier)
    page.goto(f"/clarifications/{clarification.pk}/attach/")
    page.fill('input[name="q"]', "pemilu diundur")
    page.get_by_role("button", name="Cari kasus").click()
    listed = page.locator("[data-will-change] tbody tr")
    expect(listed).to_have_count(4)  # KPU works every platform
    expect(page.locator(f'[data-will-change] [data-case="{unrelated.pk}"]')).to_have_count(0)
    page.locator(f'input[name="cases"][value="{theirs.pk}"]').uncheck()
    shot(page, "waves-06-bulk-attach-confirm")
    page.get_by_role("button", name="Lampirkan ke kasus terpilih").click()

    expect(page.locator(".messages")).to_contain_text("Klarifikasi dilampirkan ke 3 kasus.")
    expect(page.locator("[data-already] li")).to_have_count(3)
    expect(page.locator("[data-will-change] tbody tr")).to_have_count(1)
    shot(page, "waves-07-bulk-attach-done")
    for case in ours:
        assert CaseClarification.objects.filter(case=case, clarification=clarification).exists()
    assert not CaseClarification.objects.filter(case=theirs).exists()


def test_moderator_finds_a_clarification_by_search_and_attaches_it(
    new_page, moderator, kpu_clarifier, make_case, tiktok, current_phase
):
    ink = IndexedClarificationFactory(
        author=kpu_clarifier,
        claim="Tinta pemilu mengandung babi.",
        title="Tinta pemilu halal",
        body="Tinta pemilu telah bersertifikat halal dari MUI.",
    )
    case = make_case(video=VideoFactory(platform=tiktok, caption="lihat video ini sampai habis"))
    page = new_page(moderator)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator('[data-state="no-suggestion"]')).to_be_visible()
    page.locator("#clar-search-q").fill("tinta")
    result = page.locator(f'[data-search-result="{ink.pk}"]')
    expect(result).to_contain_text("Tinta pemilu halal")
    shot(page, "waves-08-search")
    result.get_by_role("button", name="Lampirkan").click()
    expect(page.locator(".messages")).to_contain_text("Klarifikasi dilampirkan")
    assert CaseClarification.objects.filter(case=case, clarification=ink).exists()

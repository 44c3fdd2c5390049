"""KPU's clarification workflow in Chromium: a clarifier drafts with the live preview and
submits; an approver sends it back with a comment; the clarifier sees the comment, fixes the
text and resubmits; the approver publishes (the platform's callback server receives version 1);
editing the published clarification opens version 2 while version 1 stays live; the diff shows
the change; publishing version 2 re-sends the callback with version 2; retraction sends
clarification.retracted and leaves the public page, marked retracted. Four eyes is visible as
a disabled button with its reason. Every page is screenshotted."""

import re

import pytest
from playwright.sync_api import expect

from moderation.clarifications.services import clarification_create, clarification_submit
from moderation.models import Clarification
from moderation.outbound.callbacks import deliveries_drain
from tests.browser.conftest import shot
from tests.outbound.support import platform_server

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM = "Pemilu 2024 diundur ke 2025 karena anggaran habis."
TITLE = "Pemilu 2024 tetap 14 Februari 2024"
BODY = "KPU menetapkan hari pemungutan suara pada 14 Februari 2024. Tidak ada penundaan."
BODY_FIXED = BODY + " Jadwal ini ditetapkan dalam PKPU 3/2022 dan tidak berubah."
TITLE_V2 = "Pemungutan suara tetap Rabu, 14 Februari 2024"


@pytest.fixture
def recording_tiktok(tiktok):
    with platform_server() as server:
        tiktok.callback_url = server.url
        tiktok.save(update_fields=["callback_url"])
        server.secret = tiktok.callback_secret
        yield server


def events(server) -> list[tuple[str, int]]:
    return [(r.json["type"], r.json["data"]["version"]) for r in server.received]


def test_a_clarification_from_draft_to_version_2_and_retraction(
    new_page, kpu_clarifier, kpu_approver, recording_tiktok
):
    # Hasan's own draft waits too: the queue shows him why he cannot publish it.
    own = clarification_create(
        user=kpu_approver,
        claim="Bisa nyoblos tanpa undangan C6?",
        rating="missing_context",
        title="Pemilih tanpa C6 tetap bisa memilih dengan KTP-el",
        body="Pemilih di DPT cukup membawa KTP-el.",
        sources=["PKPU 25/2023 Pasal 18"],
    )
    clarification_submit(clarification=own, user=kpu_approver)

    # --- Sari drafts with the live preview and submits ---------------------------------
    sari = new_page(kpu_clarifier)
    sari.goto("/clarifications/")
    expect(sari.locator("h1")).to_have_text("Klarifikasi resmi KPU")
    sari.get_by_role("link", name="Tulis klarifikasi").click()
    expect(sari).to_have_url(re.compile(r"/clarifications/new/$"))
    sari.fill("#id_claim", CLAIM)
    sari.check("input[name=rating][value=false]")
    sari.fill("#id_title", TITLE)
    sari.fill("#id_body", BODY)
    sari.fill("#id_sources", "https://www.kpu.go.id/berita/baca/12\nlihat grup WA")
    sari.fill("#id_keywords", "pemilu ditunda, pemilu diundur")
    sari.check("input[name=reasons][value=hoax]")
    expect(sari.locator("#preview .clar-title")).to_have_text(TITLE)
    expect(sari.locator("#preview .rating")).to_have_text("Salah")
    expect(sari.locator("#preview .clar-sources a")).to_have_text(
        "https://www.kpu.go.id/berita/baca/12"
    )
    shot(sari, "clar-01-editor-preview")
    sari.get_by_role("button", name="Simpan draf").click()
    # "lihat grup WA" is neither a URL nor a regulation reference: a form error, nothing lost.
    expect(sari.locator("[data-form-errors]")).to_be_visible()
    expect(sari.locator(".field-sources .errorlist")).to_contain_text("lihat grup WA")
    expect(sari.locator("#id_title")).to_have_value(TITLE)
    expect(sari.locator("#id_body")).to_have_value(BODY)
    shot(sari, "clar-02-editor-error")
    sari.fill("#id_sources", "https://www.kpu.go.id/berita/baca/12\nPKPU 3/2022 Pasal 1")
    sari.get_by_role("button", name="Simpan draf").click()
    expect(sari.locator(".messages")).to_contain_text("disimpan")
    clarification = Clarification.objects.exclude(pk=own.pk).get()
    expect(sari).to_have_url(re.compile(rf"/clarifications/{clarification.pk}/edit/$"))
    sari.get_by_role("button", name="Simpan dan ajukan").click()
    expect(sari).to_have_url(re.compile(rf"/clarifications/{clarification.pk}/$"))
    expect(sari.locator(".page-head .clar-status")).to_have_text("Dalam tinjauan")
    shot(sari, "clar-03-detail-in-review")

    # --- Hasan sends it back with a comment -------------------------------------------
    hasan = new_page(kpu_approver)
    hasan.goto("/clarifications/review/")
    expect(hasan.locator(".approval-item")).to_have_count(2)
    mine = hasan.locator(f'.approval-item[data-clarification="{own.pk}"]')
    expect(mine.locator("button[data-publish]")).to_be_disabled()
    expect(mine.locator("[data-refusal]")).to_have_text(
        "Penulis tidak boleh menyetujui klarifikasinya sendiri."
    )
    item = hasan.locator(f'.approval-item[data-clarification="{clarification.pk}"]')
    expect(item.locator("button[data-publish]")).to_be_enabled()
    shot(hasan, "clar-04-review-queue")
    item.locator("textarea[name=note]").fill("Sebutkan dasar hukumnya di isi.")
    item.get_by_role("button", name="Kembalikan ke penulis").click()
    expect(hasan.locator(".messages")).to_contain_text("dikembalikan ke penulis")
    expect(hasan.locator(".approval-item")).to_have_count(1)

    # --- Sari sees the comment, fixes the text, resubmits ------------------------------
    sari.goto("/notifications/")
    expect(sari.locator("#main")).to_contain_text("dikembalikan oleh hasan")
    shot(sari, "clar-05-notification")
    sari.get_by_role("link", name=re.compile("dikembalikan oleh hasan")).first.click()
    expect(sari.locator("[data-review-note]")).to_contain_text("Sebutkan dasar hukumnya di isi.")
    sari.get_by_role("link", name="Ubah").click()
    expect(sari.locator("[data-review-note]")).to_contain_text("Sebutkan dasar hukumnya di isi.")
    sari.fill("#id_body", BODY_FIXED)
    expect(sari.locator("#preview .clar-body")).to_contain_text("PKPU 3/2022")
    # The draft saves itself a few seconds after typing stops.
    expect(sari.locator("#autosave-status")).to_contain_text("Tersimpan otomatis", timeout=8000)
    assert Clarification.objects.get(pk=clarification.pk).body == BODY_FIXED
    shot(sari, "clar-06-editor-fix")
    sari.get_by_role("button", name="Simpan dan ajukan").click()
    expect(sari.locator(".page-head .clar-status")).to_have_text("Dalam tinjauan")

    # --- Hasan publishes: version 1 reaches the platform -------------------------------
    hasan.goto("/clarifications/review/")
    hasan.locator(f'.approval-item[data-clarification="{clarification.pk}"]').get_by_role(
        "button", name="Terbitkan"
    ).click()
    expect(hasan.locator(".messages")).to_contain_text("versi 1 terbit")
    shot(hasan, "clar-07-published")
    deliveries_drain()
    assert events(recording_tiktok) == [("clarification.published", 1)]
    assert all(r.signature_ok for r in recording_tiktok.received)

    public = new_page()
    public.goto(f"/klarifikasi/{clarification.pk}/")
    expect(public.locator("h1.clar-title")).to_have_text(TITLE)
    expect(public.locator(".clar-meta")).to_contain_text("Versi 1")
    shot(public, "clar-08-public-v1")

    # --- Sari edits the published clarification: version 2, version 1 stays live ---------
    sari.goto(f"/clarifications/{clarification.pk}/")
    sari.get_by_role("link", name="Tulis versi baru").click()
    expect(sari.locator("[data-revision]")).to_contain_text("Anda menulis versi 2")
    sari.fill("#id_title", TITLE_V2)
    sari.get_by_role("button", name="Simpan dan ajukan").click()
    expect(sari.locator("section[data-revision]")).to_contain_text("Versi 2")
    shot(sari, "clar-09-detail-revision")
    public.reload()
    expect(public.locator("h1.clar-title")).to_have_text(TITLE)

    # --- Hasan reads the diff and publishes version 2 ----------------------------------
    hasan.goto("/clarifications/review/")
    hasan.get_by_role("link", name="lihat perbedaan").click()
    expect(hasan.locator("h1")).to_contain_text("1 → 2")
    title_diff = hasan.locator(".diff-field.changed").first
    expect(title_diff.locator("del")).to_contain_text("Pemilu 2024")
    expect(title_diff.locator("ins")).to_have_text(["Pemungutan suara ", "Rabu, "])
    shot(hasan, "clar-10-diff")
    hasan.goto("/clarifications/review/")
    hasan.locator(f'.approval-item[data-clarification="{clarification.pk}"]').get_by_role(
        "button", name="Terbitkan"
    ).click()
    expect(hasan.locator(".messages")).to_contain_text("versi 2 terbit")
    deliveries_drain()
    assert events(recording_tiktok) == [
        ("clarification.published", 1),
        ("clarification.published", 2),
    ]
    assert recording_tiktok.received[-1].json["data"]["title"] == TITLE_V2
    public.reload()
    expect(public.locator("h1.clar-title")).to_have_text(TITLE_V2)
    expect(public.locator(".clar-meta")).to_contain_text("Versi 2")
    shot(public, "clar-11-public-v2")
    hasan.goto(f"/clarifications/{clarification.pk}/")
    expect(hasan.locator(".versions tr[data-version]")).to_have_count(2)
    hasan.get_by_role("link", name="v1").click()
    expect(hasan.locator("h2.clar-title")).to_have_text(TITLE)
    shot(hasan, "clar-12-version-1")

    # --- Hasan retracts: the platform hears, the public page stays, marked -------------
    hasan.goto(f"/clarifications/{clarification.pk}/")
    hasan.fill("#retract-reason", "Digabung dengan klarifikasi jadwal pemilu yang lebih lengkap.")
    hasan.get_by_role("button", name="Tarik").click()
    expect(hasan.locator(".page-head .clar-status")).to_have_text("Ditarik")
    shot(hasan, "clar-13-retracted")
    deliveries_drain()
    assert events(recording_tiktok)[-1] == ("clarification.retracted", 2)
    public.reload()
    expect(public.locator(".retracted")).to_contain_text("Klarifikasi ini telah ditarik")
    expect(public.locator(".retracted")).to_contain_text("Digabung dengan klarifikasi")
    shot(public, "clar-14-public-retracted")

    # The list shows it with its status and its (zero) cases.
    sari.goto("/clarifications/?status=retracted")
    expect(sari.locator("tbody tr[data-clarification]")).to_have_count(1)
    expect(sari.locator("tbody tr [data-case-count]")).to_have_text("0")
    shot(sari, "clar-15-list")


def test_the_public_list_and_english_page(new_page, kpu_clarifier, kpu_approver):
    from moderation.clarifications.services import clarification_publish

    draft = clarification_create(
        user=kpu_clarifier,
        claim="Surat suara sudah dicoblos sebelum hari pemungutan.",
        rating="false",
        title="Surat suara tidak dicoblos sebelum hari pemungutan",
        body="Surat suara disimpan tersegel sampai hari pemungutan suara.",
        title_en="Ballots are not pre-marked",
        body_en="Ballots stay sealed until voting day.",
        sources=["https://www.kpu.go.id/berita/baca/2"],
    )
    clarification_submit(clarification=draft, user=kpu_clarifier)
    clarification_publish(clarification=draft, user=kpu_approver)
    page = new_page()
    page.goto("/klarifikasi/")
    expect(page.locator(".public-list li")).to_have_count(1)
    shot(page, "clar-16-public-list")
    page.get_by_role("link", name="English").click()
    page.get_by_role("link", name="Ballots are not pre-marked").click()
    expect(page.locator("h1.clar-title")).to_have_text("Ballots are not pre-marked")
    expect(page.locator(".rating")).to_have_text("False")
    shot(page, "clar-17-public-en")

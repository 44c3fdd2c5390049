"""Issue 14 in Chromium: a moderator's whole shift without a stumble. Reloads keep the claim,
``n`` asks the skip reason and opens the next case, decisions advance, typed text survives a
reassignment, thumbnails come blurred through our proxy, settled cases show their SLA outcome,
the preferences page, the lockout page, and the case page in English."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from moderation.choices import AuditAction, CaseStatus
from moderation.models import AuditEvent, Case, Video
from moderation.review.claims import case_reassign
from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "informasi-palsu"
PNG = Path("/usr/share/pixmaps/chromium.png")


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def claim_from_queue(page, case):
    page.goto(f"/queues/{QUEUE}/")
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/\?queue={QUEUE}$"))
    expect(page.locator("#lease")).to_be_visible()


def test_two_quick_reloads_keep_the_claim_and_write_nothing(new_page, moderator, make_case):
    case = make_case()
    page = new_page(moderator)
    claim_from_queue(page, case)
    events = AuditEvent.objects.filter(case=case).count()
    page.reload()
    page.reload()
    expect(page.locator("#lease")).to_contain_text("Anda memegang klaim")
    # The new page's first lease call renews what the old page's beacon cut short.
    assert wait_for(
        lambda: (
            Case.objects.get(pk=case.pk).lease_expires_at > timezone.now() + timedelta(minutes=5)
        )
    )
    held = Case.objects.get(pk=case.pk)
    assert (held.assignee_id, held.status) == (moderator.pk, CaseStatus.IN_REVIEW)
    assert AuditEvent.objects.filter(case=case).count() == events
    shot(page, "14-07-case-after-two-reloads")


def test_n_on_a_held_case_asks_the_skip_reason_then_opens_the_next(new_page, moderator, make_case):
    first = make_case(priority=90)
    following = make_case(priority=40)
    page = new_page(moderator)
    claim_from_queue(page, first)
    page.keyboard.press("n")
    expect(page.locator("#skip-popover")).to_have_attribute("open", "")
    expect(page.locator("[data-skip-next-hint]")).to_be_visible()
    assert Case.objects.get(pk=first.pk).assignee_id == moderator.pk  # nothing released yet
    shot(page, "14-08-n-asks-the-skip-reason")
    page.select_option("#skip-popover select[name=reason]", "language")
    page.locator("#skip-popover").get_by_role("button", name="Lewati kasus").click()
    expect(page).to_have_url(re.compile(rf"/cases/{following.pk}/\?queue={QUEUE}$"))
    expect(page.locator(".messages")).to_contain_text(f"Kasus #{first.pk} dilewati.")
    skip = AuditEvent.objects.filter(case=first).latest("pk")
    assert (skip.action, skip.after["reason"]) == (AuditAction.CASE_SKIP, "language")
    shot(page, "14-03-next-case-after-skip")


def test_a_decision_opens_the_next_case_unless_turned_off(new_page, moderator, make_case):
    first = make_case(priority=90)
    second = make_case(priority=60)
    make_case(priority=30)
    page = new_page(moderator)
    claim_from_queue(page, first)
    page.locator('label.action-option[data-action="no_action"]').click()
    page.fill("#id_statement_of_reasons", "Tidak melanggar pedoman.")
    page.get_by_role("button", name=re.compile("Catat keputusan")).click()
    expect(page).to_have_url(re.compile(rf"/cases/{second.pk}/\?queue={QUEUE}$"))
    expect(page.locator(".messages")).to_contain_text(f"untuk kasus #{first.pk}")
    shot(page, "14-03-next-case-after-decision")

    page.locator("a.who").click()
    expect(page).to_have_url(re.compile(r"/preferences/$"))
    page.locator("#id_auto_advance").uncheck()
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".messages")).to_contain_text("Preferensi disimpan.")
    shot(page, "14-03-preferences")

    page.goto(f"/cases/{second.pk}/?queue={QUEUE}")
    page.locator('label.action-option[data-action="no_action"]').click()
    page.fill("#id_statement_of_reasons", "Tidak melanggar pedoman.")
    page.get_by_role("button", name=re.compile("Catat keputusan")).click()
    expect(page).to_have_url(re.compile(rf"/queues/{QUEUE}/$"))


def test_typed_text_survives_a_reassignment(
    new_page, moderator, second_moderator, supervisor, make_case
):
    case = make_case()
    page = new_page(moderator)
    claim_from_queue(page, case)
    page.fill("#id_statement_of_reasons", "Klaim tanggal pemungutan suara keliru; lihat PKPU.")
    assert wait_for(lambda: case.decision_drafts.filter(user=moderator).exists())
    case_reassign(case=Case.objects.get(pk=case.pk), user=supervisor, assignee=second_moderator)
    page.reload()
    draft = page.locator('[data-state="draft-kept"]')
    expect(draft).to_be_visible()
    expect(draft.locator("textarea")).to_have_value(
        "Klaim tanggal pemungutan suara keliru; lihat PKPU."
    )
    shot(page, "14-04-draft-kept-after-reassignment")


def test_the_thumbnail_comes_blurred_through_our_proxy(new_page, moderator, make_case, httpserver):
    if not PNG.exists():
        pytest.skip(f"{PNG} is missing")
    httpserver.expect_request("/t/1.png").respond_with_data(
        PNG.read_bytes(), content_type="image/png"
    )
    case = make_case()
    Video.objects.filter(pk=case.video_id).update(thumbnail_url=httpserver.url_for("/t/1.png"))
    page = new_page(moderator)
    page.goto(f"/cases/{case.pk}/")
    thumb = page.locator("[data-thumb]")
    expect(thumb).to_have_class(re.compile("blurred"))
    expect(page.locator("[data-thumb-img]")).to_have_attribute(
        "src", f"/cases/{case.pk}/thumbnail/"
    )
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-thumb-img]');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    expect(page.locator("[data-embed-link]")).to_have_attribute(
        "href", re.compile(r"^https://www\.tiktok\.com/embed/v2/")
    )
    shot(page, "14-11-thumbnail-blurred")
    page.get_by_role("button", name="Tampilkan gambar").click()
    expect(thumb).not_to_have_class(re.compile("blurred"))
    shot(page, "14-11-thumbnail-revealed")


def test_a_decided_case_shows_its_sla_outcome_in_english(new_page, moderator, make_case):
    case = make_case()
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.DECIDED,
        decided_at=now - timedelta(hours=1),
        due_at=now - timedelta(hours=18),
    )
    page = new_page(moderator, language="en")
    page.goto("/queues/")
    page.select_option("#language-switch", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator('[data-state="sla-missed"]')).to_contain_text("missed by 17 h")
    expect(page.locator(".meta")).not_to_contain_text("overdue")
    expect(page.locator(".breakdown-table")).to_contain_text("250K views")
    expect(page.locator(".breakdown-table")).to_contain_text("reason: Hoax")
    shot(page, "14-06-decided-case-en")


def test_the_lockout_page(new_page, moderator, settings):
    page = new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto("/login/")
        page.fill("#id_username", "rina")
        page.fill("#id_password", "salah")
        page.click("button[type=submit]")
    expect(page.locator('[data-state="locked-out"]')).to_contain_text("Coba lagi setelah pukul")
    shot(page, "14-12-lockout")

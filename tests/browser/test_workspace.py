"""A moderator's shift in Chromium: claim, decide, race, conflict, approval, appeal, keyboard,
language and refusal. Each test signs in through the real login form."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from moderation.choices import Action, ApprovalState, CaseStatus
from moderation.clarifications.services import clarification_attach
from moderation.models import AuditEvent, Case, Decision
from moderation.review.claims import LET_GO_GRACE
from tests.browser.conftest import shot
from tests.factories import PublishedClarificationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_moderator_claims_next_and_records_a_label_decision(
    new_page, moderator, kpu_clarifier, make_case, current_phase
):
    other = make_case(priority=20)
    top = make_case(priority=90, flags=3)
    clarification = PublishedClarificationFactory(
        author=kpu_clarifier, title="Pemilih cukup membawa KTP-el"
    )
    login = new_page()
    login.goto("/login/")
    shot(login, "00-login")

    page = new_page(moderator)
    expect(page).to_have_url(re.compile(r"/queues/$"))
    expect(page.locator(".phase-banner h1")).to_have_text("Masa kampanye")
    shot(page, "01-queues-overview")

    page.locator('[data-queue="informasi-palsu"]').get_by_role(
        "button", name="Ambil berikutnya"
    ).click()
    expect(page).to_have_url(re.compile(rf"/cases/{top.pk}/\?queue=informasi-palsu$"))
    expect(page.locator("h1")).to_contain_text(f"#{top.pk}")
    expect(page.locator(".caption-full")).to_have_text(top.video.caption)
    expect(page.locator("#lease")).to_contain_text("Anda memegang klaim")
    expect(page.locator(".timeline li")).to_have_count(3)
    shot(page, "03-case-page")

    page.locator('label.action-option[data-action="label"]').click()
    expect(page.locator("#id_clarification")).to_be_visible()
    page.select_option("#id_clarification", str(clarification.pk))
    page.fill("#id_statement_of_reasons", "Klaim jam tutup TPS keliru; lihat klarifikasi KPU.")
    page.get_by_role("button", name=re.compile("Catat keputusan")).click()

    # Auto-advance: the next case of the queue opens, with the message of what was done.
    expect(page).to_have_url(re.compile(rf"/cases/{other.pk}/\?queue=informasi-palsu$"))
    expect(page.locator(".messages")).to_contain_text(f"untuk kasus #{top.pk}")
    page.goto("/queues/informasi-palsu/")
    expect(page.locator(f'[data-case="{top.pk}"]')).to_have_count(0)
    expect(page.locator(f'[data-case="{other.pk}"]')).to_have_count(1)
    shot(page, "02-queue-list")
    decision = Decision.objects.get(case=top)
    assert (decision.action, decision.clarification_id) == (Action.LABEL, clarification.pk)
    assert Case.objects.get(pk=top.pk).status == CaseStatus.DECIDED


def test_two_moderators_race_for_one_case(new_page, moderator, second_moderator, make_case):
    case = make_case()
    rina = new_page(moderator)
    budi = new_page(second_moderator)
    rina.goto(f"/cases/{case.pk}/")
    budi.goto(f"/cases/{case.pk}/")
    rina.get_by_role("button", name=re.compile("Ambil kasus ini")).click()
    expect(rina.locator("#lease")).to_be_visible()
    budi.get_by_role("button", name=re.compile("Ambil kasus ini")).click()
    expect(budi.locator(".messages")).to_contain_text("Kasus ini sudah diambil oleh rina.")
    expect(budi.locator('[data-state="taken"]')).to_be_visible()
    expect(budi.locator("#decision-form")).to_have_count(0)
    shot(budi, "05-already-taken")
    assert Case.objects.get(pk=case.pk).assignee_id == moderator.pk


def test_stale_decision_shows_the_conflict_and_keeps_the_text(
    new_page, moderator, kpu_clarifier, make_case
):
    case = make_case()
    page = new_page(moderator)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name=re.compile("Ambil kasus ini")).click()
    expect(page.locator("#lease")).to_be_visible()
    page.wait_for_timeout(2500)  # the first lease renewal has run

    # While the page is open, KPU attaches a clarification: the case version moves on.
    clarification_attach(
        case=Case.objects.get(pk=case.pk),
        clarification=PublishedClarificationFactory(author=kpu_clarifier),
        user=kpu_clarifier,
    )
    typed = "Tidak ada pelanggaran; video berisi pendapat pribadi."
    page.locator('label.action-option[data-action="no_action"]').click()
    page.fill("#id_statement_of_reasons", typed)
    page.get_by_role("button", name=re.compile("Catat keputusan")).click()

    conflict = page.locator('[data-state="conflict"]')
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Kasus ini berubah sejak Anda membukanya")
    expect(conflict).to_contain_text("Klarifikasi dilampirkan")
    expect(page.locator("#id_statement_of_reasons")).to_have_value(typed)
    shot(page, "06-stale-conflict")
    assert not Decision.objects.filter(case=case).exists()


def test_held_removal_is_approved_by_a_supervisor_and_becomes_final(
    new_page, moderator, supervisor, make_case
):
    case = make_case(author_is_political=True)
    page = new_page(moderator)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name=re.compile("Ambil kasus ini")).click()
    page.locator('label.action-option[data-action="remove"]').click()
    page.fill("#id_statement_of_reasons", "Ajakan tidak memilih dengan tanggal palsu.")
    page.get_by_role("button", name=re.compile("Catat keputusan")).click()
    expect(page.locator(".messages")).to_contain_text("menunggu persetujuan supervisor")
    decision = Decision.objects.get(case=case)
    assert decision.approval_state == ApprovalState.PENDING

    boss = new_page(supervisor)
    boss.goto("/approvals/")
    item = boss.locator(f'[data-decision="{decision.pk}"]')
    expect(item).to_contain_text("Ajakan tidak memilih dengan tanggal palsu.")
    shot(boss, "07-approvals")
    item.get_by_role("button", name="Setujui").click()
    expect(boss.locator(".messages")).to_contain_text("disetujui")
    expect(boss.locator('[data-state="empty-queue"]')).to_be_visible()
    decision.refresh_from_db()
    assert decision.is_final
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DECIDED


def test_original_decider_cannot_review_the_appeal(
    new_page, moderator, second_moderator, make_case, appealed_case
):
    case, _ = appealed_case(moderator, make_case())
    page = new_page(moderator)
    page.goto("/queues/banding/")
    page.get_by_role("button", name=re.compile("Ambil berikutnya")).click()
    expect(page.locator(".messages")).to_contain_text("Tidak ada kasus yang bisa Anda ambil")
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator('[data-state="original-decider"]')).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Ambil kasus ini"))).to_have_count(0)
    shot(page, "08-appeal-original-decider")

    other = new_page(second_moderator)
    other.goto("/queues/banding/")
    other.get_by_role("button", name=re.compile("Ambil berikutnya")).click()
    expect(other).to_have_url(re.compile(rf"/cases/{case.pk}/"))
    expect(other.locator(".appeal")).to_contain_text("Video saya satire.")


def test_keyboard_shortcuts(new_page, moderator, make_case):
    case = make_case(priority=80)
    page = new_page(moderator)
    page.goto("/queues/informasi-palsu/")
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    expect(page.locator("#shortcut-help")).to_contain_text("Ambil kasus berikutnya")
    shot(page, "09-shortcut-help")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcut-help")).to_be_hidden()

    page.keyboard.press("n")  # claim next
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/"))
    expect(page.locator("#lease")).to_be_visible()
    page.keyboard.press("3")  # the third action
    expect(page.locator('input[name="action"][value="reduce_reach"]')).to_be_checked()
    page.keyboard.press("r")  # release: nothing else in the queue, so its list
    expect(page).to_have_url(re.compile(r"/queues/informasi-palsu/\?empty=claim$"))
    assert Case.objects.get(pk=case.pk).assignee_id is None


def test_lease_renews_while_open_and_leaving_lets_the_claim_run_out(new_page, moderator, make_case):
    case = make_case()
    page = new_page(moderator)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name=re.compile("Ambil kasus ini")).click()
    expect(page.locator("#lease")).to_be_visible()
    claimed_until = Case.objects.get(pk=case.pk).lease_expires_at
    # The open page renews the lease (HTMX POST with the CSRF header) shortly after loading.
    assert wait_for(lambda: Case.objects.get(pk=case.pk).lease_expires_at > claimed_until)
    assert Case.objects.get(pk=case.pk).assignee_id == moderator.pk
    events = AuditEvent.objects.filter(case=case).count()
    page.goto("/queues/")
    # Leaving does not release (a reload must keep the claim): the claim runs out shortly.
    assert wait_for(
        lambda: (
            Case.objects.get(pk=case.pk).lease_expires_at
            <= timezone.now() + LET_GO_GRACE + timedelta(seconds=1)
        )
    )
    assert AuditEvent.objects.filter(case=case).count() == events


def test_indonesian_english_switch(new_page, moderator, make_case, current_phase):
    make_case()
    page = new_page(moderator)
    page.goto("/queues/")
    expect(page.locator(".section-head h2")).to_have_text("Antrean")
    page.select_option("#language-switch", "en")
    expect(page.locator(".section-head h2")).to_have_text("Queues")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('[data-queue="informasi-palsu"]')).to_contain_text("Open cases")
    shot(page, "10-queues-overview-en")
    page.select_option("#language-switch", "id")
    expect(page.locator(".section-head h2")).to_have_text("Antrean")


def test_outsider_is_refused(new_page, outsider):
    page = new_page(outsider)
    expect(page.locator("h1")).to_have_text("Anda tidak punya akses ke halaman ini")
    shot(page, "11-forbidden")
    response = page.goto("/queues/")
    assert response is not None
    assert response.status == 403


def test_supervisor_queue_form_shows_errors(new_page, supervisor):
    page = new_page(supervisor)
    page.goto("/queues/new/")
    page.fill("#id_name", "Prioritas menengah")
    page.fill("#id_min_priority", "70")
    page.fill("#id_max_priority", "30")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".field-max_priority .errorlist")).to_contain_text(
        "Prioritas maksimum tidak boleh di bawah prioritas minimum."
    )
    shot(page, "12-queue-form-errors")
    page.fill("#id_max_priority", "90")
    page.get_by_role("button", name="Simpan").click()
    expect(page).to_have_url(re.compile(r"/queues/prioritas-menengah/$"))

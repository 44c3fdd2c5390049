"""The audit log in a real browser: a supervisor filters it, opens an event's diff and exports
CSV (with the export's progress shown); a platform supervisor sees only their platform; a
moderator is refused."""

import csv
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from moderation.choices import AuditAction
from moderation.models import AuditEvent
from moderation.oversight.audit import audit_record
from moderation.oversight.audit_verification import audit_log_verify_record
from moderation.oversight.seal import audit_log_seal
from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def log(moderator, second_moderator, make_case, other_platform):
    """Claims and a decision on TikTok cases, a claim on another platform's case; sealed and
    verified, then a few more events waiting for the next seal."""
    tiktok_case = make_case()
    other_case = make_case(platform=other_platform)
    events = {
        "claim": audit_record(
            action=AuditAction.CASE_CLAIM,
            obj=tiktok_case,
            case=tiktok_case,
            actor=moderator,
            before={"status": "new", "assignee": None},
            after={"status": "in_review", "assignee": moderator.pk},
        ),
        "other": audit_record(
            action=AuditAction.CASE_CLAIM, obj=other_case, case=other_case, actor=None
        ),
    }
    for _ in range(5):
        audit_record(
            action=AuditAction.CASE_RELEASE,
            obj=tiktok_case,
            case=tiktok_case,
            actor=second_moderator,
            before={"status": "in_review"},
            after={"status": "new"},
        )
    audit_log_seal(now=timezone.now() + timedelta(minutes=10))
    audit_log_verify_record()
    events["case"] = tiktok_case
    return events


def test_supervisor_filters_opens_a_diff_and_exports_csv(new_page, kpu_supervisor, log, tmp_path):
    page = new_page(kpu_supervisor)
    page.click("nav.mainnav >> text=Audit")
    expect(page.locator("h1")).to_have_text("Log audit")
    expect(page.locator("[data-chain=ok]")).to_contain_text("Utuh")
    shot(page, "audit-01-log")

    page.fill("#id_actor", "rina")
    page.select_option("#id_action", AuditAction.CASE_CLAIM.value)
    page.click("button:has-text('Saring')")
    rows = page.locator("tr[data-event]")
    expect(rows).to_have_count(1)
    expect(page.locator(".audit-count")).to_have_text("1 peristiwa")
    assert page.input_value("#id_actor") == "rina"
    shot(page, "audit-02-filtered")

    rows.first.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text(f"Peristiwa audit #{log['claim'].pk}")
    status = page.locator("tr[data-key=status]")
    expect(status.locator("td.before")).to_have_text("new")
    expect(status.locator("td.after")).to_have_text("in_review")
    expect(page.locator("a[data-link=case]")).to_have_text(f"#{log['case'].pk}")
    shot(page, "audit-03-diff")

    page.go_back()
    with page.expect_download() as info:
        page.click("a[data-export-link]:has-text('CSV')")
    path = tmp_path / "audit.csv"
    info.value.save_as(path)
    with path.open() as f:
        exported = list(csv.DictReader(f))
    assert [int(row["id"]) for row in exported] == [log["claim"].pk]
    expect(page.locator("[data-export-state=finished]")).to_contain_text("Selesai: 1 baris")
    shot(page, "audit-04-exported")
    assert AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT, actor=kpu_supervisor).exists()


def test_bad_dates_are_a_message_not_an_error_page(new_page, kpu_supervisor, log):
    page = new_page(kpu_supervisor)
    page.goto("/audit/?date_from=2024-02-20&date_to=2024-02-10&actor=rina")
    expect(page.locator(".field-error")).to_contain_text("lebih awal dari tanggal mulai")
    assert page.input_value("#id_actor") == "rina"
    shot(page, "audit-05-bad-dates")


def test_platform_supervisor_sees_only_their_platform(new_page, supervisor, log):
    page = new_page(supervisor)
    page.goto("/audit/")
    ids = {
        int(x)
        for x in page.locator("tr[data-event]").evaluate_all(
            "rows => rows.map(r => r.dataset.event)"
        )
    }
    assert log["claim"].pk in ids
    assert log["other"].pk not in ids
    shot(page, "audit-06-platform-supervisor")
    response = page.goto(f"/audit/{log['other'].pk}/")
    assert response is not None
    assert response.status == 404


def test_moderator_gets_403(new_page, moderator):
    page = new_page(moderator)
    assert page.locator("nav.mainnav >> text=Audit").count() == 0
    response = page.goto("/audit/")
    assert response is not None
    assert response.status == 403
    shot(page, "audit-07-moderator-403")


def test_case_page_history_links_to_the_audit_log(new_page, kpu_supervisor, log):
    page = new_page(kpu_supervisor)
    page.goto(f"/cases/{log['case'].pk}/")
    page.click("text=Buka di log audit")
    expect(page.locator("tr[data-event]")).to_have_count(6)
    shot(page, "audit-08-case-history")

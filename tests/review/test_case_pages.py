"""The case page and its actions: claim, lease, release, skip, escalate, decide, reassign,
attach, approvals and appeals. Every action has its permission-denied and bad-input case."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from moderation.choices import (
    Action,
    AppealStatus,
    ApprovalState,
    AuditAction,
    CaseStatus,
    ClarificationStatus,
)
from moderation.clarifications.services import clarification_attach
from moderation.models import AuditEvent, Case, Decision
from moderation.review.claims import LET_GO_GRACE, case_claim, case_leases_expire, case_release
from moderation.review.decisions import decision_record
from tests.clients import signed_in
from tests.factories import PublishedClarificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def claimed(case, user):
    return case_claim(case=case, user=user)


def decision_post(case, **overrides):
    data = {
        "version": case.version,
        "seen_event": AuditEvent.objects.filter(case=case).order_by("-pk").first().pk
        if AuditEvent.objects.filter(case=case).exists()
        else 0,
        "action": Action.NO_ACTION,
        "ground": "community_guidelines",
        "category": "hoax",
        "statement_of_reasons": "Konten tidak melanggar pedoman komunitas.",
        "clarification": "",
        "territorial_scope": "",
        "facts": "",
    }
    data.update(overrides)
    return data


# --- Reading -----------------------------------------------------------------------------------


def test_case_page_shows_video_flags_breakdown_and_history(moderator, make_case):
    case = make_case(flags=3)
    claimed(case, moderator)
    body = signed_in(moderator).get(f"/cases/{case.pk}/").content.decode()
    assert case.video.author_handle in body
    assert case.video.caption in body
    assert "3 laporan" in body
    assert "Pelapor tepercaya" in body  # a flag's source
    assert "Video menyebut TPS tutup pukul 10 pagi." in body  # a flag's note
    assert "250K tayangan" in body  # breakdown
    assert "Kasus diklaim" in body  # history from the audit log
    assert "WIB" in body
    assert 'id="decision-form"' in body
    assert 'id="suggested-clarifications"' in body
    assert 'hx-post="/cases/' in body  # the lease renews while the page is open


@pytest.mark.parametrize(
    ("region", "language", "shown"),
    [
        ("ID", "id", "Indonesia (ID)"),
        ("us", "id", "Amerika Serikat (US)"),
        ("US", "en", "United States (US)"),
        ("ZZ", "id", ">ZZ<"),  # CLDR's "unknown region": shown as the platform sent it
        ("Q9", "id", ">Q9<"),
        ("", "id", ">—<"),
    ],
)
def test_case_page_names_the_videos_country(moderator, make_case, region, language, shown):
    case = make_case()
    case.video.region = region
    case.video.save(update_fields=["region"])
    client = signed_in(moderator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert shown in body


def test_case_page_shows_previous_decisions_on_the_video(moderator, second_moderator, make_case):
    first = make_case()
    claimed(first, second_moderator)
    first.refresh_from_db()
    decision_record(
        case=first,
        user=second_moderator,
        version=first.version,
        action=Action.NO_ACTION,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Sudah diperiksa tahun lalu.",
    )
    Case.objects.filter(pk=first.pk).update(status=CaseStatus.CLOSED)
    again = make_case(video=first.video)
    body = signed_in(moderator).get(f"/cases/{again.pk}/").content.decode()
    assert "Sudah diperiksa tahun lalu." in body
    assert f"kasus #{first.pk}" in body


def test_case_page_query_count_does_not_grow_with_flags(
    moderator, make_case, django_assert_max_num_queries
):
    few = make_case(flags=1)
    many = make_case(flags=25)
    client = signed_in(moderator)
    client.get(f"/cases/{few.pk}/")
    with django_assert_max_num_queries(30) as baseline:
        client.get(f"/cases/{few.pk}/")
    with django_assert_max_num_queries(len(baseline)):
        client.get(f"/cases/{many.pk}/")


def test_other_platforms_moderator_gets_403(make_case, other_platform):
    case = make_case()
    stranger = UserFactory(
        username="meta-mod", organisation=other_platform.organisation, roles=["platform_moderator"]
    )
    response = signed_in(stranger).get(f"/cases/{case.pk}/")
    assert response.status_code == 403
    assert "Anda tidak punya akses" in response.content.decode()


def test_outsider_gets_403_on_a_case(outsider, make_case):
    assert signed_in(outsider).get(f"/cases/{make_case().pk}/").status_code == 403


def test_kpu_reads_any_case_but_cannot_decide(kpu_clarifier, make_case):
    case = make_case()
    body = signed_in(kpu_clarifier).get(f"/cases/{case.pk}/").content.decode()
    assert case.video.caption in body
    assert 'id="decision-form"' not in body
    assert "Ambil kasus ini" not in body


def test_missing_case_is_404(moderator):
    assert signed_in(moderator).get("/cases/999999/").status_code == 404


# --- Claim, lease, release, skip ---------------------------------------------------------------


def test_claim_from_the_case_page(moderator, make_case):
    case = make_case()
    response = signed_in(moderator).post(f"/cases/{case.pk}/claim/?queue=informasi-palsu")
    assert response["Location"] == f"/cases/{case.pk}/?queue=informasi-palsu"
    case.refresh_from_db()
    assert case.assignee == moderator


def test_second_moderator_sees_already_taken(moderator, second_moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    response = signed_in(second_moderator).post(f"/cases/{case.pk}/claim/", follow=True)
    body = response.content.decode()
    assert "Kasus ini sudah diambil oleh rina." in body
    assert 'data-state="taken"' in body
    assert 'id="decision-form"' not in body


def test_claim_refused_to_kpu(kpu_clarifier, make_case):
    case = make_case()
    response = signed_in(kpu_clarifier).post(f"/cases/{case.pk}/claim/", follow=True)
    assert "Anda tidak dapat menangani kasus platform ini." in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None


def test_claim_needs_post(moderator, make_case):
    assert signed_in(moderator).get(f"/cases/{make_case().pk}/claim/").status_code == 405


def test_lease_renews_while_the_page_is_open(moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    Case.objects.filter(pk=case.pk).update(lease_expires_at=timezone.now() + timedelta(minutes=1))
    response = signed_in(moderator).post(f"/cases/{case.pk}/lease/")
    assert response.status_code == 200
    assert 'data-state="lease-active"' in response.content.decode()
    case.refresh_from_db()
    assert case.lease_expires_at > timezone.now() + timedelta(minutes=10)


def test_lease_expired_state(moderator, second_moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    Case.objects.filter(pk=case.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    case_leases_expire()  # the beat task
    claimed(Case.objects.get(pk=case.pk), second_moderator)
    body = signed_in(moderator).post(f"/cases/{case.pk}/lease/").content.decode()
    assert 'data-state="lease-expired"' in body
    assert "budi" in body


def test_lease_is_taken_back_after_a_reload(moderator, make_case):
    """A reload sends the old page's release beacon after the new page was rendered."""
    case = make_case()
    claimed(case, moderator)
    case_release(case=Case.objects.get(pk=case.pk), user=moderator)
    body = signed_in(moderator).post(f"/cases/{case.pk}/lease/").content.decode()
    assert 'data-state="lease-active"' in body
    assert 'hx-swap-oob="true"' in body  # the decision form gets the new version
    case.refresh_from_db()
    assert case.assignee == moderator


def test_lease_refused_to_outsider(outsider, make_case):
    assert signed_in(outsider).post(f"/cases/{make_case().pk}/lease/").status_code == 403


def test_release_button_and_beacon(moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    client = signed_in(moderator)
    response = client.post(f"/cases/{case.pk}/release/?queue=informasi-palsu")
    # Nothing else to take in the queue (the released case is not picked again).
    assert response["Location"] == "/queues/informasi-palsu/?empty=claim"
    case.refresh_from_db()
    assert case.assignee is None
    claimed(case, moderator)
    events = AuditEvent.objects.filter(case=case).count()
    # The beacon of a page that was left only lets the claim run out soon (a reload renews it).
    assert client.post(f"/cases/{case.pk}/release/", {"beacon": "1"}).status_code == 204
    case.refresh_from_db()
    assert (case.assignee, case.status) == (moderator, CaseStatus.IN_REVIEW)
    assert case.lease_expires_at <= timezone.now() + LET_GO_GRACE
    assert AuditEvent.objects.filter(case=case).count() == events


def test_beacon_does_not_release_someone_elses_claim(moderator, second_moderator, make_case):
    case = make_case()
    claimed(case, second_moderator)
    response = signed_in(moderator).post(f"/cases/{case.pk}/release/", {"beacon": "1"})
    assert response.status_code == 204
    case.refresh_from_db()
    assert case.assignee == second_moderator


def test_release_of_someone_elses_claim_is_refused(moderator, second_moderator, make_case):
    case = make_case()
    claimed(case, second_moderator)
    response = signed_in(moderator).post(f"/cases/{case.pk}/release/", follow=True)
    assert "Hanya pemegang klaim atau supervisor yang dapat melepas kasus ini." in (
        response.content.decode()
    )


def test_skip_needs_a_reason_and_keeps_the_case_from_my_claim_next(moderator, make_case):
    case = make_case(priority=90)
    other = make_case(priority=10)
    claimed(case, moderator)
    client = signed_in(moderator)
    bad = client.post(f"/cases/{case.pk}/skip/", {"reason": "because"}, follow=True)
    assert "Pilih alasan melewati kasus ini." in bad.content.decode()
    bad = client.post(f"/cases/{case.pk}/skip/", {"reason": "other", "note": ""}, follow=True)
    assert "Pilih alasan" in bad.content.decode()
    ok = client.post(f"/cases/{case.pk}/skip/?queue=informasi-palsu", {"reason": "language"})
    # Auto-advance: the next case of the queue, not the skipped one (higher as it is).
    assert ok["Location"] == f"/cases/{other.pk}/?queue=informasi-palsu"
    skip = AuditEvent.objects.filter(case=case).order_by("-pk").first()
    assert (skip.action, skip.after["reason"]) == (AuditAction.CASE_SKIP, "language")


def test_skip_refused_to_a_non_holder(second_moderator, moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    response = signed_in(second_moderator).post(
        f"/cases/{case.pk}/skip/", {"reason": "language"}, follow=True
    )
    assert "Hanya pemegang klaim" in response.content.decode()


# --- Escalate, reassign, attach ----------------------------------------------------------------


def test_escalate_to_kpu(moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/escalate/", {"note": "Perlu data DPT resmi."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_CLARIFICATION


def test_escalate_refused_to_kpu_and_on_a_decided_case(kpu_clarifier, moderator, make_case):
    case = make_case()
    response = signed_in(kpu_clarifier).post(f"/cases/{case.pk}/escalate/", follow=True)
    assert "Anda tidak dapat menangani kasus platform ini." in response.content.decode()
    decided = make_case(status=CaseStatus.DECIDED)
    response = signed_in(moderator).post(f"/cases/{decided.pk}/escalate/", follow=True)
    assert "tidak dapat menerima peristiwa" in response.content.decode()


def test_supervisor_reassigns(supervisor, moderator, make_case):
    case = make_case()
    response = signed_in(supervisor).post(
        f"/cases/{case.pk}/reassign/", {"assignee": moderator.pk}, follow=True
    )
    assert "Kasus dialihkan ke rina." in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == moderator


def test_reassign_refused_to_moderators_and_bad_assignee(
    supervisor, moderator, second_moderator, kpu_clarifier, make_case
):
    case = make_case()
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/reassign/", {"assignee": second_moderator.pk}, follow=True
    )
    assert "Hanya supervisor yang dapat melakukan ini." in response.content.decode()
    response = signed_in(supervisor).post(
        f"/cases/{case.pk}/reassign/", {"assignee": kpu_clarifier.pk}, follow=True
    )
    assert "Pilih moderator tujuan." in response.content.decode()


def test_kpu_attaches_a_clarification_and_the_case_returns_to_the_queue(kpu_clarifier, make_case):
    case = make_case(status=CaseStatus.AWAITING_CLARIFICATION)
    clarification = PublishedClarificationFactory(author=kpu_clarifier)
    response = signed_in(kpu_clarifier).post(
        f"/cases/{case.pk}/clarifications/", {"clarification": clarification.pk}, follow=True
    )
    assert "Klarifikasi dilampirkan." in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_attach_refuses_a_draft_and_outsiders(kpu_clarifier, outsider, make_case):
    case = make_case()
    draft = PublishedClarificationFactory(author=kpu_clarifier, status=ClarificationStatus.DRAFT)
    response = signed_in(kpu_clarifier).post(
        f"/cases/{case.pk}/clarifications/", {"clarification": draft.pk}, follow=True
    )
    assert "Pilih klarifikasi yang sudah terbit." in response.content.decode()
    assert (
        signed_in(outsider)
        .post(f"/cases/{case.pk}/clarifications/", {"clarification": draft.pk})
        .status_code
        == 403
    )


# --- Decisions ---------------------------------------------------------------------------------


def test_label_decision_with_clarification(moderator, kpu_clarifier, make_case):
    case = make_case()
    clarification = PublishedClarificationFactory(author=kpu_clarifier)
    case = claimed(case, moderator)
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/decisions/?queue=informasi-palsu",
        decision_post(case, action=Action.LABEL, clarification=clarification.pk),
    )
    assert response["Location"] == "/queues/informasi-palsu/?empty=claim"
    decision = Decision.objects.get(case=case)
    assert (decision.action, decision.clarification, decision.is_final) == (
        Action.LABEL,
        clarification,
        True,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED


def test_label_without_clarification_is_a_form_error(moderator, make_case):
    case = claimed(make_case(), moderator)
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/decisions/",
        decision_post(case, action=Action.LABEL, statement_of_reasons="Teks saya yang panjang."),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "memerlukan klarifikasi KPU yang terbit" in body
    assert "Teks saya yang panjang." in body


def test_stale_version_shows_what_changed_and_keeps_the_text(
    moderator, supervisor, kpu_clarifier, make_case
):
    case = claimed(make_case(), moderator)
    stale = decision_post(case, statement_of_reasons="Alasan yang saya ketik dengan hati-hati.")
    # Meanwhile a clarification is attached, which changes the case.
    clarification_attach(
        case=case,
        clarification=PublishedClarificationFactory(author=kpu_clarifier),
        user=supervisor,
    )
    response = signed_in(moderator).post(f"/cases/{case.pk}/decisions/", stale)
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-state="conflict"' in body
    assert "Kasus ini berubah sejak Anda membukanya" in body
    assert "Klarifikasi dilampirkan" in body  # what changed
    assert "Alasan yang saya ketik dengan hati-hati." in body  # typed text kept
    assert not Decision.objects.filter(case=case).exists()  # nothing overwritten
    case.refresh_from_db()
    assert f'value="{case.version}"' in body  # a deliberate resubmit is possible


def test_decision_on_an_expired_lease_is_refused_with_the_text_kept(moderator, make_case):
    case = claimed(make_case(), moderator)
    Case.objects.filter(pk=case.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=5))
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/decisions/", decision_post(case, statement_of_reasons="Teks saya.")
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-state="lease-expired"' in body
    assert "Teks saya." in body
    assert not Decision.objects.exists()


def test_decision_without_a_claim_is_refused(moderator, make_case):
    case = make_case()
    response = signed_in(moderator).post(f"/cases/{case.pk}/decisions/", decision_post(case))
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_decision_refused_to_kpu_and_outsider(kpu_clarifier, outsider, make_case):
    case = make_case()
    assert (
        signed_in(kpu_clarifier)
        .post(f"/cases/{case.pk}/decisions/", decision_post(case))
        .status_code
        == 403
    )
    assert (
        signed_in(outsider).post(f"/cases/{case.pk}/decisions/", decision_post(case)).status_code
        == 403
    )


def test_decision_bad_input(moderator, make_case):
    case = claimed(make_case(), moderator)
    response = signed_in(moderator).post(
        f"/cases/{case.pk}/decisions/",
        decision_post(case, action="ban_forever", statement_of_reasons=""),
    )
    assert response.status_code == 400
    assert not Decision.objects.exists()


# --- Approvals ---------------------------------------------------------------------------------


def held_removal(moderator, make_case):
    case = claimed(make_case(author_is_political=True), moderator)
    signed_in(moderator).post(
        f"/cases/{case.pk}/decisions/",
        decision_post(case, action=Action.REMOVE, statement_of_reasons="Ajakan golput palsu."),
    )
    return Decision.objects.get(case=case)


def test_held_removal_waits_in_the_approval_queue(moderator, supervisor, make_case):
    decision = held_removal(moderator, make_case)
    assert decision.approval_state == ApprovalState.PENDING
    page = signed_in(supervisor).get("/approvals/").content.decode()
    assert f'data-decision="{decision.pk}"' in page
    assert "Ajakan golput palsu." in page
    assert signed_in(supervisor).get("/queues/menunggu-persetujuan/")["Location"] == "/approvals/"


def test_supervisor_approves_a_held_decision(moderator, supervisor, make_case):
    decision = held_removal(moderator, make_case)
    response = signed_in(supervisor).post(f"/decisions/{decision.pk}/approve/", {"note": "ok"})
    assert response["Location"] == "/approvals/"
    decision.refresh_from_db()
    assert decision.is_final
    assert decision.case.status == CaseStatus.DECIDED


def test_reject_needs_a_reason(moderator, supervisor, make_case):
    decision = held_removal(moderator, make_case)
    client = signed_in(supervisor)
    response = client.post(f"/decisions/{decision.pk}/reject/", {"note": ""}, follow=True)
    assert "Penolakan memerlukan alasan." in response.content.decode()
    client.post(f"/decisions/{decision.pk}/reject/", {"note": "Bukan akun resmi."})
    decision.refresh_from_db()
    assert decision.approval_state == ApprovalState.REJECTED
    assert decision.case.status == CaseStatus.NEW


def test_moderators_cannot_approve_or_see_approvals(moderator, second_moderator, make_case):
    decision = held_removal(moderator, make_case)
    client = signed_in(second_moderator)
    assert client.get("/approvals/").status_code == 403
    assert client.post(f"/decisions/{decision.pk}/approve/").status_code == 403
    assert client.post(f"/decisions/{decision.pk}/reject/", {"note": "x"}).status_code == 403


def test_approving_twice_is_a_message(moderator, supervisor, make_case):
    decision = held_removal(moderator, make_case)
    client = signed_in(supervisor)
    client.post(f"/decisions/{decision.pk}/approve/")
    response = client.post(f"/decisions/{decision.pk}/approve/", follow=True)
    assert "Tidak ada keputusan yang menunggu persetujuan." in response.content.decode()


# --- Appeals -----------------------------------------------------------------------------------


def test_original_decider_cannot_review_the_appeal(moderator, make_case, appealed_case):
    case, _ = appealed_case(moderator, make_case())
    client = signed_in(moderator)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-state="original-decider"' in page
    response = client.post(f"/cases/{case.pk}/claim/", follow=True)
    assert "Pemutus awal tidak boleh meninjau banding" in response.content.decode()
    response = client.post("/queues/banding/claim-next/", follow=True)
    assert "Tidak ada kasus yang bisa Anda ambil" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None


def test_second_reviewer_decides_the_appeal(moderator, second_moderator, make_case, appealed_case):
    case, original = appealed_case(moderator, make_case())
    client = signed_in(second_moderator)
    response = client.post("/queues/banding/claim-next/")
    assert response["Location"] == f"/cases/{case.pk}/?queue=banding"
    case.refresh_from_db()
    assert "Video saya satire." in client.get(f"/cases/{case.pk}/").content.decode()
    client.post(
        f"/cases/{case.pk}/decisions/",
        decision_post(case, statement_of_reasons="Banding diterima: satire."),
    )
    new = Decision.objects.get(case=case, supersedes=original)
    assert new.decided_by == second_moderator
    assert case.appeals.get().status == AppealStatus.DECIDED

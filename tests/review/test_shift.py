"""Issue 14: a moderator's whole shift without a stumble. Auto-advance with its preference,
typed text kept on the server, lapsed leases free in every read, settled cases without a
running SLA clock, reloads that keep the claim and write nothing, ``n`` asking the skip reason,
and moderators hearing back about their held decisions and escalations."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.choices import (
    Action,
    AuditAction,
    CaseStatus,
    NotificationChannel,
    NotificationEmailState,
    NotificationKind,
)
from moderation.clarifications.services import clarification_attach
from moderation.models import AuditEvent, Case, DecisionDraft, ModeratorPreference, Notification
from moderation.oversight.notifications import notification_preference_set
from moderation.review.approvals import decision_approve, decision_reject
from moderation.review.cases import case_escalate_to_kpu
from moderation.review.claims import case_claim, case_reassign
from moderation.review.decisions import decision_record
from tests.clients import signed_in, token_client
from tests.factories import PublishedClarificationFactory
from tests.review.test_case_pages import decision_post

pytestmark = pytest.mark.django_db

QUEUE = "informasi-palsu"


def claimed(case, user):
    return case_claim(case=Case.objects.get(pk=case.pk), user=user)


def lapse(case):
    """The claim ran out a minute ago; the expiry job has not run."""
    Case.objects.filter(pk=case.pk).update(lease_expires_at=timezone.now() - timedelta(minutes=1))


# --- 3. Auto-advance ---------------------------------------------------------------------------


def test_after_a_decision_the_next_case_of_the_queue_opens_with_what_was_done(moderator, make_case):
    first = make_case(priority=90)
    following = make_case(priority=40)
    first = claimed(first, moderator)
    client = signed_in(moderator)
    response = client.post(f"/cases/{first.pk}/decisions/?queue={QUEUE}", decision_post(first))
    assert response["Location"] == f"/cases/{following.pk}/?queue={QUEUE}"
    assert Case.objects.get(pk=following.pk).assignee == moderator
    page = client.get(response["Location"])
    assert f"untuk kasus #{first.pk}" in page.content.decode()  # the message of what was done


@pytest.mark.parametrize("action", ["release", "escalate"])
def test_release_and_escalate_advance_too(moderator, make_case, action):
    first = make_case(priority=90)
    following = make_case(priority=40)
    claimed(first, moderator)
    response = signed_in(moderator).post(f"/cases/{first.pk}/{action}/?queue={QUEUE}")
    assert response["Location"] == f"/cases/{following.pk}/?queue={QUEUE}"


def test_auto_advance_off_lands_on_the_queue(moderator, make_case):
    first = make_case(priority=90)
    following = make_case(priority=40)
    first = claimed(first, moderator)
    client = signed_in(moderator)
    page = client.get("/preferences/")
    assert page.status_code == 200
    assert 'name="auto_advance"' in page.content.decode()
    saved = client.post("/preferences/", {"blur_thumbnails": "on"})
    assert saved.status_code == 302
    preference = ModeratorPreference.objects.get(user=moderator)
    assert (preference.auto_advance, preference.blur_thumbnails) == (False, True)
    response = client.post(f"/cases/{first.pk}/decisions/?queue={QUEUE}", decision_post(first))
    assert response["Location"] == f"/queues/{QUEUE}/"
    assert Case.objects.get(pk=following.pk).assignee is None


def test_a_changed_preference_is_audited_and_the_same_choice_writes_nothing(moderator):
    client = signed_in(moderator)
    client.post("/preferences/", {"blur_thumbnails": "on"})
    event = AuditEvent.objects.get(action=AuditAction.MODERATOR_PREFERENCE_SET)
    assert event.actor == moderator
    assert event.before == {"auto_advance": True, "blur_thumbnails": True}
    assert event.after == {"auto_advance": False, "blur_thumbnails": True}
    client.post("/preferences/", {"blur_thumbnails": "on"})
    assert AuditEvent.objects.filter(action=AuditAction.MODERATOR_PREFERENCE_SET).count() == 1


def test_preferences_page_needs_a_staff_member(outsider):
    assert signed_in(outsider).get("/preferences/").status_code == 403


# --- 4. Typed text is never lost ----------------------------------------------------------------


def test_typed_text_survives_a_reassignment_and_shows_wherever_the_moderator_lands(
    moderator, second_moderator, supervisor, make_case
):
    case = make_case()
    claimed(case, moderator)
    client = signed_in(moderator)
    saved = client.post(
        f"/cases/{case.pk}/draft/",
        {"statement_of_reasons": "Video ini menyebut tanggal pemilu yang salah.", "facts": "x"},
    )
    assert saved.status_code == 204
    case_reassign(case=Case.objects.get(pk=case.pk), user=supervisor, assignee=second_moderator)
    # The moderator sends the decision anyway: refused, and the text is on the page.
    posted = client.post(
        f"/cases/{case.pk}/decisions/",
        decision_post(case, statement_of_reasons="Video ini menyebut tanggal pemilu yang salah."),
    )
    assert posted.status_code in (403, 409)
    assert "Video ini menyebut tanggal pemilu yang salah." in posted.content.decode()
    # Reload, or come back later: the draft is still shown, read-only.
    again = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-state="draft-kept"' in again
    assert "Video ini menyebut tanggal pemilu yang salah." in again


def test_the_draft_fills_the_form_and_a_recorded_decision_discards_it(moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    client = signed_in(moderator)
    client.post(f"/cases/{case.pk}/draft/", {"statement_of_reasons": "Setengah jadi", "facts": ""})
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Setengah jadi</textarea>" in page
    case = Case.objects.get(pk=case.pk)
    decision_record(
        case=case,
        user=moderator,
        version=case.version,
        action=Action.NO_ACTION,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Selesai",
    )
    assert not DecisionDraft.objects.filter(user=moderator, case=case).exists()


def test_draft_refused_to_an_outsider_and_too_long_is_a_400(moderator, outsider, make_case):
    case = make_case()
    assert signed_in(outsider).post(f"/cases/{case.pk}/draft/", {}).status_code == 403
    too_long = signed_in(moderator).post(
        f"/cases/{case.pk}/draft/", {"statement_of_reasons": "x" * 5001}
    )
    assert too_long.status_code == 400
    assert not DecisionDraft.objects.exists()


def test_a_nul_character_in_the_text_neither_500s_nor_loses_the_draft(moderator, make_case):
    """PostgreSQL text cannot hold NUL: the autosave keeps the rest, and a decision sent with
    one is a form error that keeps the text (Django's forms refuse NUL), never a 500."""
    case = make_case()
    claimed(case, moderator)
    client = signed_in(moderator)
    saved = client.post(
        f"/cases/{case.pk}/draft/", {"statement_of_reasons": "Hoaks\x00 tanggal", "facts": "\x00"}
    )
    assert saved.status_code == 204
    draft = DecisionDraft.objects.get(user=moderator, case=case)
    assert (draft.statement_of_reasons, draft.facts) == ("Hoaks tanggal", "")
    posted = client.post(
        f"/cases/{case.pk}/decisions/",
        decision_post(case, statement_of_reasons="Hoaks\x00 tanggal yang salah dan menyesatkan."),
    )
    assert posted.status_code == 400
    assert "Hoaks" in posted.content.decode()


# --- 5. A lapsed lease is free in every read ----------------------------------------------------


def test_a_lapsed_claim_reads_free_on_the_pages_and_the_api(moderator, second_moderator, make_case):
    case = make_case()
    claimed(case, second_moderator)
    lapse(case)
    client = signed_in(moderator)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "budi" not in page.split('class="meta"')[1].split("</p>")[0]
    assert 'data-state="taken"' not in page
    assert "Ambil kasus ini" in page
    listing = client.get(f"/queues/{QUEUE}/?assignee=none").content.decode()
    assert f'data-case="{case.pk}"' in listing
    body = token_client(moderator).get(f"/api/v1/cases/{case.pk}/").json()
    assert (body["status"], body["assignee"]) == (CaseStatus.NEW, None)


def test_claim_next_takes_a_lapsed_case_and_audits_the_expiry(
    moderator, second_moderator, make_case
):
    case = make_case()
    claimed(case, second_moderator)
    lapse(case)
    response = signed_in(moderator).post(f"/queues/{QUEUE}/claim-next/")
    assert response["Location"] == f"/cases/{case.pk}/?queue={QUEUE}"
    actions = list(
        AuditEvent.objects.filter(case=case).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-2:] == [AuditAction.CASE_LEASE_EXPIRE, AuditAction.CASE_CLAIM]


# --- 6. A settled case shows when, and whether it met its SLA -----------------------------------


def test_a_decided_case_shows_when_and_whether_it_met_its_sla(moderator, make_case):
    now = timezone.now()
    met = make_case()
    Case.objects.filter(pk=met.pk).update(
        status=CaseStatus.DECIDED,
        decided_at=now - timedelta(hours=2),
        due_at=now - timedelta(hours=1),
    )
    late = make_case()
    Case.objects.filter(pk=late.pk).update(
        status=CaseStatus.DECIDED,
        decided_at=now - timedelta(hours=1),
        due_at=now - timedelta(hours=3),
    )
    client = signed_in(moderator)
    page = client.get(f"/cases/{met.pk}/").content.decode()
    assert 'data-state="sla-met"' in page
    assert 'data-state="settled-at"' in page
    assert "data-due=" not in page
    assert "lewat" not in page
    page = client.get(f"/cases/{late.pk}/").content.decode()
    assert 'data-state="sla-missed"' in page
    assert "terlewat 2 j 0 m" in page
    assert "data-due=" not in page


# --- 7. A reload keeps the claim and writes nothing ---------------------------------------------


def test_reloads_by_the_holder_keep_the_claim_and_write_no_audit_row(moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    client = signed_in(moderator)
    before = AuditEvent.objects.filter(case=case).count()
    for _ in range(2):  # two quick reloads: the old page's beacon, the new page, its first poll
        client.post(f"/cases/{case.pk}/release/", {"beacon": "1"})
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert 'data-state="lease-active"' in page
        assert (
            'data-state="lease-active"' in client.post(f"/cases/{case.pk}/lease/").content.decode()
        )
    case.refresh_from_db()
    assert case.assignee == moderator
    assert case.lease_expires_at > timezone.now() + timedelta(minutes=1)
    assert AuditEvent.objects.filter(case=case).count() == before


def test_a_left_page_frees_the_case_soon_without_the_job(moderator, second_moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    signed_in(moderator).post(f"/cases/{case.pk}/release/", {"beacon": "1"})
    later = timezone.now() + timedelta(minutes=1)
    taken = case_claim(case=Case.objects.get(pk=case.pk), user=second_moderator, now=later)
    assert taken.assignee == second_moderator


# --- 8. n on a held case asks the skip reason --------------------------------------------------


def test_next_on_a_held_case_opens_the_skip_form(moderator, make_case):
    case = make_case()
    claimed(case, moderator)
    page = signed_in(moderator).get(f"/cases/{case.pk}/?queue={QUEUE}").content.decode()
    assert "data-skip-then-next" in page
    assert f'action="/queues/{QUEUE}/claim-next/"' not in page
    unheld = make_case()
    page = signed_in(moderator).get(f"/cases/{unheld.pk}/?queue={QUEUE}").content.decode()
    assert f'action="/queues/{QUEUE}/claim-next/"' in page


def test_skip_for_next_advances_even_with_auto_advance_off(moderator, make_case):
    ModeratorPreference.objects.create(user=moderator, auto_advance=False)
    first = make_case(priority=90)
    following = make_case(priority=40)
    claimed(first, moderator)
    response = signed_in(moderator).post(
        f"/cases/{first.pk}/skip/?queue={QUEUE}", {"reason": "language", "advance": "1"}
    )
    assert response["Location"] == f"/cases/{following.pk}/?queue={QUEUE}"


# --- 9. Moderators hear back -------------------------------------------------------------------


def _held_decision(moderator, make_case):
    case = make_case(author_is_political=True)
    case = claimed(case, moderator)
    return decision_record(
        case=case,
        user=moderator,
        version=case.version,
        action=Action.REMOVE,
        ground="community_guidelines",
        category="hoax",
        statement_of_reasons="Hoaks tentang jadwal pemungutan suara.",
    )


def test_the_moderator_hears_when_their_held_decision_is_approved(moderator, supervisor, make_case):
    notification_preference_set(
        user=moderator,
        kind=NotificationKind.DECISION_APPROVED,
        channel=NotificationChannel.EMAIL_NOW,
    )
    decision = _held_decision(moderator, make_case)
    decision_approve(decision=decision, user=supervisor, note="Sesuai pedoman")
    note = Notification.objects.get(recipient=moderator, kind=NotificationKind.DECISION_APPROVED)
    assert note.case_id == decision.case_id
    assert note.email_state == NotificationEmailState.WAITING  # their email choice
    assert "Hapus" in note.title or "remove" not in note.title  # an action label, not a code
    page = signed_in(moderator).get("/notifications/").content.decode()
    assert f"Keputusan #{decision.pk}" in page


def test_the_moderator_hears_when_their_held_decision_is_rejected(moderator, supervisor, make_case):
    decision = _held_decision(moderator, make_case)
    decision_reject(decision=decision, user=supervisor, note="Kurang bukti")
    note = Notification.objects.get(recipient=moderator, kind=NotificationKind.DECISION_REJECTED)
    assert "Kurang bukti" in note.body
    assert note.email_state == NotificationEmailState.NONE  # in-app only by default


def test_the_moderator_hears_when_kpu_answers_their_escalation(moderator, kpu_clarifier, make_case):
    case = claimed(make_case(), moderator)
    case_escalate_to_kpu(case=case, user=moderator, note="Benarkah?")
    clarification = PublishedClarificationFactory(author=kpu_clarifier, title="Jadwal resmi")
    clarification_attach(
        case=Case.objects.get(pk=case.pk), clarification=clarification, user=kpu_clarifier
    )
    note = Notification.objects.get(recipient=moderator, kind=NotificationKind.ESCALATION_ANSWERED)
    assert "Jadwal resmi" in note.body
    assert not Notification.objects.filter(
        recipient=kpu_clarifier, kind=NotificationKind.ESCALATION_ANSWERED
    ).exists()

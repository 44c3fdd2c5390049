"""Start pages, the queues overview, a queue's list, claim-next and queue editing."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.choices import AuditAction, CaseStatus, PhaseKind, Reason
from moderation.models import AuditEvent, Case, ElectionPhase, Queue
from tests.clients import signed_in
from tests.factories import CaseFactory, VideoFactory

pytestmark = pytest.mark.django_db


# --- Start pages -------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/queues/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_moderator_starts_on_the_queues(moderator):
    response = signed_in(moderator).get("/")
    assert response["Location"] == reverse("queues")


def test_moderator_holding_a_case_resumes_it(moderator, make_case):
    case = make_case(
        status=CaseStatus.IN_REVIEW,
        assignee=moderator,
        lease_expires_at=timezone.now() + timedelta(minutes=10),
    )
    response = signed_in(moderator).get("/")
    assert response["Location"] == reverse("case_detail", args=[case.pk])


def test_kpu_clarifier_starts_on_the_clarification_queue(kpu_clarifier):
    response = signed_in(kpu_clarifier).get("/")
    assert response["Location"] == reverse("queue_detail", args=["menunggu-klarifikasi"])


def test_supervisor_starts_on_the_overview(supervisor):
    assert signed_in(supervisor).get("/")["Location"] == reverse("queues")


def test_outsider_gets_the_403_page(outsider):
    response = signed_in(outsider).get("/", follow=True)
    assert response.status_code == 403
    assert "Anda tidak punya akses" in response.content.decode()
    assert signed_in(outsider).get("/queues/").status_code == 403


def test_sign_in_form_signs_in(client, moderator):
    from tests.factories import DEFAULT_PASSWORD

    response = client.post(
        reverse("login"), {"username": "rina", "password": DEFAULT_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("queues")
    bad = client.post(reverse("login"), {"username": "rina", "password": "nope"})
    assert bad.status_code == 200


# --- Overview ----------------------------------------------------------------------------------


def test_overview_shows_the_current_phase_and_queue_numbers(supervisor, make_case):
    today = timezone.localdate()
    ElectionPhase.objects.create(
        election="Pilkada 2026",
        kind=PhaseKind.QUIET_PERIOD,
        name="Masa tenang Pilkada",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
    )
    make_case(due_at=timezone.now() - timedelta(minutes=1))
    make_case(due_at=timezone.now() + timedelta(minutes=30))
    page = signed_in(supervisor).get("/queues/").content.decode()
    assert "Masa tenang Pilkada" in page
    assert 'data-queue="informasi-palsu"' in page
    assert "Lewat SLA" in page
    assert "Mendekati SLA" in page


def test_overview_without_a_phase_says_so(moderator):
    ElectionPhase.objects.filter(ends_on__gte=date(2000, 1, 1)).delete()
    assert "Di luar tahapan pemilu" in signed_in(moderator).get("/queues/").content.decode()


def test_overview_fragment_for_htmx_polling(moderator, make_case):
    make_case()
    response = signed_in(moderator).get(
        "/queues/?fragment=overview", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="overview"')
    assert "<html" not in body


# --- Queue list --------------------------------------------------------------------------------


def test_queue_list_shows_rows_with_priority_breakdown_and_sla(moderator, make_case, tiktok):
    case = make_case(priority=85, due_at=timezone.now() - timedelta(minutes=10))
    page = signed_in(moderator).get("/queues/informasi-palsu/").content.decode()
    assert f'data-case="{case.pk}"' in page
    assert "Rincian prioritas" in page
    assert "250K tayangan" in page
    assert "sla-past" in page
    assert "250K" in page  # reach
    assert 'hx-get="/queues/informasi-palsu/count/"' in page


def test_queue_list_filters_sort_and_paginate(kpu_supervisor, make_case, other_platform):
    for i in range(5):
        make_case(priority=10 * i)
    make_case(other_platform, priority=99)
    client = signed_in(kpu_supervisor)
    page = client.get("/queues/informasi-palsu/?per_page=25&sort=priority&platform=tiktok")
    body = page.content.decode()
    assert body.count("data-case=") == 5
    first = client.get("/queues/informasi-palsu/?per_page=25&page=1").content.decode()
    assert "1\u20136" in first
    empty = client.get("/queues/informasi-palsu/?reason=sara").content.decode()
    assert "Tidak ada kasus yang cocok dengan filter ini" in empty


def test_queue_list_bad_query_values_fall_back(moderator, make_case):
    make_case()
    response = signed_in(moderator).get(
        "/queues/informasi-palsu/?page=abc&per_page=-1&sort=evil&reason=x&assignee=all"
    )
    assert response.status_code == 200


def test_empty_queue_state(moderator):
    page = signed_in(moderator).get("/queues/banding/").content.decode()
    assert 'data-state="empty-queue"' in page
    assert "Antrean ini kosong" in page


def test_unknown_queue_is_404(moderator):
    assert signed_in(moderator).get("/queues/no-such-queue/").status_code == 404


def test_moderator_cannot_open_the_approval_queue(moderator):
    assert signed_in(moderator).get("/queues/menunggu-persetujuan/").status_code == 403


def test_queue_list_query_count_does_not_grow_with_page_size(
    moderator, make_case, django_assert_max_num_queries
):
    for _ in range(12):
        make_case(flags=0)
    client = signed_in(moderator)
    client.get("/queues/informasi-palsu/?per_page=25")  # warm sessions and caches
    # 11: one of them marks the rows of a hoax wave (review/waves.py, one query per page).
    with django_assert_max_num_queries(11) as small:
        client.get("/queues/informasi-palsu/?per_page=25")
    for _ in range(60):
        make_case(flags=0)
    with django_assert_max_num_queries(len(small)):
        response = client.get("/queues/informasi-palsu/?per_page=100")
    assert response.content.decode().count("data-case=") == 72


def test_live_count_fragment(moderator, make_case):
    make_case()
    make_case()
    response = signed_in(moderator).get("/queues/informasi-palsu/count/")
    assert response.status_code == 200
    assert response.content.decode().strip() == "2 kasus"


def test_live_count_refused_to_outsider(outsider):
    assert signed_in(outsider).get("/queues/informasi-palsu/count/").status_code == 403


# --- Claim next --------------------------------------------------------------------------------


def test_claim_next_takes_the_highest_priority_case_of_the_queue(moderator, make_case):
    make_case(priority=20)
    top = make_case(priority=90)
    make_case(priority=99, reasons=(Reason.SARA,))  # another queue
    response = signed_in(moderator).post("/queues/informasi-palsu/claim-next/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{top.pk}/?queue=informasi-palsu"
    top.refresh_from_db()
    assert (top.status, top.assignee) == (CaseStatus.IN_REVIEW, moderator)


def test_claim_next_never_gives_another_platforms_case(moderator, make_case, other_platform):
    make_case(other_platform, priority=99)
    response = signed_in(moderator).post("/queues/informasi-palsu/claim-next/", follow=True)
    assert "Tidak ada kasus yang bisa Anda ambil" in response.content.decode()
    assert not Case.objects.filter(assignee=moderator).exists()


def test_claim_next_on_an_empty_queue_says_so(moderator):
    response = signed_in(moderator).post("/queues/banding/claim-next/", follow=True)
    assert "Tidak ada kasus yang bisa Anda ambil" in response.content.decode()


def test_claim_next_needs_post(moderator):
    assert signed_in(moderator).get("/queues/informasi-palsu/claim-next/").status_code == 405


def test_claim_next_refused_to_kpu_and_outsiders(kpu_clarifier, outsider, make_case):
    make_case()
    assert signed_in(outsider).post("/queues/informasi-palsu/claim-next/").status_code == 403
    assert signed_in(kpu_clarifier).post("/queues/informasi-palsu/claim-next/").status_code == 403


def test_claim_next_on_a_queue_with_nothing_to_claim_is_a_message(supervisor):
    response = signed_in(supervisor).post("/queues/menunggu-klarifikasi/claim-next/", follow=True)
    assert response.status_code == 200
    assert "tidak berisi kasus yang bisa diambil" in response.content.decode()


# --- Queue editing -----------------------------------------------------------------------------


def test_supervisor_creates_a_queue(supervisor, tiktok):
    response = signed_in(supervisor).post(
        "/queues/new/",
        {
            "name": "Hoaks berbahasa Jawa",
            "slug": "",
            "position": 20,
            "reasons": ["hoax"],
            "statuses": ["new"],
            "platforms": ["tiktok"],
            "languages": "jv",
            "min_priority": "",
            "max_priority": "",
            "awaiting_approval": "",
        },
    )
    assert response.status_code == 302
    queue = Queue.objects.get(slug="hoaks-berbahasa-jawa")
    assert queue.filters == {
        "reasons": ["hoax"],
        "statuses": ["new"],
        "platforms": ["tiktok"],
        "languages": ["jv"],
    }
    assert queue.created_by == supervisor
    assert AuditEvent.objects.filter(action=AuditAction.QUEUE_CREATE, actor=supervisor).exists()


def test_queue_form_shows_validation_errors(supervisor):
    response = signed_in(supervisor).post(
        "/queues/new/",
        {
            "name": "Bad",
            "slug": "prioritas-tinggi",
            "position": 1,
            "min_priority": 80,
            "max_priority": 10,
            "languages": "bahasa jawa",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Prioritas maksimum tidak boleh di bawah prioritas minimum." in body
    response = signed_in(supervisor).post(
        "/queues/new/", {"name": "Dup", "slug": "prioritas-tinggi", "position": 1}
    )
    assert response.status_code == 400
    assert "sudah dipakai antrean lain" in response.content.decode()
    response = signed_in(supervisor).post(
        "/queues/new/", {"name": "Lang", "position": 1, "languages": "bahasa jawa"}
    )
    assert "bukan kode bahasa BCP 47" in response.content.decode()


def test_supervisor_edits_a_queue(supervisor):
    client = signed_in(supervisor)
    assert client.get("/queues/banding/edit/").status_code == 200
    response = client.post(
        "/queues/banding/edit/",
        {"name": "Banding (SARA)", "position": 6, "statuses": ["appealed"], "reasons": ["sara"]},
    )
    assert response.status_code == 302
    queue = Queue.objects.get(slug="banding")
    assert queue.name == "Banding (SARA)"
    assert queue.filters == {"statuses": ["appealed"], "reasons": ["sara"]}


def test_moderator_cannot_edit_queues(moderator):
    client = signed_in(moderator)
    assert client.get("/queues/new/").status_code == 403
    assert client.post("/queues/banding/edit/", {"name": "x", "position": 1}).status_code == 403


def test_query_count_of_the_overview_does_not_grow_with_queues(
    supervisor, django_assert_max_num_queries
):
    client = signed_in(supervisor)
    client.get("/queues/")
    with django_assert_max_num_queries(12) as before:
        client.get("/queues/")
    for i in range(10):
        Queue.objects.create(slug=f"extra-{i}", name=f"Extra {i}", filters={"min_priority": i})
    CaseFactory(video=VideoFactory())
    with django_assert_max_num_queries(len(before)):
        client.get("/queues/")

"""The workflow behind the pages: revisions of a published clarification, send-back with a
comment the writers are told of, stale edits, four eyes over everyone who wrote the text,
sources that are URLs or regulation references."""

import pytest

from moderation.choices import (
    AuditAction,
    CallbackEventType,
    ClarificationStatus,
    NotificationKind,
)
from moderation.clarifications.services import (
    clarification_create,
    clarification_publish,
    clarification_retract,
    clarification_return,
    clarification_revision,
    clarification_submit,
    clarification_update,
    clarification_working_copy,
    edit_token,
)
from moderation.errors import Conflict, InvalidInput, InvalidTransition, NotPermitted
from moderation.models import AuditEvent, Clarification, Notification, OutboundDelivery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "claim": "Pemilu 2024 diundur ke 2025.",
    "rating": "false",
    "title": "Pemilu 2024 tetap 14 Februari 2024",
    "body": "KPU menetapkan hari pemungutan suara 14 Februari 2024.",
    "sources": ["https://www.kpu.go.id/berita/baca/1", "PKPU 3/2022 Pasal 1"],
    "keywords": ["pemilu ditunda", "pemilu diundur"],
    "reasons": ["hoax"],
}


def published(kpu_clarifier, kpu_approver) -> Clarification:
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    clarification_submit(clarification=draft, user=kpu_clarifier)
    return clarification_publish(clarification=draft, user=kpu_approver)


def test_send_back_tells_the_writers_and_the_fixed_text_is_published(kpu_clarifier, kpu_approver):
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    clarification_submit(clarification=draft, user=kpu_clarifier)
    # The approver hears of it.
    assert Notification.objects.get(recipient=kpu_approver).kind == (
        NotificationKind.CLARIFICATION_SUBMITTED
    )
    clarification_return(clarification=draft, user=kpu_approver, note="Tambahkan dasar hukum.")
    draft.refresh_from_db()
    assert (draft.status, draft.review_note) == (
        ClarificationStatus.DRAFT,
        "Tambahkan dasar hukum.",
    )
    told = Notification.objects.get(recipient=kpu_clarifier)
    assert told.kind == NotificationKind.CLARIFICATION_RETURNED
    assert "Tambahkan dasar hukum." in told.body
    assert AuditEvent.objects.filter(action=AuditAction.CLARIFICATION_RETURN).count() == 1

    clarification_update(clarification=draft, user=kpu_clarifier, body=FIELDS["body"] + " Dasar.")
    clarification_submit(clarification=draft, user=kpu_clarifier)
    done = clarification_publish(clarification=draft, user=kpu_approver)
    assert (done.status, done.version, done.review_note) == ("published", 1, "")
    # The search columns follow the published text.
    assert done.search_text


def test_send_back_needs_a_comment_and_an_approver(kpu_clarifier, kpu_approver, moderator):
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    clarification_submit(clarification=draft, user=kpu_clarifier)
    with pytest.raises(InvalidInput) as caught:
        clarification_return(clarification=draft, user=kpu_approver, note="  ")
    assert "note" in caught.value.extra["errors"]
    with pytest.raises(NotPermitted):
        clarification_return(clarification=draft, user=kpu_clarifier, note="x")
    with pytest.raises(NotPermitted):
        clarification_return(clarification=draft, user=moderator, note="x")


def test_editing_a_published_clarification_opens_version_2_while_version_1_stays_live(
    kpu_clarifier, kpu_approver, tiktok
):
    live = published(kpu_clarifier, kpu_approver)
    token = edit_token(clarification_working_copy(live), live)
    clarification_update(
        clarification=live, user=kpu_clarifier, token=token, title="Pemilu tetap 14 Februari"
    )
    live.refresh_from_db()
    assert (live.status, live.version, live.title) == ("published", 1, FIELDS["title"])
    revision = clarification_revision(live)
    assert revision is not None
    assert (revision.version, revision.status, revision.title) == (
        2,
        "draft",
        "Pemilu tetap 14 Februari",
    )
    # A second edit changes the same revision.
    clarification_update(clarification=live, user=kpu_clarifier, body="Tetap 14 Februari 2024.")
    assert live.versions.count() == 2

    clarification_submit(clarification=live, user=kpu_clarifier)
    clarification_return(clarification=live, user=kpu_approver, note="Judul terlalu pendek.")
    revision.refresh_from_db()
    assert (revision.status, revision.review_note) == ("draft", "Judul terlalu pendek.")
    clarification_submit(clarification=live, user=kpu_clarifier)
    v2 = clarification_publish(clarification=live, user=kpu_approver)
    assert (v2.version, v2.title, v2.body) == (
        2,
        "Pemilu tetap 14 Februari",
        "Tetap 14 Februari 2024.",
    )
    assert list(v2.versions.order_by("version").values_list("version", "status")) == [
        (1, "published"),
        (2, "published"),
    ]
    sent = OutboundDelivery.objects.filter(
        platform=tiktok, event_type=CallbackEventType.CLARIFICATION_PUBLISHED
    ).order_by("pk")
    assert [d.payload["data"]["version"] for d in sent] == [1, 2]
    assert sent[1].payload["data"]["title"] == "Pemilu tetap 14 Februari"
    # Nothing more waits: publishing again is refused.
    with pytest.raises(InvalidInput):
        clarification_publish(clarification=v2, user=kpu_approver)


def test_a_stale_edit_is_refused_and_names_who_changed_it(kpu, kpu_clarifier):
    other = UserFactory(username="wati", organisation=kpu, roles=["kpu_clarifier"])
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    opened = edit_token(draft, draft)
    clarification_update(clarification=draft, user=other, token=opened, title="Versi Wati")
    with pytest.raises(Conflict) as caught:
        clarification_update(
            clarification=draft, user=kpu_clarifier, token=opened, title="Versi Sari"
        )
    assert "wati" in caught.value.detail
    assert Clarification.objects.get(pk=draft.pk).title == "Versi Wati"


def test_a_stale_edit_of_a_revision_is_refused(kpu, kpu_clarifier, kpu_approver):
    live = published(kpu_clarifier, kpu_approver)
    opened = edit_token(None, live)  # both opened the editor before any revision existed
    clarification_update(clarification=live, user=kpu_clarifier, token=opened, title="A")
    with pytest.raises(Conflict):
        clarification_update(clarification=live, user=kpu_approver, token=opened, title="B")


def test_four_eyes_covers_everyone_who_wrote_the_text(kpu, kpu_clarifier, kpu_approver):
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    clarification_update(clarification=draft, user=kpu_approver, title="Diubah penyetuju")
    clarification_submit(clarification=draft, user=kpu_clarifier)
    with pytest.raises(NotPermitted):
        clarification_publish(clarification=draft, user=kpu_approver)
    second = UserFactory(username="putri", organisation=kpu, roles=["kpu_approver"])
    assert clarification_publish(clarification=draft, user=second).version == 1


def test_the_author_of_version_1_may_approve_someone_else_s_revision(kpu, kpu_approver):
    writer = UserFactory(username="wati", organisation=kpu, roles=["kpu_clarifier"])
    author_approver = UserFactory(username="putri", organisation=kpu, roles=["kpu_approver"])
    draft = clarification_create(user=author_approver, **FIELDS)
    clarification_submit(clarification=draft, user=author_approver)
    live = clarification_publish(clarification=draft, user=kpu_approver)
    clarification_update(clarification=live, user=writer, title="Revisi Wati")
    clarification_submit(clarification=live, user=writer)
    with pytest.raises(NotPermitted):
        clarification_publish(clarification=live, user=writer)
    assert clarification_publish(clarification=live, user=author_approver).version == 2


def test_in_review_and_retracted_texts_are_not_edited(kpu_clarifier, kpu_approver):
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    clarification_submit(clarification=draft, user=kpu_clarifier)
    with pytest.raises(InvalidInput):
        clarification_update(clarification=draft, user=kpu_clarifier, title="x")
    with pytest.raises(InvalidTransition):
        clarification_submit(clarification=draft, user=kpu_clarifier)


def test_retraction_keeps_the_reason_and_closes_an_open_revision(
    kpu_clarifier, kpu_approver, tiktok
):
    live = published(kpu_clarifier, kpu_approver)
    clarification_update(clarification=live, user=kpu_clarifier, title="Revisi")
    retracted = clarification_retract(clarification=live, user=kpu_approver, reason="Keliru.")
    assert (retracted.status, retracted.retraction_reason) == ("retracted", "Keliru.")
    assert clarification_revision(retracted) is None
    assert list(retracted.versions.values_list("version", "status").order_by("version")) == [
        (1, "published"),
        (2, "retracted"),
    ]
    assert (
        OutboundDelivery.objects.filter(
            event_type=CallbackEventType.CLARIFICATION_RETRACTED
        ).count()
        == 1
    )
    with pytest.raises(NotPermitted):
        clarification_retract(clarification=retracted, user=kpu_clarifier, reason="x")


@pytest.mark.parametrize(
    "source",
    [
        "https://jdih.kpu.go.id/pkpu-25-2023",
        "PKPU 25/2023 Pasal 18",
        "UU No. 7 Tahun 2017 Pasal 167 ayat (3)",
        "Keputusan KPU Nomor 1050 Tahun 2023",
    ],
)
def test_a_source_is_a_url_or_a_regulation_reference(kpu_clarifier, source):
    assert clarification_create(user=kpu_clarifier, **{**FIELDS, "sources": [source]}).sources == [
        source
    ]


@pytest.mark.parametrize(
    "source", ["lihat situs KPU", "javascript:alert(1)", "ftp://kpu.go.id/x", "PKPU baru"]
)
def test_a_source_that_is_neither_is_refused(kpu_clarifier, source):
    with pytest.raises(InvalidInput) as caught:
        clarification_create(user=kpu_clarifier, **{**FIELDS, "sources": [source]})
    assert "sources" in caught.value.extra["errors"]


def test_platform_staff_never_write_a_clarification(tiktok):
    platform_admin = UserFactory(
        username="admin-tiktok", organisation=tiktok.organisation, roles=["administrator"]
    )
    with pytest.raises(NotPermitted):
        clarification_create(user=platform_admin, **FIELDS)

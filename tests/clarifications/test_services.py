"""The clarification services, called directly: who may write, submit, publish, retract and
attach; four eyes on publishing; every write audited; publishing and retracting tell the
platforms through the outbox."""

import pytest

from moderation.choices import (
    AuditAction,
    CallbackEventType,
    CaseStatus,
    ClarificationStatus,
)
from moderation.clarifications.services import (
    clarification_attach,
    clarification_create,
    clarification_publish,
    clarification_retract,
    clarification_submit,
    clarification_update,
)
from moderation.errors import InvalidInput, InvalidTransition, NotPermitted
from moderation.models import AuditEvent, ClarificationVersion, OutboundDelivery
from tests.factories import CaseFactory, PublishedClarificationFactory, VideoFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "claim": "Pemilu 2024 diundur ke 2025.",
    "rating": "false",
    "title": "Pemilu 2024 tetap 14 Februari 2024",
    "body": "KPU menetapkan hari pemungutan suara 14 Februari 2024 (PKPU 3/2022).",
    "sources": ["https://www.kpu.go.id/berita/baca/1"],
}


def test_a_clarifier_writes_an_approver_publishes_a_frozen_version(
    kpu_clarifier, kpu_approver, tiktok
):
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    assert draft.status == ClarificationStatus.DRAFT
    draft = clarification_update(clarification=draft, user=kpu_clarifier, title="Tetap 14 Feb")
    submitted = clarification_submit(clarification=draft, user=kpu_clarifier)
    assert submitted.status == ClarificationStatus.IN_REVIEW

    published = clarification_publish(clarification=submitted, user=kpu_approver)
    assert (published.status, published.version) == (ClarificationStatus.PUBLISHED, 1)
    assert published.approver == kpu_approver
    frozen = ClarificationVersion.objects.get(clarification=published)
    assert (frozen.version, frozen.title) == (1, "Tetap 14 Feb")
    # The platform hears of it through the outbox, one row per platform with a callback URL.
    delivery = OutboundDelivery.objects.get(platform=tiktok)
    assert delivery.event_type == CallbackEventType.CLARIFICATION_PUBLISHED
    assert delivery.payload["data"]["version"] == 1

    actions = list(
        AuditEvent.objects.filter(object_id=str(published.pk), object_type="clarification")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.CLARIFICATION_CREATE,
        AuditAction.CLARIFICATION_UPDATE,
        AuditAction.CLARIFICATION_SUBMIT,
        AuditAction.CLARIFICATION_PUBLISH,
    ]


def test_four_eyes_an_author_never_publishes_their_own(kpu, kpu_approver):
    own = clarification_create(user=kpu_approver, **FIELDS)
    clarification_submit(clarification=own, user=kpu_approver)
    with pytest.raises(NotPermitted):
        clarification_publish(clarification=own, user=kpu_approver)


def test_only_kpu_writes_and_only_approvers_publish_and_retract(
    kpu_clarifier, moderator, supervisor
):
    with pytest.raises(NotPermitted):
        clarification_create(user=moderator, **FIELDS)
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    with pytest.raises(NotPermitted):
        clarification_update(clarification=draft, user=supervisor, title="X")
    clarification_submit(clarification=draft, user=kpu_clarifier)
    with pytest.raises(NotPermitted):
        clarification_publish(clarification=draft, user=kpu_clarifier)
    with pytest.raises(NotPermitted):
        clarification_retract(clarification=draft, user=supervisor)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"claim": "  "}, "claim"),
        ({"rating": "maybe"}, "rating"),
        ({"sources": ["ftp://kpu.go.id/x"]}, "sources"),
    ],
)
def test_bad_fields_are_refused_with_the_field_named(kpu_clarifier, change, field):
    with pytest.raises(InvalidInput) as caught:
        clarification_create(user=kpu_clarifier, **{**FIELDS, **change})
    assert field in caught.value.extra["errors"]


def test_a_draft_cannot_be_published_before_review_nor_a_retracted_one_edited(
    kpu_clarifier, kpu_approver
):
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    with pytest.raises(InvalidTransition):
        clarification_publish(clarification=draft, user=kpu_approver)
    clarification_submit(clarification=draft, user=kpu_clarifier)
    published = clarification_publish(clarification=draft, user=kpu_approver)
    retracted = clarification_retract(clarification=published, user=kpu_approver, reason="Usang")
    assert retracted.status == ClarificationStatus.RETRACTED
    assert AuditEvent.objects.get(action=AuditAction.CLARIFICATION_RETRACT).after["reason"] == (
        "Usang"
    )
    with pytest.raises(InvalidInput):
        clarification_update(clarification=retracted, user=kpu_clarifier, title="Lagi")


def test_attaching_returns_a_case_waiting_for_kpu_to_the_queue(kpu_clarifier, tiktok):
    case = CaseFactory(
        video=VideoFactory(platform=tiktok), status=CaseStatus.AWAITING_CLARIFICATION
    )
    clarification = PublishedClarificationFactory()
    link = clarification_attach(case=case, clarification=clarification, user=kpu_clarifier)
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert link.attached_by == kpu_clarifier
    # Attaching it again changes nothing and writes nothing.
    again = clarification_attach(case=case, clarification=clarification, user=kpu_clarifier)
    assert again.pk == link.pk
    assert AuditEvent.objects.filter(action=AuditAction.CLARIFICATION_ATTACH).count() == 1


def test_attaching_is_refused_to_outsiders_and_for_unpublished_clarifications(
    outsider, moderator, tiktok, kpu_clarifier
):
    case = CaseFactory(video=VideoFactory(platform=tiktok))
    with pytest.raises(NotPermitted):
        clarification_attach(
            case=case, clarification=PublishedClarificationFactory(), user=outsider
        )
    draft = clarification_create(user=kpu_clarifier, **FIELDS)
    with pytest.raises(InvalidInput):
        clarification_attach(case=case, clarification=draft, user=moderator)

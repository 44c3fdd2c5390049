"""The outbox row and the body the platform receives, against contract §3 and its example."""

import json
from pathlib import Path

import pytest

from moderation.choices import Action, CallbackEventType, DeliveryStatus, Ground, Reason
from moderation.clarifications.services import clarification_publish, clarification_retract
from moderation.models import OutboundDelivery
from moderation.outbound.callbacks import delivery_send
from moderation.outbound.payloads import CONTRACT_DATA_FIELDS, callback_body
from moderation.review.approvals import decision_approve, decision_reject
from moderation.review.claims import case_claim
from moderation.review.decisions import decision_record
from tests.factories import CaseFactory, ClarificationFactory, PublishedClarificationFactory

pytestmark = pytest.mark.django_db

# A copy of the contract example (contracts/examples/decision.recorded.json).
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "callbacks" / "decision.recorded.json"
EXAMPLE = json.loads(FIXTURE.read_text())


def record(case, user, **overrides):
    fields = {
        "action": Action.NO_ACTION,
        "ground": Ground.COMMUNITY_GUIDELINES,
        "category": Reason.VOTER_SUPPRESSION,
        "statement_of_reasons": "Tidak melanggar pedoman komunitas.",
    }
    fields.update(overrides)
    return decision_record(case=case, user=user, version=case.version, **fields)


def test_a_decision_writes_one_pending_delivery_in_its_transaction(claimed_case, moderator):
    decision = record(claimed_case, moderator)

    delivery = OutboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.event_type == CallbackEventType.DECISION_RECORDED
    assert delivery.platform_id == claimed_case.platform_id
    assert delivery.subject == f"decision:{decision.pk}"
    assert delivery.webhook_id.startswith("msg_")


def test_the_body_matches_the_contract_example_field_for_field(claimed_case, moderator):
    clarification = PublishedClarificationFactory()
    decision = record(claimed_case, moderator, action=Action.LABEL, clarification=clarification)
    body = json.loads(callback_body(OutboundDelivery.objects.get().payload))

    assert list(body) == list(EXAMPLE)
    assert list(body["data"]) == list(EXAMPLE["data"])
    for key, value in EXAMPLE["data"].items():
        assert type(body["data"][key]) is type(value), key
    assert body["type"] == "decision.recorded"
    assert body["data"]["decision_id"] == decision.pk
    assert body["data"]["case_id"] == claimed_case.pk
    assert body["data"]["video_id"] == claimed_case.video.platform_video_id
    assert body["data"]["clarification_id"] == clarification.pk
    assert body["data"]["category"] == "voter_suppression"
    assert body["data"]["decided_at"].endswith("Z")
    assert body["timestamp"].endswith("Z")
    assert body["data"]["supersedes"] is None


def test_without_a_label_the_clarification_is_null(claimed_case, moderator):
    record(claimed_case, moderator)
    data = json.loads(callback_body(OutboundDelivery.objects.get().payload))["data"]
    assert data["clarification_id"] is None
    assert set(data) == set(EXAMPLE["data"])


def test_the_platform_receives_exactly_that_body_signed(claimed_case, moderator, platform):
    record(claimed_case, moderator)
    delivery = OutboundDelivery.objects.get()

    assert delivery_send(delivery_id=delivery.pk) == "delivered"

    [received] = platform.received
    assert received.signature_ok
    assert received.webhook_id == delivery.webhook_id
    assert received.headers["content-type"] == "application/json"
    assert received.body.decode() == callback_body(delivery.payload)
    assert list(received.json["data"]) == list(EXAMPLE["data"])


def test_a_held_decision_writes_nothing_until_approved(
    callback_platform, moderator, supervisor, platform_admin
):
    case = CaseFactory(video__platform=callback_platform, video__author_is_political=True)
    case = case_claim(case=case, user=moderator)
    decision = record(case, moderator, action=Action.REMOVE)
    assert not OutboundDelivery.objects.exists()

    decision_approve(decision=decision, user=supervisor)

    delivery = OutboundDelivery.objects.get()
    assert delivery.payload["data"]["decision_id"] == decision.pk
    assert delivery.payload["data"]["action"] == "remove"


def test_a_rejected_held_decision_never_reaches_the_platform(
    callback_platform, moderator, supervisor
):
    case = CaseFactory(video__platform=callback_platform, video__author_is_political=True)
    case = case_claim(case=case, user=moderator)
    decision = record(case, moderator, action=Action.REMOVE)
    decision_reject(decision=decision, user=supervisor, note="Belum cukup bukti.")
    assert not OutboundDelivery.objects.exists()


def test_clarifications_plug_into_the_same_outbox(callback_platform, kpu_clarifier, kpu_approver):
    clarification = ClarificationFactory(author=kpu_clarifier, status="in_review")
    clarification_publish(clarification=clarification, user=kpu_approver)
    clarification_retract(clarification=clarification, user=kpu_approver, reason="Diganti.")

    published, retracted = OutboundDelivery.objects.order_by("pk")
    assert published.event_type == "clarification.published"
    assert retracted.event_type == "clarification.retracted"
    assert published.webhook_id != retracted.webhook_id
    for delivery in (published, retracted):
        body = json.loads(callback_body(delivery.payload))
        assert tuple(body["data"]) == CONTRACT_DATA_FIELDS[delivery.event_type]

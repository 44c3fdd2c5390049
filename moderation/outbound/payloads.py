"""The ``data`` objects of our callbacks, field for field as in contract §3."""

import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from moderation.choices import Action
from moderation.models import Clarification, Decision


def utc_rfc3339(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decision_recorded_data(decision: Decision) -> dict[str, Any]:
    return {
        "decision_id": decision.pk,
        "case_id": decision.case_id,
        "video_id": decision.case.video.platform_video_id,
        "action": decision.action,
        "ground": decision.ground,
        "category": decision.category,
        "statement_of_reasons": decision.statement_of_reasons,
        "clarification_id": decision.clarification_id if decision.action == Action.LABEL else None,
        "decided_at": utc_rfc3339(decision.decided_at),
        "supersedes": decision.supersedes_id,
    }


def clarification_data(clarification: Clarification, *, platform_id: int) -> dict[str, Any]:
    video_ids = list(
        clarification.decisions.filter(action=Action.LABEL, case__platform_id=platform_id)
        .values_list("case__video__platform_video_id", flat=True)
        .distinct()
        .order_by("case__video__platform_video_id")
    )
    base = settings.SARING["PUBLIC_BASE_URL"].rstrip("/")
    return {
        "clarification_id": clarification.pk,
        "version": clarification.version,
        "title": clarification.title,
        "body": clarification.body,
        "language": clarification.language,
        "rating": clarification.rating,
        "claim": clarification.claim,
        "sources": list(clarification.sources),
        "url": base + reverse("clarification_public", args=[clarification.pk]),
        "video_ids": video_ids,
        "published_at": utc_rfc3339(clarification.published_at),
    }


# The ``data`` keys of each callback, in the order contract §3 lists them. The body is written
# in this order so that a platform engineer reading a raw request sees the contract's layout
# (PostgreSQL's jsonb does not keep key order).
CONTRACT_DATA_FIELDS: dict[str, tuple[str, ...]] = {
    "decision.recorded": (
        "decision_id",
        "case_id",
        "video_id",
        "action",
        "ground",
        "category",
        "statement_of_reasons",
        "clarification_id",
        "decided_at",
        "supersedes",
    ),
    "clarification.published": (
        "clarification_id",
        "version",
        "title",
        "body",
        "language",
        "rating",
        "claim",
        "sources",
        "url",
        "video_ids",
        "published_at",
    ),
}
CONTRACT_DATA_FIELDS["clarification.retracted"] = CONTRACT_DATA_FIELDS["clarification.published"]


def callback_body(payload: dict[str, Any]) -> str:
    """The exact request body of a callback: the stored envelope, keys in contract order.

    The same stored payload always gives the same bytes, so every retry of one event carries
    the same body as well as the same ``webhook-id``.
    """
    data = payload["data"]
    order = CONTRACT_DATA_FIELDS.get(payload["type"], ())
    ordered = {key: data[key] for key in order if key in data}
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    envelope = {"type": payload["type"], "timestamp": payload["timestamp"], "data": ordered}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))

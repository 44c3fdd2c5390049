"""The audit log's one writer. Called inside the service's transaction, never on its own."""

from typing import Any

from django.db import models
from django.utils import timezone

from moderation.choices import ActorKind
from moderation.models import AuditEvent, Case, User
from moderation.request_context import current_request_meta


def audit_record(
    *,
    action: str,
    obj: models.Model,
    actor: User | None,
    case: Case | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_kind: str | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        **audit_columns(
            action=action, object_type=obj._meta.model_name, actor=actor, actor_kind=actor_kind
        ),
        object_id=str(obj.pk),
        case=case,
        before=before or {},
        after=after or {},
    )


def audit_columns(
    *, action: str, object_type: str | None, actor: User | None, actor_kind: str | None = None
) -> dict[str, Any]:
    """The columns every audit event fills the same way: when, who (and for which
    organisation), what, and from which request. ``audit_record`` writes them through the ORM;
    claim-next's one-statement claim (services/claim_statement.py) binds them into its INSERT."""
    meta = current_request_meta()
    return {
        "created_at": timezone.now(),
        "actor_id": actor.pk if actor else None,
        "actor_kind": actor_kind or (ActorKind.USER if actor else ActorKind.SYSTEM),
        "actor_organisation_id": actor.organisation_id if actor else None,
        "action": action,
        "object_type": object_type or "",
        "ip_address": meta.ip_address,
        "request_id": meta.request_id,
        "client_request_id": meta.client_request_id,
    }


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """JSON-safe values of ``fields`` for before/after columns."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, models.Model):
            value = value.pk
        out[name] = value
    return out

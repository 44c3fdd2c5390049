"""Reads of the audit log."""

from datetime import datetime

from django.db.models import QuerySet

from moderation.errors import NotPermitted
from moderation.models import AuditEvent, User
from moderation.permissions import (
    audit_events_visible_q,
    can_read_audit_log,
)


def audit_events_search(
    *,
    user: User,
    actor: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    case_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, for supervisors. ``actor`` is a username or a user id."""
    if not can_read_audit_log(user):
        raise NotPermitted()
    qs = AuditEvent.objects.select_related("actor").filter(audit_events_visible_q(user))
    if actor:
        qs = qs.filter(actor_id=int(actor)) if actor.isdigit() else qs.filter(actor__username=actor)
    if action:
        qs = qs.filter(action=action)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return qs.order_by("-created_at", "-pk")

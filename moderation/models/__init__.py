"""Data only: fields, constraints, indexes, small properties. Writes live in services/."""

from moderation.models.accounts import Organisation, User
from moderation.models.audit import AuditEvent, AuditSeal
from moderation.models.cases import Case
from moderation.models.clarifications import CaseClarification, Clarification, ClarificationVersion
from moderation.models.clock import database_now
from moderation.models.content import Flag, RawEvent, Video
from moderation.models.decisions import Appeal, Decision
from moderation.models.notifications import EmailDelivery, Notification, NotificationPreference
from moderation.models.outbox import OutboundDelivery, new_webhook_id
from moderation.models.platforms import Platform, PlatformSecret, mask_secret
from moderation.models.policy import ElectionPhase, Queue, SlaTarget, TuningParameter

__all__ = [
    "Appeal",
    "AuditEvent",
    "AuditSeal",
    "Case",
    "CaseClarification",
    "Clarification",
    "ClarificationVersion",
    "Decision",
    "ElectionPhase",
    "EmailDelivery",
    "Flag",
    "Notification",
    "NotificationPreference",
    "Organisation",
    "OutboundDelivery",
    "Platform",
    "PlatformSecret",
    "Queue",
    "RawEvent",
    "SlaTarget",
    "TuningParameter",
    "User",
    "Video",
    "database_now",
    "mask_secret",
    "new_webhook_id",
]

"""Data only: fields, constraints, indexes, small properties. Writes live in services/."""

from moderation.models.accounts import Organisation, User
from moderation.models.audit import AuditEvent, AuditSeal, AuditVerification
from moderation.models.cases import Case
from moderation.models.clarifications import CaseClarification, Clarification, ClarificationVersion
from moderation.models.clock import database_now
from moderation.models.content import CaptionWords, Flag, RawEvent, Video
from moderation.models.dashboard import DashboardDay, DashboardDirtyDay
from moderation.models.decisions import Appeal, Decision
from moderation.models.neutrality import CaseSubject, ElectoralSubject
from moderation.models.notifications import EmailDelivery, Notification, NotificationPreference
from moderation.models.outbox import OutboundDelivery, new_webhook_id
from moderation.models.platforms import Platform, PlatformSecret, mask_secret
from moderation.models.policy import ElectionPhase, Queue, SlaTarget, TuningParameter
from moderation.models.workspace import DecisionDraft, ModeratorPreference

__all__ = [
    "Appeal",
    "AuditEvent",
    "AuditSeal",
    "AuditVerification",
    "CaptionWords",
    "Case",
    "CaseClarification",
    "CaseSubject",
    "Clarification",
    "ClarificationVersion",
    "DashboardDay",
    "DashboardDirtyDay",
    "Decision",
    "DecisionDraft",
    "ElectionPhase",
    "ElectoralSubject",
    "EmailDelivery",
    "Flag",
    "ModeratorPreference",
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

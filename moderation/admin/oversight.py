"""Callback deliveries, the audit log and its seals, the dashboards' day summaries,
notifications and e-mails: read-only."""

from django.contrib import admin

from moderation.admin.base import ReadOnlyAdmin
from moderation.models import (
    AuditEvent,
    AuditSeal,
    AuditVerification,
    DashboardDay,
    DashboardDirtyDay,
    EmailDelivery,
    Notification,
    NotificationPreference,
    OutboundDelivery,
)


@admin.register(OutboundDelivery)
class OutboundDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "webhook_id",
        "platform",
        "event_type",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
    ]
    list_filter = ["platform", "event_type", "status"]
    search_fields = ["webhook_id", "subject"]
    list_select_related = ["platform"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "action",
        "actor",
        "actor_kind",
        "object_type",
        "object_id",
        "case",
        "ip_address",
    ]
    list_filter = ["action", "actor_kind", "object_type"]
    search_fields = ["object_id", "request_id", "actor__username"]
    list_select_related = ["actor", "case"]
    date_hierarchy = "created_at"


@admin.register(AuditSeal)
class AuditSealAdmin(ReadOnlyAdmin):
    list_display = ["first_event_id", "last_event_id", "event_count", "digest", "sealed_at"]


@admin.register(AuditVerification)
class AuditVerificationAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "ok", "seals", "events", "last_event_id", "first_problem"]
    list_filter = ["ok"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "email_state"]
    list_filter = ["kind", "email_state"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "channel", "updated_at"]
    list_filter = ["kind", "channel"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdmin):
    # Bodies stay out of the list: they may quote case details; open one to read it.
    list_display = ["created_at", "recipient", "kind", "subject", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["subject", "recipient__username"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(DashboardDay)
class DashboardDayAdmin(ReadOnlyAdmin):
    """What the refresh stored, for on-call: when each day was last summarised."""

    list_display = ["day", "platform", "opened", "settled", "computed_at"]
    list_filter = ["platform"]
    list_select_related = ["platform"]
    date_hierarchy = "day"
    # The binary columns are sorted doubles, not for reading.
    fields = ["platform", "day", "opened", "settled", "computed_at", "facts"]


@admin.register(DashboardDirtyDay)
class DashboardDirtyDayAdmin(ReadOnlyAdmin):
    """Days waiting for the next refresh (normally empty within a minute)."""

    list_display = ["day", "platform_id", "id"]

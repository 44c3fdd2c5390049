"""Django admin for administrators. Secrets are masked; the audit log is read-only; actions
call services and never write state directly."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from moderation.errors import ModerationError
from moderation.models import (
    Appeal,
    AuditEvent,
    AuditSeal,
    Case,
    CaseClarification,
    Clarification,
    ClarificationVersion,
    Decision,
    ElectionPhase,
    EmailDelivery,
    Flag,
    Notification,
    NotificationPreference,
    Organisation,
    OutboundDelivery,
    Platform,
    PlatformSecret,
    Queue,
    RawEvent,
    SlaTarget,
    TuningParameter,
    User,
    Video,
    mask_secret,
)
from moderation.policy import tuning_values_forget
from moderation.review.claims import case_release


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "organisation", "roles", "is_active", "last_login"]
    list_filter = ["organisation", "groups", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Saring"), {"fields": ("organisation", "language")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("peran"))
    def roles(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all())


class PlatformSecretInline(admin.TabularInline):
    model = PlatformSecret
    extra = 0
    fields = ["masked", "created_at", "expires_at"]
    readonly_fields = ["masked", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # secrets are added with `manage.py platform_rotate_secret`

    @admin.display(description=_("rahasia"))
    def masked(self, obj: PlatformSecret) -> str:
        return mask_secret(obj.secret)


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "callback_url", "enabled", "callback_enabled"]
    list_filter = ["enabled", "callback_enabled"]
    search_fields = ["slug", "name"]
    list_select_related = ["organisation"]
    fields = [
        "slug",
        "name",
        "organisation",
        "callback_url",
        "enabled",
        "callback_enabled",
        "callback_disabled_reason",
        "masked_callback_secret",
    ]
    readonly_fields = ["masked_callback_secret", "callback_enabled", "callback_disabled_reason"]
    inlines = [PlatformSecretInline]

    @admin.display(description=_("rahasia callback"))
    def masked_callback_secret(self, obj: Platform) -> str:
        return mask_secret(obj.callback_secret)


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["platform_video_id", "platform", "author_handle", "view_count", "language"]
    list_filter = ["platform", "language", "region", "author_is_political"]
    search_fields = ["platform_video_id", "author_handle", "caption"]
    list_select_related = ["platform"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(RawEvent)
class RawEventAdmin(ReadOnlyAdmin):
    list_display = ["webhook_id", "platform", "event_type", "status", "received_at", "attempts"]
    list_filter = ["platform", "event_type", "status"]
    search_fields = ["webhook_id"]
    list_select_related = ["platform"]
    date_hierarchy = "received_at"


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["platform_flag_id", "platform", "reason", "source", "confidence", "flagged_at"]
    list_filter = ["platform", "reason", "source"]
    search_fields = ["platform_flag_id", "video__platform_video_id"]
    list_select_related = ["platform", "video"]
    raw_id_fields = ["video", "case", "raw_event"]


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    fields = ("platform_flag_id", "reason", "source", "confidence", "flagged_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["id", "video", "status", "priority", "flag_count", "assignee", "due_at"]
    list_filter = ["status", "platform", "awaiting_approval"]
    search_fields = ["video__platform_video_id", "video__author_handle"]
    list_select_related = ["video__platform", "assignee"]
    raw_id_fields = ["video", "assignee", "reopened_from"]
    inlines = [FlagInline]
    actions = ["release_claims"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # State lives in services: the admin shows a case, it does not edit one.
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Lepas klaim kasus terpilih"))
    def release_claims(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        released = 0
        for case in queryset.filter(assignee__isnull=False):
            try:
                case_release(case=case, user=request.user)  # type: ignore[arg-type]
                released += 1
            except ModerationError as exc:
                self.message_user(request, f"#{case.pk}: {exc.detail}", messages.ERROR)
        self.message_user(request, _("%(n)d klaim dilepas.") % {"n": released})


@admin.register(Clarification)
class ClarificationAdmin(admin.ModelAdmin):
    list_display = ["title", "rating", "status", "version", "author", "approver", "published_at"]
    list_filter = ["status", "rating", "language"]
    search_fields = ["title", "claim", "body"]
    list_select_related = ["author", "approver"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Clarification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ClarificationVersion)
class ClarificationVersionAdmin(ReadOnlyAdmin):
    list_display = ["clarification", "version", "rating", "published_at", "approver"]
    list_select_related = ["clarification", "approver"]
    search_fields = ["title"]


@admin.register(CaseClarification)
class CaseClarificationAdmin(ReadOnlyAdmin):
    list_display = ["case", "clarification", "attached_by", "attached_at"]
    list_select_related = ["case__video", "clarification", "attached_by"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "case",
        "action",
        "ground",
        "category",
        "decided_by",
        "decided_at",
        "approval_state",
    ]
    list_filter = ["action", "ground", "category", "approval_state"]
    search_fields = ["statement_of_reasons", "case__video__platform_video_id"]
    list_select_related = ["case__video", "decided_by"]
    date_hierarchy = "decided_at"


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["appeal_id", "platform", "decision", "status", "reviewer", "received_at"]
    list_filter = ["platform", "status"]
    search_fields = ["appeal_id"]
    list_select_related = ["platform", "decision", "reviewer"]


@admin.register(ElectionPhase)
class ElectionPhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "election", "kind", "starts_on", "ends_on"]
    list_filter = ["election", "kind"]
    search_fields = ["name", "election"]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["phase", "reason", "target_minutes"]
    list_filter = ["phase", "reason"]
    list_select_related = ["phase"]
    list_editable = ["target_minutes"]


@admin.register(TuningParameter)
class TuningParameterAdmin(admin.ModelAdmin):
    list_display = ["key", "value", "description", "updated_at"]
    list_editable = ["value"]
    search_fields = ["key", "description"]

    def save_model(
        self, request: HttpRequest, obj: TuningParameter, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        tuning_values_forget()


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_standard", "position"]
    list_filter = ["is_standard"]
    search_fields = ["name", "slug"]


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

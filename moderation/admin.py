"""Django admin for administrators. Secrets are masked; the audit log is read-only; actions
call services and never write state directly."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from moderation.administration.configuration import (
    configuration_delete,
    configuration_save,
    configuration_validate,
)
from moderation.administration.platforms import platform_update
from moderation.administration.videos import video_author_political_set
from moderation.errors import InvalidInput, ModerationError
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
from moderation.review.claims import case_release
from moderation.web import request_user


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
    readonly_fields = [
        "slug",
        "organisation",
        "masked_callback_secret",
        "callback_enabled",
        "callback_disabled_reason",
    ]
    inlines = [PlatformSecretInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # `manage.py platform_add` registers a platform and prints its secrets

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Platform, form: Any, change: bool) -> None:
        platform_update(
            platform=obj,
            user=request_user(request),
            name=obj.name,
            callback_url=obj.callback_url,
            enabled=obj.enabled,
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)  # secrets are read-only here: nothing to write

    @admin.display(description=_("rahasia callback"))
    def masked_callback_secret(self, obj: Platform) -> str:
        return mask_secret(obj.callback_secret)


@admin.register(Video)
class VideoAdmin(ReadOnlyAdmin):
    list_display = [
        "platform_video_id",
        "platform",
        "author_handle",
        "author_is_political",
        "view_count",
        "language",
    ]
    list_filter = ["platform", "language", "region", "author_is_political"]
    search_fields = ["platform_video_id", "author_handle", "caption"]
    list_select_related = ["platform"]
    actions = ["mark_political", "mark_not_political"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super(ReadOnlyAdmin, self).has_change_permission(request)

    def _political(self, request: HttpRequest, queryset: QuerySet[Video], political: bool) -> None:
        for video in queryset:
            try:
                video_author_political_set(
                    video=video, political=political, user=request_user(request)
                )
            except ModerationError as exc:
                self.message_user(request, exc.detail, messages.ERROR)
                return
        self.message_user(request, _("%(n)d video diperbarui.") % {"n": queryset.count()})

    @admin.action(description=_("Tandai akun pembuat sebagai akun politik/resmi"))
    def mark_political(self, request: HttpRequest, queryset: QuerySet[Video]) -> None:
        self._political(request, queryset, True)

    @admin.action(description=_("Tandai akun pembuat bukan akun politik"))
    def mark_not_political(self, request: HttpRequest, queryset: QuerySet[Video]) -> None:
        self._political(request, queryset, False)


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
                case_release(case=case, user=request_user(request))
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


class PolicyForm(forms.ModelForm):
    """Shows the service's validation (known tuning keys, ranges) as form errors, so that
    nothing typed is lost."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        try:
            configuration_validate(self.instance)
        except InvalidInput as exc:
            for name, message in (exc.extra.get("errors") or {}).items():
                self.add_error(name if name in self.fields else None, str(message))


class PolicyAdmin(admin.ModelAdmin):
    """Election phases, SLA targets and tuning parameters: every save and delete goes through
    administration/configuration.py, which validates and audits it."""

    form = PolicyForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        configuration_save(obj=obj, user=request_user(request))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        configuration_delete(obj=obj, user=request_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            configuration_delete(obj=obj, user=request_user(request))

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ModerationError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        try:
            return super().changelist_view(request, extra_context)
        except ModerationError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(ElectionPhase)
class ElectionPhaseAdmin(PolicyAdmin):
    list_display = ["name", "election", "kind", "starts_on", "ends_on"]
    list_filter = ["election", "kind"]
    search_fields = ["name", "election"]


@admin.register(SlaTarget)
class SlaTargetAdmin(PolicyAdmin):
    list_display = ["phase", "reason", "target_minutes"]
    list_filter = ["phase", "reason"]
    list_select_related = ["phase"]
    list_editable = ["target_minutes"]


@admin.register(TuningParameter)
class TuningParameterAdmin(PolicyAdmin):
    list_display = ["key", "value", "description", "updated_at"]
    list_editable = ["value"]
    search_fields = ["key", "description"]


@admin.register(Queue)
class QueueAdmin(ReadOnlyAdmin):
    """Queues are edited in the workspace (supervisors' queue form), which validates the
    filters and audits the change."""

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

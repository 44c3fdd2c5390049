"""Platforms (edited through administration/platforms.py; secrets masked), videos, raw events
and flags (read-only; a video's political-author mark is an audited action)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from moderation.admin.base import ReadOnlyAdmin
from moderation.administration.platforms import platform_update
from moderation.administration.videos import video_author_political_set
from moderation.errors import ModerationError
from moderation.models import (
    Flag,
    Platform,
    PlatformSecret,
    RawEvent,
    Video,
    mask_secret,
)
from moderation.web import request_user


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

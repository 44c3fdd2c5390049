"""Cases, clarifications, decisions and appeals: read-only; claims are released through the
case service."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from moderation.admin.base import ReadOnlyAdmin
from moderation.choices import PrioritySignal, Reason
from moderation.errors import ModerationError
from moderation.models import (
    Appeal,
    Case,
    CaseClarification,
    Clarification,
    ClarificationVersion,
    Decision,
    Flag,
)
from moderation.priority import breakdown_line_text
from moderation.review.claims import case_release
from moderation.web import request_user


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
        # State lives in services: the admin shows a case, it does not edit one. Reasons and
        # the breakdown are shown in words, not as the codes they are stored as.
        coded = {"reasons": "reasons_display", "priority_breakdown": "breakdown_display"}
        return [coded.get(f.name, f.name) for f in Case._meta.fields]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    @admin.display(description=_("alasan"))
    def reasons_display(self, case: Case) -> str:
        return ", ".join(
            str(Reason(r).label) if r in Reason.values else r for r in case.reasons or []
        )

    @admin.display(description=_("rincian prioritas"))
    def breakdown_display(self, case: Case) -> str:
        def signal(line: dict[str, Any]) -> str:
            code = line.get("signal", "")
            return str(PrioritySignal(code).label) if code in PrioritySignal.values else code

        return "; ".join(
            f"{signal(line)}: {breakdown_line_text(line)} (+{line.get('points', 0)})"
            for line in case.priority_breakdown or []
        )

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

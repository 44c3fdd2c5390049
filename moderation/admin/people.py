"""Organisations and users."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from moderation.admin.base import AuditedAdmin, ReadOnlyAdmin
from moderation.administration.people import user_second_factor_reset
from moderation.models import (
    DecisionDraft,
    ModeratorPreference,
    Organisation,
    User,
)
from moderation.web import request_user


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "email", "organisation", "roles", "is_active", "last_login"]
    list_filter = ["organisation", "groups", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Saring"), {"fields": ("organisation", "language")}),
    )

    actions = ["second_factor_reset"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.action(description=_("Atur ulang faktor kedua (ponsel hilang)"))
    def second_factor_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_second_factor_reset(user=user, actor=request_user(request))
        self.message_user(
            request,
            _("Faktor kedua %(n)d pengguna diatur ulang; autentikator baru dipasang saat masuk.")
            % {"n": len(queryset)},
        )

    @admin.display(description=_("peran"))
    def roles(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all())


@admin.register(ModeratorPreference)
class ModeratorPreferenceAdmin(ReadOnlyAdmin):
    """Each user sets their own on the preferences page."""

    list_display = ["user", "auto_advance", "blur_thumbnails", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]


@admin.register(DecisionDraft)
class DecisionDraftAdmin(ReadOnlyAdmin):
    """Unsent decision text, kept for its author; a recorded decision discards it."""

    list_display = ["user", "case", "updated_at"]
    list_select_related = ["user", "case__video"]
    search_fields = ["user__username"]

"""The read-only admin base: rows that services own are shown, never edited here."""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from moderation.choices import AuditAction
from moderation.oversight.audit_admin import admin_change_record, admin_values
from moderation.web import request_user


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """An admin that may add, change or delete rows: every save and delete writes an audit
    event with the changed fields before and after (oversight/audit_admin.py), in the change
    form's transaction. Before values come from the form's initial data (the instance itself
    has already been changed by validation when ``save_model`` runs)."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        fields = list(form.changed_data)
        before = admin_values(form.initial, fields) if change else {}
        after = admin_values(form.cleaned_data, fields)
        admin_change_record(
            user=request_user(request),
            obj=form.instance,
            action=AuditAction.ADMIN_CHANGE if change else AuditAction.ADMIN_ADD,
            before=before,
            after=after,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            admin_change_record(
                user=request_user(request),
                obj=obj,
                action=AuditAction.ADMIN_DELETE,
                before={"repr": str(obj)},
                after={},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

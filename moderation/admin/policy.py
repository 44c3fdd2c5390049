"""Election phases, SLA targets and tuning parameters, saved through
administration/configuration.py; queues are edited in the workspace."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from moderation.admin.base import ReadOnlyAdmin
from moderation.administration.configuration import (
    configuration_delete,
    configuration_save,
    configuration_validate,
)
from moderation.errors import InvalidInput, ModerationError
from moderation.models import (
    CaseSubject,
    ElectionPhase,
    ElectoralSubject,
    Queue,
    SlaTarget,
    TuningParameter,
)
from moderation.priority import DEFAULT_TUNING, tuning_range
from moderation.web import request_user


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


@admin.register(ElectoralSubject)
class ElectoralSubjectAdmin(PolicyAdmin):
    """Candidate pairs, parties and candidates a case can concern (the neutrality view)."""

    list_display = ["__str__", "name", "kind", "election", "parent", "active"]
    list_filter = ["election", "kind", "active"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent"]


@admin.register(CaseSubject)
class CaseSubjectAdmin(ReadOnlyAdmin):
    """Which pair, party or candidate a case concerns: set on the case page (audited), read
    here."""

    list_display = ["case", "subject", "tagged_by", "tagged_at"]
    list_filter = ["subject__kind", "case_platform"]
    raw_id_fields = ["case"]


@admin.register(SlaTarget)
class SlaTargetAdmin(PolicyAdmin):
    list_display = ["phase", "reason", "target_minutes"]
    list_filter = ["phase", "reason"]
    list_select_related = ["phase"]
    list_editable = ["target_minutes"]


def _tuning_key_choices() -> list[tuple[str, str]]:
    """Only the keys the priority reads, each with the range it accepts."""
    choices = []
    for key in sorted(DEFAULT_TUNING):
        low, high = tuning_range(key)
        choices.append((key, f"{key} ({low:g} .. {high:g}; {DEFAULT_TUNING[key]:g})"))
    return choices


class TuningParameterForm(PolicyForm):
    key = forms.ChoiceField(
        label=_("kunci"),
        choices=_tuning_key_choices,
        help_text=_(
            "Hanya kunci yang dibaca perhitungan prioritas; dalam kurung: rentang dan nilai bawaan."
        ),
    )

    class Meta:
        model = TuningParameter
        fields = ["key", "value", "description"]


@admin.register(TuningParameter)
class TuningParameterAdmin(PolicyAdmin):
    form = TuningParameterForm
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

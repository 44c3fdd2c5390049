"""Browser forms. They validate shape only; the services hold the rules and do the writes."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.choices import Action, CaseStatus, Ground, Reason, SkipReason
from moderation.errors import InvalidInput
from moderation.models import Clarification, Platform, Queue, User


def add_service_errors(form: forms.Form, exc: InvalidInput, field_map: dict[str, str]) -> None:
    """Put a service's InvalidInput errors on the matching form fields (or the form)."""
    errors = exc.extra.get("errors") or {}
    if not isinstance(errors, dict) or not errors:
        form.add_error(None, exc.detail)
        return
    for key, message in errors.items():
        name = field_map.get(key, key)
        form.add_error(name if name in form.fields else None, str(message))


class QueueForm(forms.Form):
    """A queue: a name and the filters that pick its cases."""

    name = forms.CharField(label=_("Nama"), max_length=150)
    name_en = forms.CharField(
        label=_("Nama dalam bahasa Inggris"),
        max_length=150,
        required=False,
        help_text=_("Untuk pembaca berbahasa Inggris; kosongkan untuk memakai nama di atas."),
    )
    slug = forms.SlugField(
        label=_("Slug (alamat)"),
        max_length=80,
        required=False,
        help_text=_("Kosongkan untuk membuat dari nama. Tidak dapat diubah kemudian."),
    )
    description = forms.CharField(label=_("Keterangan"), max_length=300, required=False)
    position = forms.IntegerField(label=_("Urutan"), min_value=0, initial=100)
    reasons = forms.MultipleChoiceField(
        label=_("Alasan"),
        choices=Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kasus dengan salah satu alasan ini. Kosong berarti semua alasan."),
    )
    statuses = forms.MultipleChoiceField(
        label=_("Status"),
        choices=CaseStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosong berarti semua status terbuka."),
    )
    platforms = forms.ModelMultipleChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Bahasa"),
        required=False,
        help_text=_("Kode bahasa dipisah koma, misalnya: id, jv, en."),
    )
    min_priority = forms.IntegerField(label=_("Prioritas minimum"), min_value=0, required=False)
    max_priority = forms.IntegerField(label=_("Prioritas maksimum"), min_value=0, required=False)
    awaiting_approval = forms.TypedChoiceField(
        label=_("Keputusan yang menunggu persetujuan"),
        choices=[
            ("", _("Tidak dibedakan")),
            ("true", _("Hanya yang menunggu persetujuan")),
            ("false", _("Kecualikan yang menunggu persetujuan")),
        ],
        required=False,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        empty_value=None,
    )

    def __init__(self, *args: Any, editing: Queue | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing is not None:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = ""

    @classmethod
    def initial_for(cls, queue: Queue) -> dict[str, Any]:
        f = queue.filters or {}
        awaiting = f.get("awaiting_approval")
        return {
            "name": queue.name,
            "name_en": queue.name_en,
            "slug": queue.slug,
            "description": queue.description,
            "position": queue.position,
            "reasons": f.get("reasons", []),
            "statuses": f.get("statuses", []),
            "platforms": Platform.objects.filter(slug__in=f.get("platforms", [])),
            "languages": ", ".join(f.get("languages", [])),
            "min_priority": f.get("min_priority"),
            "max_priority": f.get("max_priority"),
            "awaiting_approval": "" if awaiting is None else ("true" if awaiting else "false"),
        }

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data.get("languages") or ""
        return [x.strip().lower() for x in raw.replace(";", ",").split(",") if x.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_priority"), data.get("max_priority")
        if low is not None and high is not None and low > high:
            self.add_error(
                "max_priority", _("Prioritas maksimum tidak boleh di bawah prioritas minimum.")
            )
        return data

    def filters(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {
            "reasons": list(d.get("reasons") or []),
            "statuses": list(d.get("statuses") or []),
            "platforms": [p.slug for p in d.get("platforms") or []],
            "languages": d.get("languages") or [],
        }
        for key in ("min_priority", "max_priority", "awaiting_approval"):
            if d.get(key) is not None:
                out[key] = d[key]
        return {k: v for k, v in out.items() if v not in ([], None)}


class DecisionForm(forms.Form):
    """The decision on a case: what to do, on which ground, and why (the DSA statement)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    seen_event = forms.IntegerField(widget=forms.HiddenInput, required=False)
    action = forms.ChoiceField(
        label=_("Tindakan"), choices=Action.choices, widget=forms.RadioSelect
    )
    ground = forms.ChoiceField(label=_("Dasar"), choices=Ground.choices)
    category = forms.ChoiceField(label=_("Kategori"), choices=Reason.choices)
    statement_of_reasons = forms.CharField(
        label=_("Pernyataan alasan (dilihat pembuat video)"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "draft-field"}),
        max_length=5000,
    )
    clarification = forms.ModelChoiceField(
        label=_("Klarifikasi KPU"),
        queryset=Clarification.objects.none(),
        required=False,
        empty_label=_("— pilih klarifikasi terbit —"),
        help_text=_("Wajib untuk tindakan beri label."),
    )
    territorial_scope = forms.CharField(
        label=_("Wilayah (kode negara, dipisah koma)"),
        required=False,
        max_length=200,
        help_text=_("Untuk tindakan batasi wilayah, misalnya: ID."),
    )
    facts = forms.CharField(
        label=_("Fakta pendukung (opsional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, clarifications: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clarifications is not None:
            cast(forms.ModelChoiceField, self.fields["clarification"]).queryset = clarifications

    def clean_territorial_scope(self) -> list[str]:
        raw = self.cleaned_data.get("territorial_scope") or ""
        codes = [x.strip().upper() for x in raw.split(",") if x.strip()]
        bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
        if bad:
            raise forms.ValidationError(_("Gunakan kode negara dua huruf, misalnya ID."))
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == Action.LABEL and not data.get("clarification"):
            self.add_error(
                "clarification", _("Tindakan beri label memerlukan klarifikasi KPU yang terbit.")
            )
        if data.get("action") == Action.RESTRICT_REGION and not data.get("territorial_scope"):
            self.add_error("territorial_scope", _("Sebutkan wilayah yang dibatasi."))
        return data


class SkipForm(forms.Form):
    reason = forms.ChoiceField(label=_("Alasan melewati"), choices=SkipReason.choices)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=400)

    def reason_text(self) -> str:
        reason = SkipReason(self.cleaned_data["reason"])
        note = self.cleaned_data.get("note", "").strip()
        return f"{reason.value}: {note}" if note else reason.value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == SkipReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Jelaskan alasannya."))
        return data


class EscalateForm(forms.Form):
    note = forms.CharField(
        label=_("Pertanyaan untuk KPU"), required=False, max_length=2000, widget=forms.Textarea
    )


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Alihkan ke"), queryset=User.objects.none())

    def __init__(self, *args: Any, moderators: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if moderators is not None:
            cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = moderators


class AttachClarificationForm(forms.Form):
    clarification = forms.ModelChoiceField(
        label=_("Lampirkan klarifikasi"),
        queryset=Clarification.objects.none(),
        empty_label=_("— pilih klarifikasi terbit —"),
    )

    def __init__(self, *args: Any, clarifications: Any = None, **kwargs: Any) -> None:
        # Own ids: the case page also shows the decision form's clarification field.
        kwargs.setdefault("auto_id", "id_attach_%s")
        super().__init__(*args, **kwargs)
        if clarifications is not None:
            cast(forms.ModelChoiceField, self.fields["clarification"]).queryset = clarifications


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Catatan (opsional)"), required=False, max_length=2000)


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Alasan penolakan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

"""The audit page's filter form: what was typed stays in the form; a bad value is a message
beside its field, never a 500."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from moderation.choices import AuditAction
from moderation.models import Organisation, User
from moderation.oversight.audit_search import EARLIEST, LATEST, MAX_ID, AuditFilter
from moderation.permissions import is_platform_staff

OBJECT_TYPES = [
    "case",
    "decision",
    "clarification",
    "appeal",
    "platform",
    "user",
    "queue",
    "video",
    "outbounddelivery",
    "notification",
    "organisation",
    "auditevent",
]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("Pelaku"),
        required=False,
        max_length=150,
        help_text=_("Nama pengguna atau nomor pengguna"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisasi"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Semua organisasi"),
    )
    action = forms.ChoiceField(label=_("Tindakan"), required=False)
    case = forms.IntegerField(label=_("Kasus #"), required=False, min_value=1, max_value=MAX_ID)
    object_type = forms.ChoiceField(label=_("Jenis objek"), required=False)
    object_id = forms.CharField(label=_("ID objek"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("Dari tanggal (WIB)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("Sampai tanggal (WIB)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = forms.CharField(label=_("Teks bebas"), required=False, max_length=200)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations: QuerySet[Organisation] = Organisation.objects.order_by("name")
        if is_platform_staff(user) and user.organisation_id is not None:
            organisations = organisations.filter(pk=user.organisation_id)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", _("Semua tindakan")), *AuditAction.choices]  # type: ignore[attr-defined]
        self.fields["object_type"].choices = [  # type: ignore[attr-defined]
            ("", _("Semua jenis")),
            *[(t, t) for t in OBJECT_TYPES],
        ]
        self._actor: User | None = None

    def _date(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(
                _("Tanggal harus antara %(first)s dan %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
            )
        return value

    def clean_date_from(self) -> Any:
        return self._date("date_from")

    def clean_date_to(self) -> Any:
        return self._date("date_to")

    def clean_actor(self) -> str:
        actor = self.cleaned_data.get("actor", "").strip()
        if not actor:
            return ""
        found = User.objects.filter(username=actor).first()
        if found is None and actor.isdigit() and len(actor) < 19:
            found = User.objects.filter(pk=int(actor)).first()
        if found is None:
            raise forms.ValidationError(_("Pengguna %(actor)s tidak dikenal.") % {"actor": actor})
        self._actor = found
        return actor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error(
                "date_to",
                _("Tanggal akhir (%(last)s) lebih awal dari tanggal mulai (%(first)s).")
                % {"first": first.isoformat(), "last": last.isoformat()},
            )
        return data

    @staticmethod
    def empty() -> AuditFilter:
        return AuditFilter()

    def audit_filter(self) -> AuditFilter:
        data = self.cleaned_data
        organisation = data.get("organisation")
        return AuditFilter(
            actor_id=self._actor.pk if self._actor else None,
            organisation_id=organisation.pk if organisation else None,
            action=data.get("action") or "",
            case_id=data.get("case"),
            object_type=data.get("object_type") or "",
            object_id=(data.get("object_id") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            text=(data.get("q") or "").strip(),
        )

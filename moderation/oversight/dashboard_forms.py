"""The dashboard's filter (a WIB date range and a platform) and the case page's neutrality
form. Bad input becomes a form error that keeps what was typed; never a 500."""

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moderation.models import ElectoralSubject, User
from moderation.oversight.dashboard import WIB, DashboardScope
from moderation.oversight.neutrality import electoral_subjects_active
from moderation.permissions import dashboard_platforms, platform_scope

DEFAULT_DAYS = 14
MAX_DAYS = 366
EARLIEST = date(2000, 1, 1)


class DashboardFilterForm(forms.Form):
    since = forms.DateField(
        label=_("Dari tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Tulis tanggal sebagai TTTT-BB-HH, misalnya 2024-02-14.")},
    )
    until = forms.DateField(
        label=_("Sampai tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Tulis tanggal sebagai TTTT-BB-HH, misalnya 2024-02-14.")},
    )
    platform = forms.ChoiceField(
        label=_("Platform"),
        required=False,
        error_messages={
            "invalid_choice": _("Platform %(value)s tidak dikenal atau di luar wewenang Anda.")
        },
    )

    def __init__(self, *args: Any, user: User, now: datetime | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.now = now or timezone.now()
        self.platforms = list(dashboard_platforms(user))
        choices: list[tuple[str, Any]] = [(p.slug, p.name) for p in self.platforms]
        if platform_scope(user) is None or len(self.platforms) > 1:
            choices.insert(0, ("", _("Semua platform")))
        self.fields["platform"].choices = choices  # type: ignore[attr-defined]

    @property
    def today(self) -> date:
        return self.now.astimezone(WIB).date()

    def _check_date(self, name: str) -> date | None:
        value: date | None = self.cleaned_data.get(name)
        latest = self.today + timedelta(days=MAX_DAYS)
        if value is not None and not EARLIEST <= value <= latest:
            raise forms.ValidationError(
                _("Tanggal di luar rentang yang didukung (%(first)s sampai %(last)s).")
                % {"first": EARLIEST.isoformat(), "last": latest.isoformat()}
            )
        return value

    def clean_since(self) -> date | None:
        return self._check_date("since")

    def clean_until(self) -> date | None:
        return self._check_date("until")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        until = data.get("until") or self.today
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise forms.ValidationError(
                _("Tanggal mulai (%(since)s) sesudah tanggal akhir (%(until)s): tukar keduanya.")
                % {"since": since.isoformat(), "until": until.isoformat()},
                code="range_reversed",
            )
        if (until - since).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                _("Rentang paling panjang %(n)d hari.") % {"n": MAX_DAYS}, code="range_too_long"
            )
        data["since"], data["until"] = since, until
        if not data.get("platform") and len(self.platforms) == 1 and platform_scope(self.user):
            data["platform"] = self.platforms[0].slug  # a platform's own staff: theirs
        return data

    def scope(self) -> DashboardScope:
        """The validated filter as a scope; call after ``is_valid()``."""
        slug = self.cleaned_data.get("platform") or ""
        if slug:
            ids: tuple[int, ...] | None = tuple(p.pk for p in self.platforms if p.slug == slug)
        else:
            scope = platform_scope(self.user)
            ids = None if scope is None else tuple(scope)
        return DashboardScope(
            since=self.cleaned_data["since"],
            until=self.cleaned_data["until"],
            platform_ids=ids,
            now=self.now,
        )

    def platform_name(self) -> str:
        slug = self.cleaned_data.get("platform") or ""
        return next((p.name for p in self.platforms if p.slug == slug), "")


class CaseSubjectsForm(forms.Form):
    subjects = forms.ModelMultipleChoiceField(
        label=_("Konten ini menyangkut"),
        queryset=ElectoralSubject.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Peserta pemilu tidak dikenal: %(value)s.")},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = electoral_subjects_active()  # type: ignore[attr-defined]

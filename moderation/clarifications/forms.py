"""The clarification forms of the browser. They only parse what was typed: the services check
it (lengths, sources, ratings) and their errors are put back on the fields, so the page and
the API refuse the same things with the same words."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.choices import ClarificationRating, ClarificationStatus, Reason
from moderation.errors import ModerationError


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _phrases(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


class ClarificationForm(forms.Form):
    claim = forms.CharField(
        label=_("Klaim yang dijawab"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('Klaim seperti yang beredar, mis. "Pemilu 2024 diundur ke 2025".'),
    )
    rating = forms.ChoiceField(
        label=_("Penilaian"), choices=ClarificationRating.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Judul"))
    body = forms.CharField(
        label=_("Isi (bahasa Indonesia)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Penjelasan resmi KPU. Baris kosong memisahkan paragraf."),
    )
    title_en = forms.CharField(label=_("Judul (bahasa Inggris)"), required=False)
    body_en = forms.CharField(
        label=_("Isi (bahasa Inggris)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Opsional. Halaman publik berbahasa Inggris memakai teks ini."),
    )
    sources = forms.CharField(
        label=_("Sumber resmi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Satu per baris: URL http(s) atau rujukan peraturan, mis. "PKPU 25/2023 Pasal 18".'
        ),
    )
    reasons = forms.MultipleChoiceField(
        label=_("Alasan terkait"),
        required=False,
        choices=Reason.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    keywords = forms.CharField(
        label=_("Kata kunci"),
        required=False,
        help_text=_('Dipisah koma, mis. "pemilu ditunda, pemilu diundur".'),
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "claim": data["claim"],
            "rating": data["rating"],
            "title": data["title"],
            "body": data["body"],
            "title_en": data.get("title_en", ""),
            "body_en": data.get("body_en", ""),
            "sources": lines(data.get("sources", "")),
            "keywords": _phrases(data.get("keywords", "")),
            "reasons": list(data.get("reasons") or []),
        }

    def add_service_error(self, error: ModerationError) -> None:
        """Put a service's refusal on the fields it names, else above the form."""
        errors = error.extra.get("errors") or {}
        placed = False
        for name, message in errors.items():
            if name in self.fields:
                self.add_error(name, str(message))
                placed = True
        if not placed:
            self.add_error(None, error.detail)

    @classmethod
    def initial_from(cls, text: Any, token: str) -> dict[str, Any]:
        """The form's starting values from a clarification or one of its versions."""
        return {
            "claim": text.claim,
            "rating": text.rating,
            "title": text.title,
            "body": text.body,
            "title_en": text.title_en,
            "body_en": text.body_en,
            "sources": "\n".join(text.sources),
            "keywords": ", ".join(text.keywords),
            "reasons": list(text.reasons),
            "token": token,
        }


class PreviewForm(ClarificationForm):
    """The live preview takes whatever is typed so far: nothing is required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Komentar untuk penulis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Apa yang perlu diperbaiki sebelum klarifikasi dapat terbit."),
    )


class RetractForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penarikan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ditampilkan di halaman publik klarifikasi ini."),
    )


class ClarificationSearchForm(forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), *ClarificationStatus.choices],
    )
    rating = forms.ChoiceField(
        label=_("Penilaian"),
        required=False,
        choices=[("", _("Semua penilaian")), *ClarificationRating.choices],
    )
    author = forms.ChoiceField(label=_("Penulis"), required=False, choices=[])

    def __init__(self, *args: Any, authors: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        author = self.fields["author"]
        assert isinstance(author, forms.ChoiceField)  # noqa: S101 - declared above
        author.choices = [("", _("Semua penulis"))] + [(a, a) for a in authors]

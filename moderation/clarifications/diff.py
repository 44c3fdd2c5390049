"""A word-level diff between two versions of a clarification, safe to show as HTML.

Each field is split into words (each with the spaces after it), difflib matches the two
sequences, and the changed runs are wrapped in <del> and <ins>; every piece of text is escaped
on the way, so what a writer typed can never become markup."""

import difflib
import re
from dataclasses import dataclass
from typing import Protocol

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from moderation.choices import ClarificationRating, Reason

_WORDS = re.compile(r"^\s+|\S+\s*")


class VersionText(Protocol):
    claim: str
    rating: str
    title: str
    body: str
    title_en: str
    body_en: str
    sources: list[str]
    keywords: list[str]
    reasons: list[str]


def words(text: str) -> list[str]:
    return _WORDS.findall(text)


def word_diff(old: str, new: str) -> SafeString:
    a, b = words(old), words(new)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(conditional_escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


@dataclass(frozen=True, slots=True)
class FieldDiff:
    label: str
    html: SafeString
    changed: bool


def _as_text(version: VersionText, name: str) -> str:
    if name == "rating":
        return str(ClarificationRating(version.rating).label) if version.rating else ""
    if name == "sources":
        return "\n".join(version.sources)
    if name == "keywords":
        return ", ".join(version.keywords)
    if name == "reasons":
        labels = dict(Reason.choices)
        return ", ".join(str(labels.get(r, r)) for r in version.reasons)
    return str(getattr(version, name) or "")


FIELDS = [
    ("title", _("Judul")),
    ("claim", _("Klaim")),
    ("rating", _("Penilaian")),
    ("body", _("Isi")),
    ("sources", _("Sumber resmi")),
    ("title_en", _("Judul (Inggris)")),
    ("body_en", _("Isi (Inggris)")),
    ("keywords", _("Kata kunci")),
    ("reasons", _("Alasan terkait")),
]


def version_diff(old: VersionText, new: VersionText) -> list[FieldDiff]:
    """The diff of every field, in the editor's order."""
    diffs = []
    for name, label in FIELDS:
        before, after = _as_text(old, name), _as_text(new, name)
        diffs.append(FieldDiff(str(label), word_diff(before, after), before != after))
    return diffs

import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moderation.choices import ClarificationRating, ClarificationStatus, Reason
from moderation.models.cases import Case

# A regulation reference, as KPU writes them: the instrument, its number and year, then
# optionally the article ("PKPU 25/2023 Pasal 18", "UU No. 7 Tahun 2017 Pasal 167 ayat (3)",
# "Keputusan KPU Nomor 1050 Tahun 2023").
REGULATION_REFERENCE = re.compile(
    r"""^(?:PKPU|Peraturan\ KPU|Keputusan\ KPU|SK\ KPU|Perbawaslu|Peraturan\ Bawaslu
        |UU|Undang-Undang|Perppu|Perpu|PP|Peraturan\ Pemerintah|Perpres|Permendagri
        |Putusan\ MK|Putusan\ Mahkamah\ Konstitusi)
       \s+(?:(?:Nomor|No\.?)\s*)?\d+[A-Za-z]?(?:/[A-Za-z.\-]+)*
       (?:/\d{4}|\s+Tahun\s+\d{4})
       (?:\s+(?:Pasal|pasal|ayat|Ayat|huruf|angka|Lampiran)\s+[\w()]+)*$""",
    re.VERBOSE,
)
_URL = URLValidator(schemes=["http", "https"])


def is_official_source(value: str) -> bool:
    """An http(s) URL or a regulation reference."""
    value = value.strip()
    if REGULATION_REFERENCE.match(value):
        return True
    try:
        _URL(value)
    except ValidationError:
        return False
    return True


def validate_official_source(value: str) -> None:
    if not is_official_source(value):
        raise ValidationError(
            _('Bukan URL http(s) atau rujukan peraturan (mis. "PKPU 25/2023 Pasal 18"): %(v)s'),
            params={"v": value},
        )


def _sources_field() -> ArrayField:
    """Official sources: http(s) URLs or regulation references ("PKPU 25/2023 Pasal 18")."""
    return ArrayField(
        models.CharField(max_length=1000, validators=[validate_official_source]),
        verbose_name=_("sumber resmi"),
        default=list,
        blank=True,
    )


class Clarification(models.Model):
    """An official KPU clarification (klarifikasi resmi). The live, editable row."""

    claim = models.TextField(_("klaim yang dijawab"))
    rating = models.CharField(_("penilaian"), max_length=20, choices=ClarificationRating.choices)
    title = models.CharField(_("judul"), max_length=300)
    body = models.TextField(_("isi"))
    title_en = models.CharField(_("judul (Inggris)"), max_length=300, blank=True)
    body_en = models.TextField(_("isi (Inggris)"), blank=True)
    language = models.CharField(max_length=10, default="id", verbose_name=_("bahasa"))
    sources = _sources_field()
    status = models.CharField(
        max_length=20,
        choices=ClarificationStatus.choices,
        default=ClarificationStatus.DRAFT,
        verbose_name=_("status"),
    )
    version = models.PositiveIntegerField(
        default=0, help_text=_("Versi terbit terakhir."), verbose_name=_("versi")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clarifications_written",
        verbose_name=_("penulis"),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clarifications_approved",
        null=True,
        blank=True,
        verbose_name=_("penyetuju"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diterbitkan"))
    retracted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ditarik"))
    retraction_reason = models.TextField(_("alasan penarikan"), blank=True)
    # Before the first publication: who has written the draft (four eyes: none of them may
    # publish it) and the approver's last comment when it was sent back.
    writer_ids = ArrayField(
        models.IntegerField(), default=list, blank=True, editable=False, verbose_name=_("penulis")
    )
    review_note = models.TextField(_("catatan peninjau"), blank=True)
    cases = models.ManyToManyField(
        Case,
        through="CaseClarification",
        related_name="clarifications",
        blank=True,
        verbose_name=_("kasus"),
    )
    # What suggestions match on, besides the text: short phrases the author picks ("pemilu
    # ditunda", "undangan C6") and the flag reasons the clarification answers.
    keywords = ArrayField(
        models.CharField(max_length=100), verbose_name=_("kata kunci"), default=list, blank=True
    )
    reasons = ArrayField(
        models.CharField(max_length=40, choices=Reason.choices),
        verbose_name=_("alasan terkait"),
        default=list,
        blank=True,
    )
    # Search columns, derived from the text by clarifications.search.clarification_search_refresh
    # and never edited: the roots of claim, title and keywords (weight A) and of the body (B),
    # PostgreSQL's `indonesian` configuration, plus the English text (D, `english`).
    search_vector = SearchVectorField(null=True, editable=False, verbose_name=_("vektor pencarian"))
    # The normalised words of the Indonesian text, for pg_trgm typo matching and as the
    # vocabulary that splits run-together hashtags.
    search_text = models.TextField(blank=True, editable=False, verbose_name=_("teks pencarian"))
    # The lexemes of the claim, the title and each keyword, one string per phrase: how much of
    # one of them a caption covers is part of the score.
    search_phrases = ArrayField(
        models.TextField(),
        default=list,
        blank=True,
        editable=False,
        verbose_name=_("frasa pencarian"),
    )

    class Meta:
        verbose_name = _("klarifikasi")
        verbose_name_plural = _("klarifikasi")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            GinIndex(
                fields=["search_vector"],
                name="clarification_search_vector",
                condition=models.Q(status=ClarificationStatus.PUBLISHED),
            ),
            GinIndex(
                OpClass("search_text", name="gin_trgm_ops"),
                name="clarification_search_trgm",
                condition=models.Q(status=ClarificationStatus.PUBLISHED),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ClarificationVersion(models.Model):
    """One version of a clarification. Every publication freezes one (status published).

    Editing a published clarification opens the next version as a revision (status draft, then
    in review) while the clarification itself, and so its public page, keeps the published
    text; publishing the revision copies it onto the clarification. At most one revision is
    open at a time."""

    clarification = models.ForeignKey(
        Clarification,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("klarifikasi"),
    )
    version = models.PositiveIntegerField(verbose_name=_("versi"))
    status = models.CharField(
        max_length=20,
        choices=ClarificationStatus.choices,
        default=ClarificationStatus.PUBLISHED,
        verbose_name=_("status"),
    )
    claim = models.TextField(verbose_name=_("klaim yang dijawab"))
    rating = models.CharField(
        max_length=20, choices=ClarificationRating.choices, verbose_name=_("penilaian")
    )
    title = models.CharField(max_length=300, verbose_name=_("judul"))
    body = models.TextField(verbose_name=_("isi"))
    title_en = models.CharField(
        max_length=300, blank=True, verbose_name=_("judul (bahasa Inggris)")
    )
    body_en = models.TextField(blank=True, verbose_name=_("isi (bahasa Inggris)"))
    sources = _sources_field()
    keywords = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name=_("kata kunci")
    )
    reasons = ArrayField(
        models.CharField(max_length=40, choices=Reason.choices),
        default=list,
        blank=True,
        verbose_name=_("alasan terkait"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("penulis"),
    )
    writer_ids = ArrayField(
        models.IntegerField(), default=list, blank=True, editable=False, verbose_name=_("penulis")
    )
    review_note = models.TextField(blank=True, verbose_name=_("catatan peninjau"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("penyetuju"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("dibuat"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("diterbitkan"))

    class Meta:
        verbose_name = _("versi klarifikasi")
        verbose_name_plural = _("versi klarifikasi")
        constraints = [
            models.UniqueConstraint(
                fields=["clarification", "version"], name="clarification_version_unique"
            ),
            models.UniqueConstraint(
                fields=["clarification"],
                condition=models.Q(
                    status__in=[ClarificationStatus.DRAFT, ClarificationStatus.IN_REVIEW]
                ),
                name="clarification_one_open_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clarification_id} v{self.version}"


class CaseClarification(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="case_clarifications", verbose_name=_("kasus")
    )
    clarification = models.ForeignKey(
        Clarification,
        on_delete=models.PROTECT,
        related_name="case_clarifications",
        verbose_name=_("klarifikasi"),
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("dilampirkan oleh"),
    )
    attached_at = models.DateTimeField(verbose_name=_("dilampirkan"))

    class Meta:
        verbose_name = _("klarifikasi kasus")
        verbose_name_plural = _("klarifikasi kasus")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "clarification"], name="case_clarification_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ↔ {self.clarification_id}"

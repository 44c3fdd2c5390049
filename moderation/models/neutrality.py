from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.choices import SubjectKind
from moderation.models.dashboard import CASE_SUBJECT_MARKS


class ElectoralSubject(models.Model):
    """A candidate pair, party or candidate that flagged content can concern. Reference data an
    administrator maintains in the admin; the 2024 presidential pairs and the 18 national
    parties are seeded by migration 0017."""

    election = models.CharField(_("pemilihan"), max_length=100, default="Pemilu 2024")
    kind = models.CharField(_("jenis"), max_length=20, choices=SubjectKind.choices)
    ballot_number = models.PositiveSmallIntegerField(_("nomor urut"), null=True, blank=True)
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(_("nama singkat"), max_length=60, blank=True)
    # A candidate's pair or party; empty for pairs and parties.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("pasangan atau partai"),
    )
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("peserta pemilu")
        verbose_name_plural = _("peserta pemilu")
        ordering = ["election", "kind", "ballot_number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "kind", "ballot_number"],
                condition=models.Q(ballot_number__isnull=False),
                name="electoral_subject_unique_number",
            ),
        ]

    def __str__(self) -> str:
        number = f"{self.ballot_number:02d} " if self.ballot_number is not None else ""
        return f"{number}{self.short_name or self.name}"


class CaseSubject(models.Model):
    """That a case's content concerns a candidate pair, party or candidate (the neutrality
    view). Written only by ``oversight/neutrality.py`` ``case_subjects_set``, audited."""

    case = models.ForeignKey(  # the unique (case, subject) index serves it
        "moderation.Case",
        on_delete=models.PROTECT,
        related_name="subject_links",
        db_index=False,
        verbose_name=_("kasus"),
    )
    subject = models.ForeignKey(
        ElectoralSubject,
        on_delete=models.PROTECT,
        related_name="case_links",
        verbose_name=_("peserta pemilu"),
    )
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ditandai oleh"),
    )
    tagged_at = models.DateTimeField(verbose_name=_("ditandai"))
    # Copied from the case (neither ever changes), so the neutrality view reads the links of a
    # range from one index instead of joining every link to every case.
    case_opened_at = models.DateTimeField(verbose_name=_("kasus dibuka"))
    case_platform = models.ForeignKey(
        "moderation.Platform",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("platform kasus"),
    )

    class Meta:
        triggers = [CASE_SUBJECT_MARKS]
        verbose_name = _("peserta pemilu pada kasus")
        verbose_name_plural = _("peserta pemilu pada kasus")
        constraints = [
            models.UniqueConstraint(fields=["case", "subject"], name="case_subject_unique"),
        ]
        indexes = [
            models.Index(
                fields=["case_opened_at"],
                name="case_subject_opened",
                include=["subject", "case", "case_platform"],
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.subject_id}"

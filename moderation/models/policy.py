from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from moderation.choices import PhaseKind, Reason


class ElectionPhase(models.Model):
    """A phase of an election calendar. Phases are data: admins edit them for the next one."""

    election = models.CharField(_("pemilihan"), max_length=100, default="Pemilu 2024")
    kind = models.CharField(_("jenis"), max_length=20, choices=PhaseKind.choices)
    name = models.CharField(_("nama"), max_length=100)
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("selesai (termasuk)"))

    class Meta:
        verbose_name = _("tahapan pemilu")
        verbose_name_plural = _("tahapan pemilu")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="phase_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} - {self.ends_on})"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("Tanggal selesai harus setelah tanggal mulai.")})


class SlaTarget(models.Model):
    """How fast a case must be decided, per (phase, reason). A null phase is the default."""

    phase = models.ForeignKey(
        ElectionPhase,
        on_delete=models.CASCADE,
        related_name="sla_targets",
        null=True,
        blank=True,
        verbose_name=_("tahapan"),
    )
    reason = models.CharField(_("alasan"), max_length=40, choices=Reason.choices)
    target_minutes = models.PositiveIntegerField(_("target (menit)"))

    class Meta:
        verbose_name = _("target SLA")
        verbose_name_plural = _("target SLA")
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "reason"], name="sla_unique_phase_reason", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase or _('bawaan')} / {self.reason}: {self.target_minutes} min"


class TuningParameter(models.Model):
    """A number an administrator can tune: priority weights, thresholds. Safe defaults in code."""

    key = models.CharField(max_length=80, unique=True, verbose_name=_("kunci"))
    value = models.FloatField(verbose_name=_("nilai"))
    description = models.CharField(max_length=300, blank=True, verbose_name=_("keterangan"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui"))

    class Meta:
        verbose_name = _("parameter penyetelan")
        verbose_name_plural = _("parameter penyetelan")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class Queue(models.Model):
    """A work queue defined by filters. Standard ones are seeded; supervisors add more."""

    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    name = models.CharField(_("nama"), max_length=150)
    # The name English readers see (blank: the Indonesian name).
    name_en = models.CharField(_("nama (bahasa Inggris)"), max_length=150, blank=True)
    description = models.CharField(_("keterangan"), max_length=300, blank=True)
    # {"reasons": [...], "platforms": [...], "languages": [...], "statuses": [...],
    #  "min_priority": 60, "max_priority": null, "awaiting_approval": false}
    filters = models.JSONField(default=dict, blank=True, verbose_name=_("filter"))
    is_standard = models.BooleanField(default=False, verbose_name=_("antrean standar"))
    position = models.PositiveIntegerField(default=100, verbose_name=_("urutan"))
    created_by = models.ForeignKey(
        "moderation.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )

    class Meta:
        verbose_name = _("antrean")
        verbose_name_plural = _("antrean")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language: the English name for English readers, if set."""
        language = (get_language() or "id").split("-")[0]
        return self.name_en if language == "en" and self.name_en else self.name

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.choices import (
    Action,
    AppealStatus,
    ApprovalState,
    AutomatedDecision,
    Ground,
    Reason,
)
from moderation.models.cases import Case
from moderation.models.clarifications import Clarification
from moderation.models.dashboard import DECISION_MARKS
from moderation.models.platforms import Platform

APPROVAL_FIELDS = ["approval_state", "approved_by", "approved_at", "approval_note"]


class Decision(models.Model):
    """A recorded decision with its statement of reasons (fields follow the DSA database).

    Immutable once recorded: a database trigger refuses any change except the approval fields,
    and refuses deletion. A review or appeal records a new decision that ``supersedes`` this one.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("kasus")
    )
    action = models.CharField(_("tindakan"), max_length=20, choices=Action.choices)
    ground = models.CharField(_("dasar"), max_length=30, choices=Ground.choices)
    category = models.CharField(_("kategori"), max_length=40, choices=Reason.choices)
    statement_of_reasons = models.TextField(_("pernyataan alasan"))
    clarification = models.ForeignKey(
        Clarification,
        on_delete=models.PROTECT,
        related_name="decisions",
        null=True,
        blank=True,
        verbose_name=_("klarifikasi"),
    )
    # DSA statement-of-reasons fields.
    automated_detection = models.BooleanField(_("deteksi otomatis"), default=False)
    automated_decision = models.CharField(
        max_length=20,
        choices=AutomatedDecision.choices,
        default=AutomatedDecision.NOT_AUTOMATED,
        verbose_name=_("keputusan otomatis"),
    )
    territorial_scope = ArrayField(
        models.CharField(max_length=2), default=list, blank=True, verbose_name=_("cakupan wilayah")
    )
    facts = models.TextField(_("fakta"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(verbose_name=_("diputuskan"))
    case_version = models.PositiveIntegerField(
        help_text=_("Versi kasus yang dilihat pemutus."), verbose_name=_("versi kasus")
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="superseded_by",
        null=True,
        blank=True,
        verbose_name=_("menggantikan"),
    )
    approval_state = models.CharField(
        max_length=20,
        choices=ApprovalState.choices,
        default=ApprovalState.NOT_REQUIRED,
        verbose_name=_("persetujuan"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="decisions_approved",
        null=True,
        blank=True,
        verbose_name=_("ditinjau oleh"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ditinjau"))
    approval_note = models.TextField(blank=True, verbose_name=_("catatan supervisor"))

    class Meta:
        verbose_name = _("keputusan")
        verbose_name_plural = _("keputusan")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(action="label") | models.Q(clarification__isnull=False),
                name="decision_label_has_clarification",
            ),
        ]
        indexes = [
            models.Index(
                fields=["decided_at"],
                name="decision_pending_approval",
                condition=models.Q(approval_state="pending"),
            ),
            # The oversight dashboards: decisions that took effect, by when they were recorded.
            models.Index(
                fields=["decided_at"],
                name="decision_effective_dashboard",
                include=["case", "action", "category", "decided_by"],
                condition=models.Q(approval_state__in=["not_required", "approved"]),
            ),
        ]
        triggers = [
            DECISION_MARKS,
            pgtrigger.ReadOnly(name="decision_immutable", exclude=APPROVAL_FIELDS),
            # Case.first_decided_at: the first decision that took effect on the case.
            pgtrigger.Trigger(
                name="decision_first_on_case",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("approval_state"),
                condition=pgtrigger.Q(new__approval_state__in=["not_required", "approved"]),
                func=(
                    "UPDATE moderation_case SET first_decided_at = NEW.decided_at"
                    " WHERE id = NEW.case_id"
                    " AND (first_decided_at IS NULL OR first_decided_at > NEW.decided_at);"
                    " RETURN NULL;"
                ),
            ),
            pgtrigger.Protect(name="decision_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} on case {self.case_id}"

    @property
    def is_final(self) -> bool:
        return self.approval_state in (ApprovalState.NOT_REQUIRED, ApprovalState.APPROVED)


class Appeal(models.Model):
    """The creator appeals a decision we sent (contract §2, appeal.created)."""

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("platform")
    )
    appeal_id = models.CharField(max_length=256, verbose_name=_("ID banding"))
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("keputusan")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("kasus")
    )
    statement = models.TextField(blank=True, verbose_name=_("pernyataan"))
    created_at = models.DateTimeField(verbose_name=_("dibuat"))
    received_at = models.DateTimeField(verbose_name=_("diterima"))
    status = models.CharField(
        max_length=20,
        choices=AppealStatus.choices,
        default=AppealStatus.OPEN,
        verbose_name=_("status"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appeals_reviewed",
        null=True,
        blank=True,
        verbose_name=_("peninjau"),
    )
    outcome = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        related_name="appeal_outcome_of",
        null=True,
        blank=True,
        verbose_name=_("hasil"),
    )

    class Meta:
        verbose_name = _("banding")
        verbose_name_plural = _("banding")
        constraints = [
            models.UniqueConstraint(fields=["platform", "appeal_id"], name="appeal_unique_id"),
        ]

    def __str__(self) -> str:
        return self.appeal_id

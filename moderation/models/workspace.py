"""What one staff member keeps for themselves in the workspace: their preferences (open the
next case after an action, blur video thumbnails) and the decision text they are typing on a
case (a draft kept on the server, so no conflict or lost claim can lose it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.models.cases import Case


class ModeratorPreference(models.Model):
    """One user's workspace preferences. No row: the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="moderator_preference",
        verbose_name=_("pengguna"),
    )
    auto_advance = models.BooleanField(
        _("buka kasus berikutnya setelah tindakan"),
        default=True,
        help_text=_(
            "Setelah memutuskan, melewati, melepas atau meneruskan ke KPU, langsung buka "
            "kasus berikutnya dari antrean yang sama."
        ),
    )
    blur_thumbnails = models.BooleanField(
        _("samarkan gambar mini video"),
        default=True,
        help_text=_("Gambar mini video tampil samar sampai Anda memilih untuk melihatnya."),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui"))

    class Meta:
        verbose_name = _("preferensi moderator")
        verbose_name_plural = _("preferensi moderator")

    def __str__(self) -> str:
        return f"{self.user_id}: advance={self.auto_advance} blur={self.blur_thumbnails}"


class DecisionDraft(models.Model):
    """The decision text one user is typing on one case, saved as they type."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="decision_drafts",
        verbose_name=_("pengguna"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="decision_drafts", verbose_name=_("kasus")
    )
    statement_of_reasons = models.TextField(blank=True, verbose_name=_("pernyataan alasan"))
    facts = models.TextField(blank=True, verbose_name=_("fakta pendukung"))
    updated_at = models.DateTimeField(verbose_name=_("diperbarui"))

    class Meta:
        verbose_name = _("draf keputusan")
        verbose_name_plural = _("draf keputusan")
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="decision_draft_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on case {self.case_id}"

    @property
    def is_empty(self) -> bool:
        return not (self.statement_of_reasons.strip() or self.facts.strip())

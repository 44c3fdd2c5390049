from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.models.accounts import Organisation


def mask_secret(secret: str) -> str:
    """``whsec_abcd…`` — enough to tell two secrets apart, never enough to use one."""
    if not secret:
        return ""
    return f"{secret[:10]}…"


class Platform(models.Model):
    """A video platform that sends flags and receives decisions (contract §1)."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="platform",
        null=True,
        blank=True,
        verbose_name=_("organisasi"),
    )
    callback_url = models.URLField(_("URL callback"), max_length=500, blank=True)
    enabled = models.BooleanField(_("aktif"), default=True)
    callback_enabled = models.BooleanField(_("callback aktif"), default=True)
    callback_disabled_reason = models.CharField(
        max_length=300, blank=True, verbose_name=_("alasan callback dimatikan")
    )
    callback_secret = models.CharField(_("rahasia callback"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat"))

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platform")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:  # never leak the secret in logs
        return f"<Platform {self.slug}>"


class PlatformSecret(models.Model):
    """An inbound signing secret. Several can be valid at once while a platform rotates."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="secrets", verbose_name=_("platform")
    )
    secret = models.CharField(_("rahasia"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat"))
    expires_at = models.DateTimeField(_("kedaluwarsa"), null=True, blank=True)

    class Meta:
        verbose_name = _("rahasia webhook platform")
        verbose_name_plural = _("rahasia webhook platform")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["platform", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.platform.slug}: {mask_secret(self.secret)}"

    def __repr__(self) -> str:
        return f"<PlatformSecret {self.pk} {mask_secret(self.secret)}>"

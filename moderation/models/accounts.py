from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.choices import OrganisationKind, Role


class Organisation(models.Model):
    """KPU, a platform, Bawaslu or another body whose staff work in Saring."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=OrganisationKind.choices)

    class Meta:
        verbose_name = _("organisasi")
        verbose_name_plural = _("organisasi")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff user. Roles are Django groups named after ``Role`` values."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisasi"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    # The language last chosen in the header; e-mails are written in it (blank: the site's).
    language = models.CharField(
        _("bahasa"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("pengguna")  # type: ignore[assignment]
        verbose_name_plural = _("pengguna")  # type: ignore[assignment]

    def role_names(self) -> set[str]:
        cached: set[str] | None = getattr(self, "_role_names", None)
        if cached is None:
            cached = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            self._role_names = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names() & set(roles))

    @property
    def is_supervisor(self) -> bool:
        return self.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR)

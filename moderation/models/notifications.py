"""Staff notifications: in-app rows, per-kind preferences, and the email outbox.

A notification is written in the same transaction as the change it reports. Email is an outbox
too: a send cycle groups a user's waiting notifications into one ``EmailDelivery`` row, and a
worker claims and sends that row. Writes live in ``moderation/services/notifications.py``.
"""

from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.choices import (
    EmailKind,
    EmailStatus,
    NotificationChannel,
    NotificationEmailState,
    NotificationKind,
)
from moderation.models.cases import Case
from moderation.models.platforms import Platform
from moderation.notification_texts import notification_text


class EmailDelivery(models.Model):
    """One email to one user, grouping the notifications of one send cycle (or one digest)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_deliveries",
        verbose_name=_("penerima"),
    )
    kind = models.CharField(max_length=20, choices=EmailKind.choices, verbose_name=_("jenis"))
    to_address = models.EmailField(verbose_name=_("alamat tujuan"))
    subject = models.CharField(max_length=200, verbose_name=_("subjek"))
    body = models.TextField(verbose_name=_("isi"))
    status = models.CharField(
        max_length=20,
        choices=EmailStatus.choices,
        default=EmailStatus.PENDING,
        verbose_name=_("status"),
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("percobaan"))
    next_attempt_at = models.DateTimeField(verbose_name=_("percobaan berikutnya"))
    locked_until = models.DateTimeField(null=True, blank=True, verbose_name=_("dikunci sampai"))
    last_error = models.TextField(blank=True, verbose_name=_("galat terakhir"))
    created_at = models.DateTimeField(verbose_name=_("dibuat"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terkirim"))

    class Meta:
        verbose_name = _("email notifikasi")
        verbose_name_plural = _("email notifikasi")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="email_due",
                condition=models.Q(status__in=[EmailStatus.PENDING, EmailStatus.SENDING]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject} ({self.status})"


class Notification(models.Model):
    """One thing one staff user should know about, shown in the notification centre."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("penerima"),
    )
    kind = models.CharField(
        max_length=40, choices=NotificationKind.choices, verbose_name=_("jenis")
    )
    # What the reader sees is rendered from kind and params in their language
    # (moderation/notification_texts.py); title and body keep the Indonesian text.
    title = models.CharField(max_length=200, verbose_name=_("judul"))
    body = models.TextField(blank=True, verbose_name=_("isi"))
    params = models.JSONField(default=dict, blank=True, verbose_name=_("nilai"))
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("kasus"),
    )
    platform = models.ForeignKey(
        Platform,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("platform"),
    )
    # Makes a notification idempotent: one per (recipient, kind, key), e.g. "case:12".
    dedupe_key = models.CharField(
        max_length=120, blank=True, verbose_name=_("kunci pencegah ganda")
    )
    created_at = models.DateTimeField(verbose_name=_("dibuat"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dibaca"))
    email_state = models.CharField(
        max_length=20,
        choices=NotificationEmailState.choices,
        default=NotificationEmailState.NONE,
        verbose_name=_("status email"),
    )
    email = models.ForeignKey(
        EmailDelivery,
        on_delete=models.SET_NULL,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("email"),
    )

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_once_per_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(
                fields=["email_state", "recipient"],
                name="notification_email_waiting",
                condition=models.Q(email_state__in=["waiting", "digest"]),
            ),
            models.Index(fields=["case", "kind"], name="notification_case_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @cached_property
    def text(self) -> tuple[str, str]:
        """(title, body) in the active language, rendered once per instance; the stored
        Indonesian text for a row without params (written before they existed)."""
        return notification_text(self.kind, self.params) or (self.title, self.body)

    @property
    def display_title(self) -> str:
        return self.text[0]

    @property
    def display_body(self) -> str:
        return self.text[1]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's channel for one kind. No row means the kind's default (see services)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("pengguna"),
    )
    kind = models.CharField(
        max_length=40, choices=NotificationKind.choices, verbose_name=_("jenis")
    )
    channel = models.CharField(
        max_length=20, choices=NotificationChannel.choices, verbose_name=_("saluran")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui"))

    class Meta:
        verbose_name = _("preferensi notifikasi")
        verbose_name_plural = _("preferensi notifikasi")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.channel}"

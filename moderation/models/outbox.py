import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.choices import CallbackEventType, DeliveryStatus
from moderation.models.dashboard import DELIVERY_MARKS
from moderation.models.platforms import Platform


def new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class OutboundDelivery(models.Model):
    """A callback to a platform, written in the same transaction as the change it reports.

    The row is the source of truth, not the broker: a sweeper re-enqueues what is due.
    """

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("platform")
    )
    event_type = models.CharField(
        max_length=60, choices=CallbackEventType.choices, verbose_name=_("jenis peristiwa")
    )
    payload = models.JSONField(verbose_name=_("isi kiriman"))
    webhook_id = models.CharField(
        max_length=64, unique=True, default=new_webhook_id, verbose_name=_("ID webhook")
    )
    status = models.CharField(
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        verbose_name=_("status"),
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("percobaan"))
    next_attempt_at = models.DateTimeField(db_index=True, verbose_name=_("percobaan berikutnya"))
    locked_until = models.DateTimeField(null=True, blank=True, verbose_name=_("dikunci sampai"))
    last_error = models.TextField(blank=True, verbose_name=_("galat terakhir"))
    last_status_code = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("kode HTTP terakhir")
    )
    created_at = models.DateTimeField(verbose_name=_("dibuat"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terkirim"))
    # What the delivery is about, for operators: "decision:12", "clarification:4:v2".
    subject = models.CharField(max_length=80, blank=True, verbose_name=_("subjek"))

    class Meta:
        triggers = [DELIVERY_MARKS]
        verbose_name = _("pengiriman callback")
        verbose_name_plural = _("pengiriman callback")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
            ),
            models.Index(fields=["platform", "status"], name="delivery_platform_status"),
            # Callback health on the oversight dashboard: what was written in a range.
            models.Index(
                fields=["created_at"],
                name="delivery_created_dashboard",
                include=["platform", "status"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id} ({self.status})"

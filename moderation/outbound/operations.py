"""Operator writes on callbacks: send failed deliveries again, turn a platform's callback URL
off and on. Each one locks what it changes and writes its audit event in the transaction."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import AuditAction, DeliveryStatus
from moderation.errors import Conflict, InvalidInput, NotPermitted
from moderation.models import OutboundDelivery, Platform, User
from moderation.outbound.outbox import CALLBACKS, outbox_publish_on_commit
from moderation.oversight.audit import audit_record
from moderation.oversight.notifications import notify_callback_disabled
from moderation.permissions import can_operate_platform

RESENDABLE_STATUSES = (DeliveryStatus.FAILED,)


def delivery_resend(
    *, deliveries: Iterable[OutboundDelivery], user: User, now: datetime | None = None
) -> int:
    """Send failed deliveries again, with the same webhook-id and body; a fresh retry schedule.

    Returns how many were queued. Deliveries that are not failed are left alone (a delivered
    one is not sent twice). Refused while the platform's callback URL is off.
    """
    now = now or timezone.now()
    ids = sorted({d.pk for d in deliveries})
    if not ids:
        raise InvalidInput(
            _("Pilih minimal satu pengiriman."), errors={"deliveries": _("wajib diisi")}
        )
    with transaction.atomic():
        rows = list(
            OutboundDelivery.objects.select_for_update(of=("self",))
            .select_related("platform")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        for platform in {row.platform for row in rows}:
            if not can_operate_platform(user, platform):
                raise NotPermitted()
            if not platform.callback_enabled:
                raise Conflict(
                    _("Callback %(platform)s sedang dimatikan; nyalakan dahulu.")
                    % {"platform": platform.name}
                )
        queued = []
        for row in rows:
            if row.status not in RESENDABLE_STATUSES:
                continue
            before = {"status": row.status, "attempts": row.attempts, "error": row.last_error}
            row.status = DeliveryStatus.PENDING
            row.attempts = 0
            row.next_attempt_at = now
            row.locked_until = None
            row.save(update_fields=["status", "attempts", "next_attempt_at", "locked_until"])
            audit_record(
                action=AuditAction.DELIVERY_RESEND,
                obj=row,
                actor=user,
                before=before,
                after={"status": row.status, "webhook_id": row.webhook_id},
            )
            queued.append(row.pk)
        outbox_publish_on_commit(CALLBACKS, queued)
    return len(queued)


def platform_callback_disable(
    *, platform: Platform, user: User | None, reason: str, now: datetime | None = None
) -> Platform:
    """Turn a platform's callback URL off and pause its waiting deliveries.

    ``user`` is None when the sender does it on a 410 Gone. Idempotent: a second 410 changes
    nothing and alerts nobody again.
    """
    if user is not None and not can_operate_platform(user, platform):
        raise NotPermitted()
    with transaction.atomic():
        platform = Platform.objects.select_for_update().get(pk=platform.pk)
        paused = OutboundDelivery.objects.filter(
            platform=platform, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.PAUSED, locked_until=None)
        if not platform.callback_enabled:
            return platform
        platform.callback_enabled = False
        platform.callback_disabled_reason = reason[:300]
        platform.save(update_fields=["callback_enabled", "callback_disabled_reason"])
        audit_record(
            action=AuditAction.PLATFORM_CALLBACK_DISABLE,
            obj=platform,
            actor=user,
            before={"callback_enabled": True},
            after={"callback_enabled": False, "reason": reason, "paused": paused},
        )
        notify_callback_disabled(platform=platform, reason=reason, now=now)
    return platform


def platform_callback_enable(
    *, platform: Platform, user: User, now: datetime | None = None
) -> Platform:
    """Turn a platform's callback URL back on; its paused deliveries are sent, oldest first.

    On a platform whose callback is on already, this resumes deliveries paused for another
    reason (the platform itself was switched off for a while). Nothing to do: nothing written.
    """
    now = now or timezone.now()
    if not can_operate_platform(user, platform):
        raise NotPermitted()
    with transaction.atomic():
        platform = Platform.objects.select_for_update().get(pk=platform.pk)
        was_enabled = platform.callback_enabled
        before_reason = platform.callback_disabled_reason
        paused = list(
            OutboundDelivery.objects.filter(platform=platform, status=DeliveryStatus.PAUSED)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
        )
        if was_enabled and not paused:
            return platform
        if not was_enabled:
            platform.callback_enabled = True
            platform.callback_disabled_reason = ""
            platform.save(update_fields=["callback_enabled", "callback_disabled_reason"])
        OutboundDelivery.objects.filter(pk__in=paused).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, locked_until=None
        )
        audit_record(
            action=AuditAction.PLATFORM_CALLBACK_ENABLE,
            obj=platform,
            actor=user,
            before={"callback_enabled": was_enabled, "reason": before_reason},
            after={"callback_enabled": True, "resumed": len(paused)},
        )
        outbox_publish_on_commit(CALLBACKS, paused)
    return platform

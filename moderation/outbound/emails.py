"""Notification email through an outbox: group, then send.

A send cycle (beat, every 30 s) takes every notification waiting for email, groups them per
user into ONE ``EmailDelivery`` row, and queues its send. A burst of 500 SLA breaches is one
email per user, not 500. The daily digest (beat, 08:00 WIB) does the same for notifications
whose kind the user put on the digest. The rows go through the same outbox as callbacks
(outbox.py): claimed before sending, retried by ``retry.EMAIL_RETRY``, swept by each cycle.
"""

import logging
import smtplib
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from moderation.choices import EmailKind, EmailStatus, NotificationEmailState, NotificationKind
from moderation.models import EmailDelivery, Notification, User
from moderation.outbound.outbox import (
    EMAILS,
    outbox_claim,
    outbox_fail,
    outbox_retry_later,
    outbox_sweep,
)

logger = logging.getLogger("saring.email")

ITEMS_PER_KIND = 20
GROUP_BATCH = 20_000


def _absolute(path: str) -> str:
    return settings.SARING["PUBLIC_BASE_URL"].rstrip("/") + path


def _compose(user: User, notifications: list[Notification], *, digest: bool) -> tuple[str, str]:
    # Emails are written in the language the user last chose in the header, else the site's
    # (Indonesian), whatever language the worker thread last served.
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return _compose_text(user, notifications, digest=digest)


def _compose_text(
    user: User, notifications: list[Notification], *, digest: bool
) -> tuple[str, str]:
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for n in notifications:
        by_kind[n.kind].append(n)
    count = len(notifications)
    if digest:
        day = timezone.localdate()
        subject = _("[Saring] Ringkasan harian %(day)s: %(count)s notifikasi") % {
            "day": f"{day:%d-%m-%Y}",
            "count": count,
        }
    elif count == 1:
        subject = _("[Saring] %(title)s") % {"title": notifications[0].display_title}
    else:
        subject = _("[Saring] %(count)s notifikasi baru") % {"count": count}
    lines = [_("Halo %(name)s,") % {"name": user.get_full_name() or user.get_username()}, ""]
    lines.append(
        _("Ringkasan notifikasi Saring sejak kemarin:")
        if digest
        else _("Notifikasi baru di Saring:")
    )
    for kind in NotificationKind.values:
        items = by_kind.get(kind)
        if not items:
            continue
        lines += ["", f"{NotificationKind(kind).label} ({len(items)})"]
        for n in items[:ITEMS_PER_KIND]:
            lines.append(f"- {n.display_title}")
        if len(items) > ITEMS_PER_KIND:
            more = len(items) - ITEMS_PER_KIND
            lines.append(_("- ... dan %(count)s lainnya") % {"count": more})
    lines += [
        "",
        _("Buka pusat notifikasi: %(url)s") % {"url": _absolute(reverse("notifications"))},
        _("Atur email per jenis notifikasi: %(url)s")
        % {"url": _absolute(reverse("notification_preferences"))},
    ]
    return subject[:200], "\n".join(lines)


def _group(state: str, kind: str, now: datetime) -> list[int]:
    """Turn waiting notifications into one EmailDelivery per user. Returns the new email ids."""
    created: list[int] = []
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(email_state=state)
            .select_related("recipient")
            .order_by("recipient_id", "created_at", "pk")[:GROUP_BATCH]
        )
        per_user: dict[int, list[Notification]] = defaultdict(list)
        for n in waiting:
            per_user[n.recipient_id].append(n)
        for items in per_user.values():
            user = items[0].recipient
            ids = [n.pk for n in items]
            if not (user.is_active and user.email):
                Notification.objects.filter(pk__in=ids).update(
                    email_state=NotificationEmailState.NONE
                )
                continue
            subject, body = _compose(user, items, digest=kind == EmailKind.DIGEST)
            email = EmailDelivery.objects.create(
                recipient=user,
                kind=kind,
                to_address=user.email,
                subject=subject,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            Notification.objects.filter(pk__in=ids).update(
                email_state=NotificationEmailState.QUEUED, email=email
            )
            created.append(email.pk)
    return created


def notification_emails_flush(*, now: datetime | None = None) -> int:
    """One send cycle: group what waits for email now, and (re-)enqueue due emails."""
    now = now or timezone.now()
    _group(NotificationEmailState.WAITING, EmailKind.IMMEDIATE, now)
    return outbox_sweep(EMAILS, now=now)


def notification_digest_send(*, now: datetime | None = None) -> int:
    """The 08:00 WIB digest: one email per user with everything they put on the digest."""
    now = now or timezone.now()
    created = _group(NotificationEmailState.DIGEST, EmailKind.DIGEST, now)
    outbox_sweep(EMAILS, now=now)
    return len(created)


def email_delivery_send(*, email_id: int) -> str:
    """Send one email row. Claimed first, so a duplicate message sends nothing."""
    now = timezone.now()
    if not outbox_claim(EMAILS, email_id, now):
        return "skipped"
    email = EmailDelivery.objects.get(pk=email_id)
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        if EMAILS.retry.exhausted(attempts=email.attempts, created_at=email.created_at, now=now):
            outbox_fail(EMAILS, email_id, attempt=email.attempts, error=error)
            logger.error("email %s failed for good: %s", email_id, error)
            return "failed"
        outbox_retry_later(EMAILS, email_id, attempt=email.attempts, error=error, now=now)
        logger.warning("email %s attempt %d failed: %s", email_id, email.attempts, error)
        return "retry"
    EmailDelivery.objects.filter(pk=email_id).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), last_error="", locked_until=None
    )
    return "sent"

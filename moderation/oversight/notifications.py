"""Staff notifications. ``notify_*`` run inside the transaction of the change they report and
write in-app rows; each recipient's preference for the kind decides whether the row also
waits for the next e-mail send cycle or for the 08:00 WIB digest (outbound/emails.py).

Who hears what:

- a case routed to KPU: KPU clarifiers;
- a decision held for approval, an appeal: the supervisors of the case's platform;
- a case within 15 minutes of its SLA, or past it: its assignee and those supervisors (sla.py);
- a held decision approved or rejected: the moderator who made it;
- KPU's clarification attached to a case someone sent to KPU: whoever sent it;
- a callback failed for good, a platform's callback URL disabled: administrators;
- a clarification submitted for approval: KPU approvers who did not write it;
- a clarification sent back with a comment: those who wrote it.

"The supervisors of a platform" are the supervisors in the platform's own organisation plus
those outside any platform (KPU, Bawaslu), who watch every queue.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import (
    ApprovalState,
    AuditAction,
    NotificationChannel,
    NotificationEmailState,
    NotificationKind,
    OrganisationKind,
    Role,
)
from moderation.errors import InvalidInput, NotPermitted
from moderation.models import (
    Appeal,
    Case,
    Clarification,
    Decision,
    Notification,
    NotificationPreference,
    OutboundDelivery,
    Platform,
    User,
)
from moderation.notification_texts import notification_text_stored
from moderation.oversight.audit import audit_record

# The channel of a kind when the user has not chosen one. Operations alerts go out by email.
DEFAULT_CHANNELS: dict[str, str] = {
    NotificationKind.CASE_ROUTED_TO_KPU: NotificationChannel.IN_APP,
    NotificationKind.DECISION_AWAITING_APPROVAL: NotificationChannel.IN_APP,
    NotificationKind.SLA_WARNING: NotificationChannel.IN_APP,
    NotificationKind.SLA_BREACHED: NotificationChannel.IN_APP,
    NotificationKind.APPEAL_RECEIVED: NotificationChannel.IN_APP,
    NotificationKind.DELIVERY_FAILED: NotificationChannel.EMAIL_NOW,
    NotificationKind.CALLBACK_DISABLED: NotificationChannel.EMAIL_NOW,
    NotificationKind.CLARIFICATION_SUBMITTED: NotificationChannel.IN_APP,
    NotificationKind.CLARIFICATION_RETURNED: NotificationChannel.IN_APP,
    NotificationKind.AUDIT_LOG_BROKEN: NotificationChannel.EMAIL_NOW,
    NotificationKind.DECISION_APPROVED: NotificationChannel.IN_APP,
    NotificationKind.DECISION_REJECTED: NotificationChannel.IN_APP,
    NotificationKind.ESCALATION_ANSWERED: NotificationChannel.IN_APP,
}


# Which roles receive each kind: the preferences page shows a user only their kinds.
KIND_ROLES: dict[str, tuple[str, ...]] = {
    NotificationKind.CASE_ROUTED_TO_KPU: (Role.KPU_CLARIFIER,),
    NotificationKind.DECISION_AWAITING_APPROVAL: (Role.SUPERVISOR,),
    NotificationKind.SLA_WARNING: (Role.SUPERVISOR, Role.PLATFORM_MODERATOR),
    NotificationKind.SLA_BREACHED: (Role.SUPERVISOR, Role.PLATFORM_MODERATOR),
    NotificationKind.APPEAL_RECEIVED: (Role.SUPERVISOR,),
    NotificationKind.DELIVERY_FAILED: (Role.ADMINISTRATOR,),
    NotificationKind.CALLBACK_DISABLED: (Role.ADMINISTRATOR,),
    NotificationKind.CLARIFICATION_SUBMITTED: (Role.KPU_APPROVER,),
    NotificationKind.CLARIFICATION_RETURNED: (Role.KPU_CLARIFIER, Role.KPU_APPROVER),
    NotificationKind.AUDIT_LOG_BROKEN: (Role.ADMINISTRATOR,),
    NotificationKind.DECISION_APPROVED: (Role.PLATFORM_MODERATOR, Role.SUPERVISOR),
    NotificationKind.DECISION_REJECTED: (Role.PLATFORM_MODERATOR, Role.SUPERVISOR),
    NotificationKind.ESCALATION_ANSWERED: (Role.PLATFORM_MODERATOR, Role.SUPERVISOR),
}


_EMAIL_STATE_OF_CHANNEL: dict[str, str] = {
    NotificationChannel.IN_APP: NotificationEmailState.NONE,
    NotificationChannel.EMAIL_NOW: NotificationEmailState.WAITING,
    NotificationChannel.DAILY_DIGEST: NotificationEmailState.DIGEST,
}


def users_with_role(*roles: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name__in=roles).distinct()


def supervisors_of(platform: Platform) -> QuerySet[User]:
    return users_with_role(Role.SUPERVISOR).filter(
        Q(organisation_id=platform.organisation_id)
        | Q(organisation__isnull=True)
        | ~Q(organisation__kind=OrganisationKind.PLATFORM)
    )


def kinds_for(user: User) -> list[str]:
    """The kinds a user can receive, in display order."""
    return [kind for kind in NotificationKind.values if user.has_role(*KIND_ROLES.get(kind, ()))]


def _channels(user_ids: list[int], kind: str) -> dict[int, str]:
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "channel"
        )
    )
    default = DEFAULT_CHANNELS.get(kind, NotificationChannel.IN_APP)
    return {uid: chosen.get(uid, default) for uid in user_ids}


def _notify(
    *,
    recipients: Iterable[User | int],
    kind: str,
    params: dict[str, Any],
    case: Case | None = None,
    platform: Platform | None = None,
    dedupe_key: str = "",
    now: datetime | None = None,
) -> int:
    """Write one row per recipient. With a dedupe_key, a second call adds nothing.

    ``params`` are the values the kind's text needs (moderation/notification_texts.py): each
    reader sees the text in their own language; the Indonesian text is stored as well."""
    now = now or timezone.now()
    title, body = notification_text_stored(kind, params)
    user_ids = sorted({r if isinstance(r, int) else r.pk for r in recipients})
    if not user_ids:
        return 0
    channels = _channels(user_ids, kind)
    rows = [
        Notification(
            recipient_id=uid,
            kind=kind,
            title=title[:200],
            body=body,
            params=params,
            case=case,
            platform=platform,
            dedupe_key=dedupe_key,
            created_at=now,
            email_state=_EMAIL_STATE_OF_CHANNEL[channels[uid]],
        )
        for uid in user_ids
    ]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    return len(created)


def notify_users(
    *, recipients: Iterable[User | int], kind: str, params: dict[str, Any], dedupe_key: str = ""
) -> int:
    """A notification not about one case or platform (the audit chain's state)."""
    return _notify(recipients=recipients, kind=kind, params=params, dedupe_key=dedupe_key)


def _case_params(case: Case) -> dict[str, Any]:
    return {
        "case": case.pk,
        "video": case.video.platform_video_id,
        "platform": case.platform.name,
        "reasons": ", ".join(case.reasons) or "-",
    }


def notify_case_routed_to_kpu(*, case: Case, note: str = "") -> int:
    return _notify(
        recipients=users_with_role(Role.KPU_CLARIFIER),
        kind=NotificationKind.CASE_ROUTED_TO_KPU,
        params={**_case_params(case), "note": note},
        case=case,
        platform=case.platform,
        dedupe_key=f"case:{case.pk}:v{case.version}",
    )


def notify_decision_awaiting_approval(*, decision: Decision, case: Case) -> int:
    recipients = supervisors_of(case.platform).exclude(pk=decision.decided_by_id)
    return _notify(
        recipients=recipients,
        kind=NotificationKind.DECISION_AWAITING_APPROVAL,
        params={
            **_case_params(case),
            "decision": decision.pk,
            "action": decision.action,
            "decided_by": decision.decided_by.get_username(),
        },
        case=case,
        platform=case.platform,
        dedupe_key=f"decision:{decision.pk}",
    )


def notify_decision_reviewed(*, decision: Decision, case: Case) -> int:
    """Tell the moderator who made a held decision that a supervisor approved or rejected it."""
    approved = decision.approval_state == ApprovalState.APPROVED
    return _notify(
        recipients=[decision.decided_by_id],
        kind=NotificationKind.DECISION_APPROVED if approved else NotificationKind.DECISION_REJECTED,
        params={
            **_case_params(case),
            "decision": decision.pk,
            "action": decision.action,
            "reviewer": decision.approved_by.get_username() if decision.approved_by else "",
            "note": decision.approval_note,
        },
        case=case,
        platform=case.platform,
        dedupe_key=f"decision:{decision.pk}",
    )


def notify_escalation_answered(
    *, case: Case, escalated_by: Iterable[int], clarification_title: str
) -> int:
    """Tell those who sent a case to KPU that KPU attached its clarification."""
    return _notify(
        recipients=list(escalated_by),
        kind=NotificationKind.ESCALATION_ANSWERED,
        params={**_case_params(case), "clarification": clarification_title[:200]},
        case=case,
        platform=case.platform,
        dedupe_key=f"escalation:{case.pk}:v{case.version}",
    )


def notify_appeal_received(*, appeal: Appeal, case: Case) -> int:
    return _notify(
        recipients=supervisors_of(case.platform),
        kind=NotificationKind.APPEAL_RECEIVED,
        params={
            **_case_params(case),
            "decision": appeal.decision_id,
            "statement": (appeal.statement or "")[:1000],
        },
        case=case,
        platform=case.platform,
        dedupe_key=f"appeal:{appeal.pk}",
    )


def notify_delivery_failed(*, delivery: OutboundDelivery) -> int:
    platform = delivery.platform
    return _notify(
        recipients=users_with_role(Role.ADMINISTRATOR),
        kind=NotificationKind.DELIVERY_FAILED,
        params={
            "event_type": delivery.event_type,
            "platform": platform.name,
            "subject": delivery.subject or delivery.webhook_id,
            "attempts": delivery.attempts,
            "last_error": (delivery.last_error or "-")[:1000],
        },
        platform=platform,
    )


def notify_callback_disabled(
    *, platform: Platform, reason: str, now: datetime | None = None
) -> int:
    return _notify(
        recipients=users_with_role(Role.ADMINISTRATOR),
        kind=NotificationKind.CALLBACK_DISABLED,
        params={"platform": platform.name, "reason": reason},
        platform=platform,
        now=now,
    )


def notify_clarification_submitted(
    *,
    clarification: Clarification,
    version: int,
    title: str,
    exclude: Iterable[int] = (),
    now: datetime | None = None,
) -> int:
    return _notify(
        recipients=users_with_role(Role.KPU_APPROVER).exclude(pk__in=list(exclude)),
        kind=NotificationKind.CLARIFICATION_SUBMITTED,
        params={"clarification": clarification.pk, "version": version, "title": title[:150]},
        now=now,
    )


def notify_clarification_returned(
    *,
    clarification: Clarification,
    version: int,
    title: str,
    note: str,
    reviewer: User,
    recipients: Iterable[int],
    now: datetime | None = None,
) -> int:
    return _notify(
        recipients=list(recipients),
        kind=NotificationKind.CLARIFICATION_RETURNED,
        params={
            "clarification": clarification.pk,
            "version": version,
            "title": title[:150],
            "note": note[:2000],
            "reviewer": reviewer.get_username(),
        },
        now=now,
    )


def notification_mark_read(
    *, notification: Notification, user: User, now: datetime | None = None
) -> Notification:
    if notification.recipient_id != user.pk:
        raise NotPermitted()
    if notification.read_at is None:
        with transaction.atomic():
            notification.read_at = now or timezone.now()
            marked = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
                read_at=notification.read_at
            )
            if marked:
                audit_record(
                    action=AuditAction.NOTIFICATION_READ,
                    obj=notification,
                    actor=user,
                    after={"read_at": notification.read_at.isoformat()},
                )
    return notification


def notifications_mark_all_read(*, user: User, now: datetime | None = None) -> int:
    with transaction.atomic():
        marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=now or timezone.now()
        )
        if marked:
            audit_record(
                action=AuditAction.NOTIFICATION_READ,
                obj=user,
                actor=user,
                after={"notifications_marked_read": marked},
            )
    return marked


def notification_preference_set(*, user: User, kind: str, channel: str) -> NotificationPreference:
    errors = {}
    if kind not in kinds_for(user):
        errors["kind"] = _("jenis tidak dikenal: %(value)s") % {"value": kind}
    if channel not in NotificationChannel.values:
        errors["channel"] = _("salah satu dari %(values)s") % {
            "values": ", ".join(NotificationChannel.values)
        }
    if errors:
        raise InvalidInput.of(errors)
    with transaction.atomic():
        before = (
            NotificationPreference.objects.select_for_update()
            .filter(user=user, kind=kind)
            .values_list("channel", flat=True)
            .first()
        )
        preference, _created = NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"channel": channel}
        )
        if before != channel:
            audit_record(
                action=AuditAction.NOTIFICATION_PREFERENCE_SET,
                obj=preference,
                actor=user,
                before={"kind": kind, "channel": before} if before else {},
                after={"kind": kind, "channel": channel},
            )
    return preference


def user_language_set(*, user: User, language: str) -> User:
    """Remember the language a user chose, for what is written to them outside the browser
    (e-mails). The browser itself follows the language cookie."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput.of(
            {
                "language": _("salah satu dari %(values)s")
                % {"values": ", ".join(dict(settings.LANGUAGES))}
            }
        )
    if user.language != language:
        with transaction.atomic():
            before = user.language
            user.language = language
            User.objects.filter(pk=user.pk).update(language=language)
            audit_record(
                action=AuditAction.USER_LANGUAGE_SET,
                obj=user,
                actor=user,
                before={"language": before},
                after={"language": language},
            )
    return user


def notification_channels(user: User) -> dict[str, str]:
    """The effective channel of each kind the user receives."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {
        kind: chosen.get(kind, DEFAULT_CHANNELS.get(kind, NotificationChannel.IN_APP))
        for kind in kinds_for(user)
    }

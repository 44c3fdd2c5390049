"""Official KPU clarifications: write, submit, publish (a new frozen version each time),
retract, and attach to cases."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import (
    AuditAction,
    CallbackEventType,
    CaseAction,
    CaseEvent,
    CaseStatus,
    ClarificationEvent,
    ClarificationRating,
    ClarificationStatus,
)
from moderation.errors import InvalidInput, NotPermitted
from moderation.models import (
    AuditEvent,
    Case,
    CaseClarification,
    Clarification,
    ClarificationVersion,
    Platform,
    User,
)
from moderation.outbound.callbacks import delivery_enqueue
from moderation.outbound.payloads import clarification_data
from moderation.oversight.audit import audit_record
from moderation.oversight.notifications import notify_escalation_answered
from moderation.permissions import (
    can_create_clarification,
    can_publish_clarifications,
    can_write_clarifications,
    case_actions,
    clarification_publish_refusal,
)
from moderation.transitions import clarification_next_status, next_status

EDITABLE_FIELDS = ["claim", "rating", "title", "body", "title_en", "body_en", "sources", "language"]


def _validate(fields: dict[str, object]) -> None:
    errors: dict[str, str] = {}
    for name in ("claim", "title", "body"):
        if not str(fields.get(name) or "").strip():
            errors[name] = _("wajib diisi")
    if fields.get("rating") not in ClarificationRating.values:
        errors["rating"] = _("salah satu dari %(values)s") % {
            "values": ", ".join(ClarificationRating.values)
        }
    sources = fields.get("sources") or []
    if not isinstance(sources, list) or not all(
        isinstance(u, str) and u.startswith(("https://", "http://")) for u in sources
    ):
        errors["sources"] = _("daftar URL http(s)")
    if errors:
        raise InvalidInput.of(errors)


def clarification_create(*, user: User, **fields: object) -> Clarification:
    if not can_create_clarification(user):
        raise NotPermitted()
    _validate(fields)
    with transaction.atomic():
        clarification = Clarification.objects.create(
            author=user, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
        )
        audit_record(
            action=AuditAction.CLARIFICATION_CREATE,
            obj=clarification,
            actor=user,
            after={"title": clarification.title, "rating": clarification.rating},
        )
    return clarification


def clarification_update(
    *, clarification: Clarification, user: User, **fields: object
) -> Clarification:
    if not can_write_clarifications(user):
        raise NotPermitted()
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        if clarification.status == ClarificationStatus.RETRACTED:
            raise InvalidInput(_("Klarifikasi yang ditarik tidak dapat diubah."))
        merged = {name: getattr(clarification, name) for name in EDITABLE_FIELDS}
        merged.update({k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
        _validate(merged)
        before = {k: getattr(clarification, k) for k in fields if k in EDITABLE_FIELDS}
        for name, value in merged.items():
            setattr(clarification, name, value)
        clarification.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
        audit_record(
            action=AuditAction.CLARIFICATION_UPDATE,
            obj=clarification,
            actor=user,
            before=before,
            after={k: merged[k] for k in before},
        )
    return clarification


def clarification_submit(*, clarification: Clarification, user: User) -> Clarification:
    if not can_write_clarifications(user):
        raise NotPermitted()
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        before = clarification.status
        clarification.status = clarification_next_status(before, ClarificationEvent.SUBMIT)
        clarification.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditAction.CLARIFICATION_SUBMIT,
            obj=clarification,
            actor=user,
            before={"status": before},
            after={"status": clarification.status},
        )
    return clarification


def _announce(clarification: Clarification, event_type: str) -> None:
    for platform in Platform.objects.filter(enabled=True).exclude(callback_url=""):
        delivery_enqueue(
            platform=platform,
            event_type=event_type,
            data=clarification_data(clarification, platform_id=platform.pk),
            subject=f"clarification:{clarification.pk}:v{clarification.version}",
        )


def clarification_publish(
    *, clarification: Clarification, user: User, now: datetime | None = None
) -> Clarification:
    """A KPU approver signs off: a new frozen version, and the platforms are told."""
    now = now or timezone.now()
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        if refusal := clarification_publish_refusal(user, clarification):
            raise refusal
        before = clarification.status
        clarification.status = clarification_next_status(before, ClarificationEvent.PUBLISH)
        clarification.version += 1
        clarification.approver = user
        clarification.published_at = now
        clarification.save(
            update_fields=["status", "version", "approver", "published_at", "updated_at"]
        )
        ClarificationVersion.objects.create(
            clarification=clarification,
            version=clarification.version,
            approver=user,
            published_at=now,
            **{k: getattr(clarification, k) for k in EDITABLE_FIELDS if k != "language"},
        )
        audit_record(
            action=AuditAction.CLARIFICATION_PUBLISH,
            obj=clarification,
            actor=user,
            before={"status": before},
            after={"status": clarification.status, "version": clarification.version},
        )
        _announce(clarification, CallbackEventType.CLARIFICATION_PUBLISHED)
    return clarification


def clarification_retract(
    *, clarification: Clarification, user: User, reason: str = "", now: datetime | None = None
) -> Clarification:
    now = now or timezone.now()
    if not can_publish_clarifications(user):
        raise NotPermitted()
    with transaction.atomic():
        clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
        before = clarification.status
        clarification.status = clarification_next_status(before, ClarificationEvent.RETRACT)
        clarification.retracted_at = now
        clarification.save(update_fields=["status", "retracted_at", "updated_at"])
        audit_record(
            action=AuditAction.CLARIFICATION_RETRACT,
            obj=clarification,
            actor=user,
            before={"status": before},
            after={"status": clarification.status, "reason": reason},
        )
        _announce(clarification, CallbackEventType.CLARIFICATION_RETRACTED)
    return clarification


def clarification_attach(
    *, case: Case, clarification: Clarification, user: User, now: datetime | None = None
) -> CaseClarification:
    """Link a published clarification to a case. A case waiting for KPU returns to the queue."""
    now = now or timezone.now()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",), no_key=True)
            .select_related("platform")
            .get(pk=case.pk)
        )
        case_actions(user, case, now=now).require(CaseAction.ATTACH_CLARIFICATION)
        if clarification.status != ClarificationStatus.PUBLISHED:
            raise InvalidInput(
                _("Hanya klarifikasi yang sudah terbit yang dapat dilampirkan."),
                errors={"clarification": _("belum terbit")},
            )
        link, created = CaseClarification.objects.get_or_create(
            case=case,
            clarification=clarification,
            defaults={"attached_by": user, "attached_at": now},
        )
        if not created:
            return link
        before = case.status
        case.status = next_status(case.status, CaseEvent.CLARIFICATION_ATTACH)
        case.version += 1
        case.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            action=AuditAction.CLARIFICATION_ATTACH,
            obj=link,
            case=case,
            actor=user,
            before={"status": before},
            after={"status": case.status, "clarification": clarification.pk},
        )
        if before == CaseStatus.AWAITING_CLARIFICATION:
            notify_escalation_answered(
                case=case,
                escalated_by=_escalated_by(case),
                clarification_title=clarification.title,
            )
    return link


def _escalated_by(case: Case) -> list[int]:
    """Who sent the case to KPU this last time (the latest escalation's actor)."""
    actor = (
        AuditEvent.objects.filter(case=case, action=AuditAction.CASE_ESCALATE_TO_KPU)
        .exclude(actor__isnull=True)
        .order_by("-pk")
        .values_list("actor_id", flat=True)
        .first()
    )
    return [actor] if actor else []

"""Appeals: a creator contests a decision through the platform (appeal.created); the case goes
back to a queue for a second reviewer, who may not be anyone who decided it before
(permissions.case_actions)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import (
    OPEN_CASE_STATUSES,
    AuditAction,
    CaseEvent,
    CaseStatus,
)
from moderation.errors import Conflict, InvalidInput
from moderation.models import Appeal, Case, Decision, Platform
from moderation.oversight.audit import audit_record
from moderation.oversight.notifications import (
    notify_appeal_received,
)
from moderation.transitions import next_status


def appeal_open(
    *,
    platform: Platform,
    appeal_id: str,
    decision: Decision,
    statement: str,
    created_at: datetime,
    now: datetime | None = None,
) -> tuple[Appeal, bool]:
    """Open an appeal on a decided case; returns (appeal, created). Idempotent on appeal_id."""
    now = now or timezone.now()
    with transaction.atomic():
        existing = Appeal.objects.filter(platform=platform, appeal_id=appeal_id).first()
        if existing is not None:
            return existing, False
        case = Case.objects.select_for_update(no_key=True).get(pk=decision.case_id)
        if case.platform_id != platform.pk:
            raise InvalidInput(_("keputusan ini bukan milik platform ini"))
        if not decision.is_final:
            raise Conflict(_("keputusan ini belum final"))
        if case.status != CaseStatus.DECIDED:
            raise Conflict(
                _("kasus berstatus %(status)s, bukan diputuskan") % {"status": case.status}
            )
        other_open = Case.objects.filter(video_id=case.video_id, status__in=OPEN_CASE_STATUSES)
        if other_open.exclude(pk=case.pk).exists():
            raise Conflict(_("video ini sudah punya kasus lain yang terbuka"))
        before = case.status
        case.status = next_status(case.status, CaseEvent.APPEAL)
        case.version += 1
        case.save(update_fields=["status", "version", "updated_at"])
        appeal = Appeal.objects.create(
            platform=platform,
            appeal_id=appeal_id,
            decision=decision,
            case=case,
            statement=statement,
            created_at=created_at,
            received_at=now,
        )
        audit_record(
            action=AuditAction.APPEAL_OPEN,
            obj=appeal,
            case=case,
            actor=None,
            actor_kind="platform",
            before={"status": before},
            after={"status": case.status, "decision": decision.pk},
        )
        notify_appeal_received(appeal=appeal, case=case)
    return appeal, True

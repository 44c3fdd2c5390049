"""The SLA watch (beat, every minute): each open case is notified once when it comes within
``SLA_WARNING_BEFORE`` of its due time, and once when it passes it."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from moderation.choices import OPEN_CASE_STATUSES, NotificationKind
from moderation.models import Case, Notification
from moderation.oversight.notifications import _case_params, _notify, supervisors_of

SLA_WARNING_BEFORE = timedelta(minutes=15)


def _sla_candidates(kind: str, due_q: Q) -> QuerySet[Case]:
    already = Notification.objects.filter(case=OuterRef("pk"), kind=kind)
    return (
        Case.objects.filter(status__in=OPEN_CASE_STATUSES, due_at__isnull=False)
        .filter(due_q)
        .exclude(Exists(already))
        .select_related("platform", "video")
        .order_by("due_at", "pk")
    )


def notifications_sla_scan(*, now: datetime | None = None, batch: int = 2000) -> int:
    """Notify each open case once when it comes within 15 minutes of its SLA, and once when it
    passes it. Idempotent (the dedupe key is the case); safe to run twice at once."""
    now = now or timezone.now()
    written = 0
    supervisors: dict[int, list[int]] = {}
    for kind, due_q in (
        (NotificationKind.SLA_BREACHED, Q(due_at__lte=now)),
        (NotificationKind.SLA_WARNING, Q(due_at__gt=now, due_at__lte=now + SLA_WARNING_BEFORE)),
    ):
        with transaction.atomic():
            for case in _sla_candidates(kind, due_q)[:batch]:
                if case.platform_id not in supervisors:
                    supervisors[case.platform_id] = list(
                        supervisors_of(case.platform).values_list("pk", flat=True)
                    )
                recipients = list(supervisors[case.platform_id])
                if case.assignee_id:
                    recipients.append(case.assignee_id)
                due = timezone.localtime(case.due_at)
                written += _notify(
                    recipients=recipients,
                    kind=kind,
                    params={**_case_params(case), "due": f"{due:%H:%M}", "status": case.status},
                    case=case,
                    platform=case.platform,
                    dedupe_key=f"case:{case.pk}",
                    now=now,
                )
    return written

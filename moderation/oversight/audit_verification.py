"""The seal chain's state, as supervisors see it on the audit page and administrators hear of
it: ``audit_log_verify_record`` runs ``audit_log_verify`` (seal.py), keeps the result as an
``AuditVerification`` row and, on a break, notifies the administrators. The periodic task
and ``manage.py verify_audit_log`` both go through it, so the page shows the last run of
either."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from moderation.choices import NotificationKind, Role
from moderation.models import AuditEvent, AuditSeal, AuditVerification
from moderation.oversight.notifications import notify_users, users_with_role
from moderation.oversight.seal import audit_log_verify

# "Events since the last seal" is counted up to here, then shown as "more than".
SINCE_COUNT_CAP = 10_000


def audit_log_verify_record(
    *, on_seal: Callable[[AuditSeal], None] | None = None, now: datetime | None = None
) -> AuditVerification:
    started = now or timezone.now()
    result = audit_log_verify(on_seal=on_seal)
    with transaction.atomic():
        verification = AuditVerification.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            ok=result.ok,
            seals=result.seals,
            events=result.events,
            last_event_id=result.last_event_id,
            first_problem=result.problems[0] if result.problems else "",
            problem_count=len(result.problems),
        )
        if not result.ok:
            notify_users(
                recipients=users_with_role(Role.ADMINISTRATOR),
                kind=NotificationKind.AUDIT_LOG_BROKEN,
                params={"problem": result.problems[0][:500], "count": len(result.problems)},
                # One notification per distinct break, however often the task finds it.
                dedupe_key=f"audit-broken:{result.problems[0][:100]}",
            )
    return verification


@dataclass(frozen=True)
class ChainState:
    last_verification: AuditVerification | None
    last_broken: AuditVerification | None
    last_seal: AuditSeal | None
    events_since_seal: int
    events_since_capped: bool

    @property
    def broken(self) -> bool:
        return self.last_verification is not None and not self.last_verification.ok


def audit_chain_state() -> ChainState:
    """What the audit page shows above the log: the last verification (and the last one that
    found a break), the last seal, and how many events wait for the next seal."""
    last_verification = AuditVerification.objects.order_by("-finished_at").first()
    last_broken = (
        AuditVerification.objects.filter(ok=False).order_by("-finished_at").first()
        if last_verification is not None and not last_verification.ok
        else None
    )
    last_seal = AuditSeal.objects.order_by("-last_event_id").first()
    after = last_seal.last_event_id if last_seal else 0
    since = AuditEvent.objects.filter(id__gt=after).order_by("id")[: SINCE_COUNT_CAP + 1].count()
    return ChainState(
        last_verification=last_verification,
        last_broken=last_broken,
        last_seal=last_seal,
        events_since_seal=min(since, SINCE_COUNT_CAP),
        events_since_capped=since > SINCE_COUNT_CAP,
    )

"""Neutrality: which candidate pair, party or candidate a case's content concerns (set by a
moderator or supervisor on the case page, audited), and enforcement per pair and party side by
side, so supervisors can show that it was even-handed."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.choices import AuditAction, SubjectKind
from moderation.errors import InvalidInput
from moderation.models import Case, CaseSubject, ElectoralSubject, User
from moderation.oversight.audit import audit_record
from moderation.oversight.dashboard import (
    DashboardScope,
    percentile_cont,
    round1,
    scope_facts,
)
from moderation.permissions import require_workable


def electoral_subjects_active() -> QuerySet[ElectoralSubject]:
    """What the case page offers: pairs first, then parties, then candidates."""
    return ElectoralSubject.objects.filter(active=True).order_by("kind", "ballot_number", "name")


def case_subject_ids(case: Case) -> list[int]:
    return sorted(CaseSubject.objects.filter(case=case).values_list("subject_id", flat=True))


def case_subjects_set(
    *, case: Case, user: User, subject_ids: Iterable[int], now: datetime | None = None
) -> list[int]:
    """Record which pairs, parties or candidates the case's content concerns (replacing what
    was recorded). Anyone who may work the case's platform may; audited with before and after.
    Returns the subject ids now recorded."""
    now = now or timezone.now()
    wanted = sorted(set(subject_ids))
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",), no_key=True).get(pk=case.pk)
        require_workable(user, case)
        known = set(
            ElectoralSubject.objects.filter(pk__in=wanted, active=True).values_list("pk", flat=True)
        )
        if unknown := [pk for pk in wanted if pk not in known]:
            raise InvalidInput.of(
                {
                    "subjects": _("Peserta pemilu tidak dikenal: %(ids)s.")
                    % {"ids": ", ".join(map(str, unknown))}
                }
            )
        before = case_subject_ids(case)
        if before == wanted:
            return before
        CaseSubject.objects.filter(case=case).exclude(subject_id__in=wanted).delete()
        CaseSubject.objects.bulk_create(
            [
                CaseSubject(
                    case=case,
                    subject_id=pk,
                    tagged_by=user,
                    tagged_at=now,
                    case_opened_at=case.opened_at,
                    case_platform_id=case.platform_id,
                )
                for pk in wanted
                if pk not in before
            ]
        )
        audit_record(
            action=AuditAction.CASE_SUBJECTS_SET,
            obj=case,
            case=case,
            actor=user,
            before={"subjects": before},
            after={"subjects": wanted},
        )
    return wanted


@dataclass
class SubjectEnforcement:
    subject_id: int
    kind: str
    label: str
    cases: int = 0
    flags: int = 0
    removals: int = 0
    labels: int = 0
    median_minutes: float | None = None


def neutrality_by_subject(scope: DashboardScope) -> dict[str, list[SubjectEnforcement]]:
    """Per active pair, party and candidate (kind -> rows in ballot order): the cases
    concerning it opened in the range, the flags on those cases, their median minutes to first
    decision; and the removals and labels that took effect in the range on its cases."""
    counts: dict[int, list[int]] = {}
    minutes: dict[int, list[float]] = {}
    for facts in scope_facts(scope):
        for key, (n, flags, removals, labels) in facts.subjects.items():
            total = counts.setdefault(int(key), [0, 0, 0, 0])
            total[0] += n
            total[1] += flags
            total[2] += removals
            total[3] += labels
        for key, values in facts.subject_minutes.items():
            minutes.setdefault(int(key), []).extend(values)
    out: dict[str, list[SubjectEnforcement]] = {k: [] for k in SubjectKind.values}
    for subject in electoral_subjects_active():
        n_cases, n_flags, removals, labels = counts.get(subject.pk, (0, 0, 0, 0))
        median = round1(percentile_cont(sorted(minutes.get(subject.pk, [])), 0.5))
        out[subject.kind].append(
            SubjectEnforcement(
                subject_id=subject.pk,
                kind=subject.kind,
                label=str(subject),
                cases=n_cases,
                flags=n_flags,
                removals=removals,
                labels=labels,
                median_minutes=median,
            )
        )
    return out


__all__ = [
    "SubjectEnforcement",
    "case_subject_ids",
    "case_subjects_set",
    "electoral_subjects_active",
    "neutrality_by_subject",
]

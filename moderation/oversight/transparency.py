"""Statements of reasons for a date range in the shape of the EU DSA Transparency Database,
extended with the Indonesian legal ground; streamed as CSV or JSON in constant memory. Each
export is audited. The field mapping is documented in docs/transparency.md.

Only restrictions have a statement of reasons: decisions that took effect with the actions
remove, restrict_region, reduce_reach or label. ``no_action`` and ``escalate`` restrict
nothing and are not exported.
"""

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from moderation.choices import Action, AuditAction, AutomatedDecision, FlagSource, Ground, Reason
from moderation.models import AuditEvent, Decision, Flag, User
from moderation.oversight.audit import audit_columns
from moderation.oversight.dashboard import DashboardScope
from moderation.oversight.dashboard_days import EFFECTIVE_APPROVAL_STATES, WIB

EXPORTED_ACTIONS: tuple[str, ...] = (
    Action.REMOVE,
    Action.RESTRICT_REGION,
    Action.REDUCE_REACH,
    Action.LABEL,
)

VISIBILITY: dict[str, str] = {
    Action.REMOVE: "DECISION_VISIBILITY_CONTENT_REMOVED",
    Action.RESTRICT_REGION: "DECISION_VISIBILITY_CONTENT_DISABLED",
    Action.REDUCE_REACH: "DECISION_VISIBILITY_CONTENT_DEMOTED",
    Action.LABEL: "DECISION_VISIBILITY_CONTENT_LABELLED",
}

ELECTIONS_CATEGORY = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
# A second DSA category where the reason is also one of its own.
CATEGORY_ADDITION: dict[str, str] = {
    Reason.HATE_SPEECH: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    Reason.SARA: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    Reason.DEFAMATION: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    Reason.INCITEMENT: "STATEMENT_CATEGORY_VIOLENCE",
}
CATEGORY_SPECIFICATION: dict[str, str] = {
    Reason.HOAX: "KEYWORD_MISINFORMATION",
    Reason.DISINFORMATION: "KEYWORD_DISINFORMATION",
    Reason.DEFAMATION: "KEYWORD_DEFAMATION",
    Reason.HATE_SPEECH: "KEYWORD_HATE_SPEECH",
}

# Our ground -> the DSA ground. Community guidelines are terms of service ("incompatible");
# the election law and court orders make content illegal.
DSA_GROUND: dict[str, str] = {
    Ground.COMMUNITY_GUIDELINES: "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    Ground.ELECTION_LAW: "DECISION_GROUND_ILLEGAL_CONTENT",
    Ground.COURT_ORDER: "DECISION_GROUND_ILLEGAL_CONTENT",
    Ground.OTHER: "DECISION_GROUND_INCOMPATIBLE_CONTENT",
}
# The Indonesian legal ground, by our ground and then by reason.
ELECTION_LAW = "UU No. 7 Tahun 2017 tentang Pemilihan Umum dan PKPU tentang kampanye"
ITE_LAW = (
    "UU No. 11 Tahun 2008 tentang Informasi dan Transaksi Elektronik sebagaimana diubah "
    "terakhir dengan UU No. 1 Tahun 2024"
)
ID_LEGAL_GROUND_BY_REASON: dict[str, str] = {
    Reason.HOAX: ITE_LAW,
    Reason.DISINFORMATION: ITE_LAW,
    Reason.DEFAMATION: ITE_LAW,
    Reason.HATE_SPEECH: ITE_LAW,
    Reason.SARA: ITE_LAW,
    Reason.INCITEMENT: ITE_LAW,
    Reason.QUIET_PERIOD_CAMPAIGN: ELECTION_LAW,
    Reason.OFFICIAL_IMPERSONATION: ELECTION_LAW,
    Reason.VOTER_SUPPRESSION: ELECTION_LAW,
    Reason.CIVIL_SERVANT_PARTISANSHIP: ELECTION_LAW,
}
AUTOMATED_DECISION: dict[str, str] = {
    AutomatedDecision.FULLY: "AUTOMATED_DECISION_FULLY",
    AutomatedDecision.PARTIALLY: "AUTOMATED_DECISION_PARTIALLY",
    AutomatedDecision.NOT_AUTOMATED: "AUTOMATED_DECISION_NOT_AUTOMATED",
}
# The strongest source of a case's flags decides the DSA source type.
SOURCE_ORDER: tuple[tuple[str, str], ...] = (
    (FlagSource.TRUSTED_FLAGGER, "SOURCE_TRUSTED_NOTIFIER"),
    (FlagSource.KPU, "SOURCE_TYPE_OTHER_NOTIFICATION"),
    (FlagSource.USER_REPORT, "SOURCE_ARTICLE_16"),
    (FlagSource.AUTOMATED, "SOURCE_VOLUNTARY"),
)

FIELDS: tuple[str, ...] = (
    "puid",
    "decision_visibility",
    "decision_ground",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
    "category",
    "category_addition",
    "category_specification",
    "content_type",
    "content_language",
    "content_date",
    "application_date",
    "territorial_scope",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    # Extensions for Indonesia and for finding the content again.
    "id_legal_ground",
    "id_legal_ground_code",
    "id_reason",
    "platform",
    "platform_video_id",
    "decided_at",
)
LIST_FIELDS = {
    "decision_visibility",
    "category_addition",
    "category_specification",
    "content_type",
    "territorial_scope",
}


def statements_of_reasons(scope: DashboardScope) -> QuerySet[Decision]:
    """The restrictions that took effect in the range on the scope's platforms, oldest first."""
    sources = (
        Flag.objects.filter(case_id=OuterRef("case_id"))
        .values("case_id")
        .annotate(all=ArrayAgg("source", distinct=True))
        .values("all")
    )
    qs = Decision.objects.filter(
        decided_at__gte=scope.start,
        decided_at__lt=scope.end,
        approval_state__in=EFFECTIVE_APPROVAL_STATES,
        action__in=EXPORTED_ACTIONS,
    )
    if scope.platform_ids is not None:
        qs = qs.filter(case__platform_id__in=scope.platform_ids)
    return (
        qs.select_related("case__video", "case__platform")
        .annotate(flag_sources=Subquery(sources))
        .order_by("decided_at", "pk")
    )


def _source_type(sources: list[str] | None) -> str:
    have = set(sources or [])
    return next((dsa for ours, dsa in SOURCE_ORDER if ours in have), "SOURCE_VOLUNTARY")


def statement_of_reasons(decision: Decision) -> dict[str, Any]:
    """One decision as a DSA statement of reasons with the Indonesian extensions."""
    case = decision.case
    video = case.video
    dsa_ground = DSA_GROUND.get(decision.ground, "DECISION_GROUND_INCOMPATIBLE_CONTENT")
    illegal = dsa_ground == "DECISION_GROUND_ILLEGAL_CONTENT"
    if decision.ground == Ground.ELECTION_LAW:
        id_ground = ELECTION_LAW
    elif decision.ground == Ground.COURT_ORDER:
        id_ground = "Perintah pengadilan"
    else:
        id_ground = ID_LEGAL_GROUND_BY_REASON.get(decision.category, "")
    explanation = decision.statement_of_reasons
    content_date = (video.published_at or case.opened_at).astimezone(WIB).date()
    return {
        "puid": f"saring-{case.platform.slug}-decision-{decision.pk}",
        "decision_visibility": [VISIBILITY[decision.action]],
        "decision_ground": dsa_ground,
        "illegal_content_legal_ground": id_ground if illegal else "",
        "illegal_content_explanation": explanation if illegal else "",
        "incompatible_content_ground": "" if illegal else str(Ground(decision.ground).label),
        "incompatible_content_explanation": "" if illegal else explanation,
        "incompatible_content_illegal": "" if illegal else ("Yes" if id_ground else "No"),
        "category": ELECTIONS_CATEGORY,
        "category_addition": [c for c in [CATEGORY_ADDITION.get(decision.category)] if c],
        "category_specification": [c for c in [CATEGORY_SPECIFICATION.get(decision.category)] if c],
        "content_type": ["CONTENT_TYPE_VIDEO"],
        "content_language": (video.language or "")[:2].upper(),
        "content_date": content_date.isoformat(),
        "application_date": decision.decided_at.astimezone(WIB).date().isoformat(),
        "territorial_scope": list(decision.territorial_scope or []),
        "decision_facts": decision.facts or explanation,
        "source_type": _source_type(getattr(decision, "flag_sources", None)),
        "automated_detection": "Yes" if decision.automated_detection else "No",
        "automated_decision": AUTOMATED_DECISION.get(
            decision.automated_decision, "AUTOMATED_DECISION_NOT_AUTOMATED"
        ),
        "id_legal_ground": id_ground,
        "id_legal_ground_code": decision.ground,
        "id_reason": decision.category,
        "platform": case.platform.slug,
        "platform_video_id": video.platform_video_id,
        "decided_at": decision.decided_at.isoformat(),
    }


def _statements(scope: DashboardScope) -> Iterator[dict[str, Any]]:
    for decision in statements_of_reasons(scope).iterator(chunk_size=2000):
        yield statement_of_reasons(decision)


def statements_csv(scope: DashboardScope) -> Iterator[str]:
    """CSV, a header then one line per statement; list fields joined with "|"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIELDS)
    for n, row in enumerate(_statements(scope), start=1):
        writer.writerow(["|".join(row[f]) if f in LIST_FIELDS else row[f] for f in FIELDS])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def statements_json(scope: DashboardScope) -> Iterator[str]:
    """``{"statements": [...]}``, the body the DSA database's multiple-statements API takes."""
    yield '{"statements": ['
    for n, row in enumerate(_statements(scope)):
        yield ("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


def transparency_export_record(*, user: User, scope: DashboardScope, fmt: str) -> AuditEvent:
    """Audit that ``user`` exported the statements of reasons of ``scope`` as ``fmt``."""
    with transaction.atomic():
        return AuditEvent.objects.create(
            **audit_columns(
                action=AuditAction.TRANSPARENCY_EXPORT,
                object_type="statement_of_reasons",
                actor=user,
            ),
            object_id=f"{scope.since.isoformat()}..{scope.until.isoformat()}",
            after={
                "format": fmt,
                "since": scope.since.isoformat(),
                "until": scope.until.isoformat(),
                "platforms": list(scope.platform_ids) if scope.platform_ids is not None else None,
            },
        )

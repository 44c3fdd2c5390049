"""Case priority: a pure function of signals a supervisor can see and tune.

``priority_compute`` returns the score and a breakdown, one line per signal, which the case
stores so that the queue, the case page and the API can show why a case ranks where it does.
Weights come from ``TuningParameter`` rows over the defaults below (``tuning_values``).
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from moderation.choices import FlagSource, PhaseKind, PrioritySignal, Reason

DEFAULT_TUNING: dict[str, float] = {
    # Reach: points per decade of views above 1,000, capped.
    "priority.reach_per_decade": 10.0,
    "priority.reach_cap": 40.0,
    # Growth: views gained per hour that count as "going viral", and the points for it.
    "priority.growth_views_per_hour": 50_000.0,
    "priority.growth_points": 15.0,
    # Distinct flags: points per flag, capped.
    "priority.per_flag": 4.0,
    "priority.flags_cap": 24.0,
    # Who flagged: the strongest source present counts.
    "priority.source.user_report": 0.0,
    "priority.source.automated": 5.0,
    "priority.source.trusted_flagger": 15.0,
    "priority.source.kpu": 20.0,
    # Severity of the most severe reason on the case.
    "priority.severity.voter_suppression": 30.0,
    "priority.severity.incitement": 30.0,
    "priority.severity.sara": 25.0,
    "priority.severity.hate_speech": 25.0,
    "priority.severity.official_impersonation": 20.0,
    "priority.severity.hoax": 20.0,
    "priority.severity.disinformation": 20.0,
    "priority.severity.defamation": 15.0,
    "priority.severity.quiet_period_campaign": 15.0,
    "priority.severity.civil_servant_partisanship": 10.0,
    "priority.severity.other": 5.0,
    # The phase changes what is urgent.
    "priority.phase.quiet_period.quiet_period_campaign": 30.0,
    "priority.phase.quiet_period.voter_suppression": 25.0,
    "priority.phase.voting_day.voter_suppression": 35.0,
    "priority.phase.tabulation.voter_suppression": 15.0,
    "priority.phase.campaign.civil_servant_partisanship": 5.0,
    # Time left to the SLA.
    "priority.sla_near_minutes": 60.0,
    "priority.sla_near_points": 15.0,
    "priority.sla_breached_points": 30.0,
    # Decisions with a high impact on big videos wait for a supervisor.
    "approval.reach_threshold": 1_000_000.0,
    # A re-flag on a decided video reopens it when reach has grown by this factor.
    "reopen.reach_growth_factor": 2.0,
}


# The range an administrator may set each tuning value to (administration/configuration.py).
_TUNING_RANGES: dict[str, tuple[float, float]] = {
    "priority.growth_views_per_hour": (1.0, 1e9),
    "priority.sla_near_minutes": (0.0, 7 * 24 * 60.0),
    "approval.reach_threshold": (0.0, 1e12),
    "reopen.reach_growth_factor": (1.0, 1000.0),
}
POINTS_RANGE = (0.0, 100.0)


def tuning_range(key: str) -> tuple[float, float]:
    """The lowest and highest value a tuning key accepts; points are 0 to 100."""
    return _TUNING_RANGES.get(key, POINTS_RANGE)


@dataclass(frozen=True)
class PrioritySignals:
    view_count: int | None
    views_per_hour: float | None
    distinct_flags: int
    sources: frozenset[str]
    reasons: frozenset[str]
    phase_kind: str | None
    due_at: datetime | None
    now: datetime
    max_confidence: float | None = None


@dataclass(frozen=True)
class FlagSummary:
    """What the priority needs to know about a case's flags."""

    count: int
    sources: frozenset[str]
    max_confidence: float | None

    def plus(self, *, source: str, confidence: float | None) -> "FlagSummary":
        """The summary with one more flag."""
        confidences = [c for c in (self.max_confidence, confidence) if c is not None]
        return FlagSummary(
            count=self.count + 1,
            sources=self.sources | {source},
            max_confidence=max(confidences) if confidences else None,
        )


NO_FLAGS = FlagSummary(count=0, sources=frozenset(), max_confidence=None)


def priority_signals(
    *,
    view_count: int | None,
    published_at: datetime | None,
    flags: FlagSummary,
    reasons: Iterable[str],
    phase_kind: str | None,
    due_at: datetime | None,
    now: datetime,
) -> PrioritySignals:
    """The one place that turns what we know of a case into priority signals: the video's
    reach and its growth since publication, the flags, the reasons, the phase, the SLA."""
    views_per_hour = None
    if view_count and published_at and published_at < now:
        hours = max((now - published_at).total_seconds() / 3600, 1.0)
        views_per_hour = view_count / hours
    return PrioritySignals(
        view_count=view_count,
        views_per_hour=views_per_hour,
        distinct_flags=flags.count,
        sources=flags.sources,
        reasons=frozenset(reasons),
        phase_kind=phase_kind,
        due_at=due_at,
        now=now,
        max_confidence=flags.max_confidence,
    )


@dataclass(frozen=True)
class PriorityLine:
    signal: str
    # English, for the API and logs; the pages say it in the reader's language from ``values``.
    label: str
    points: int
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class PriorityResult:
    score: int
    lines: list[PriorityLine] = field(default_factory=list)

    def breakdown(self) -> list[dict[str, object]]:
        return [
            {"signal": x.signal, "label": x.label, "points": x.points, "values": x.values}
            for x in self.lines
        ]


def humanise_count(n: float) -> str:
    for unit, size in (("M", 1_000_000), ("K", 1_000)):
        if n >= size:
            value = n / size
            return f"{value:.1f}".rstrip("0").rstrip(".") + unit
    return str(int(n))


def priority_compute(signals: PrioritySignals, tuning: dict[str, float]) -> PriorityResult:
    def w(key: str) -> float:
        return tuning.get(key, DEFAULT_TUNING.get(key, 0.0))

    lines: list[PriorityLine] = []

    def add(signal: str, label: str, points: float, **values: object) -> None:
        if points:
            lines.append(PriorityLine(signal, label, round(points), values))

    views = signals.view_count or 0
    if views > 1_000:
        reach = min(
            w("priority.reach_cap"), (math.log10(views) - 3) * w("priority.reach_per_decade")
        )
        add(PrioritySignal.REACH, f"views {humanise_count(views)}", reach, views=views)

    if signals.views_per_hour and signals.views_per_hour >= w("priority.growth_views_per_hour"):
        add(
            PrioritySignal.GROWTH,
            f"+{humanise_count(signals.views_per_hour)} views/h",
            w("priority.growth_points"),
            views_per_hour=signals.views_per_hour,
        )

    if signals.distinct_flags:
        flags_points = min(w("priority.flags_cap"), signals.distinct_flags * w("priority.per_flag"))
        add(
            PrioritySignal.FLAGS,
            f"{signals.distinct_flags} flags",
            flags_points,
            count=signals.distinct_flags,
        )

    source_points = {s: w(f"priority.source.{s}") for s in signals.sources}
    if source_points:
        best = max(source_points, key=lambda s: source_points[s])
        if best == FlagSource.AUTOMATED and signals.max_confidence is not None:
            source_points[best] *= signals.max_confidence
        add(PrioritySignal.SOURCE, f"source {best}", source_points[best], source=best)

    severity = {r: w(f"priority.severity.{r}") for r in signals.reasons}
    if severity:
        worst = max(severity, key=lambda r: severity[r])
        add(PrioritySignal.SEVERITY, f"reason {worst}", severity[worst], reason=worst)

    if signals.phase_kind and signals.phase_kind != PhaseKind.OTHER:
        boosts = {
            r: w(f"priority.phase.{signals.phase_kind}.{r}")
            for r in signals.reasons
            if f"priority.phase.{signals.phase_kind}.{r}" in tuning
            or f"priority.phase.{signals.phase_kind}.{r}" in DEFAULT_TUNING
        }
        if boosts:
            top = max(boosts, key=lambda r: boosts[r])
            add(
                PrioritySignal.PHASE,
                f"{signals.phase_kind} and {top}",
                boosts[top],
                phase=signals.phase_kind,
                reason=top,
            )

    if signals.due_at is not None:
        minutes_left = (signals.due_at - signals.now).total_seconds() / 60
        if minutes_left < 0:
            add(
                PrioritySignal.SLA, "SLA breached", w("priority.sla_breached_points"), breached=True
            )
        elif minutes_left <= w("priority.sla_near_minutes"):
            add(
                PrioritySignal.SLA,
                f"SLA in {int(minutes_left)} min",
                w("priority.sla_near_points"),
                minutes=int(minutes_left),
            )

    return PriorityResult(score=sum(x.points for x in lines), lines=lines)


# --- Reading a breakdown line ------------------------------------------------------------------


def _choice_label(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value).replace("_", " ")


# What each breakdown line says, in the reader's language, from the values it keeps.
_BREAKDOWN = {
    PrioritySignal.REACH: _("%(views)s tayangan"),
    PrioritySignal.GROWTH: _("+%(views_per_hour)s tayangan/jam"),
    PrioritySignal.FLAGS: _("laporan: %(count)s"),
    PrioritySignal.SOURCE: _("sumber: %(source)s"),
    PrioritySignal.SEVERITY: _("alasan: %(reason)s"),
    PrioritySignal.PHASE: _("%(phase)s, alasan %(reason)s"),
}
_SLA_BREACHED = _("tenggat SLA terlewati")
_SLA_NEAR = _("tenggat SLA dalam %(minutes)s menit")

# Lines stored before they kept their values: read them back from the English label.
_LEGACY_LABELS = [
    (PrioritySignal.REACH, re.compile(r"^views (?P<views>[\d.]+[KM]?)$")),
    (PrioritySignal.GROWTH, re.compile(r"^\+(?P<views_per_hour>[\d.]+[KM]?) views/h$")),
    (PrioritySignal.FLAGS, re.compile(r"^(?P<count>\d+) flags$")),
    (PrioritySignal.SOURCE, re.compile(r"^source (?P<source>\w+)$")),
    (PrioritySignal.SEVERITY, re.compile(r"^reason (?P<reason>\w+)$")),
    (PrioritySignal.PHASE, re.compile(r"^(?P<phase>\w+) and (?P<reason>\w+)$")),
    (PrioritySignal.SLA, re.compile(r"^SLA (?P<breached>breached)$")),
    (PrioritySignal.SLA, re.compile(r"^SLA in (?P<minutes>\d+) min$")),
]


def breakdown_line_text(line: dict[str, Any]) -> str:
    """One line of a priority breakdown in the reader's words: views as a short count,
    reasons, sources and phases by their labels (the stored ``label`` is English, for the
    API)."""
    signal = line.get("signal", "")
    values: dict[str, Any] = dict(line.get("values") or {})
    if not values:
        for legacy_signal, pattern in _LEGACY_LABELS:
            match = pattern.match(str(line.get("label", "")))
            if legacy_signal == signal and match:
                values = match.groupdict()
                break
    if not values:
        return str(line.get("label", ""))
    shown: dict[str, Any] = dict(values)
    for key in ("views", "views_per_hour"):
        if isinstance(shown.get(key), int | float):
            shown[key] = humanise_count(shown[key])
    if "reason" in shown:
        shown["reason"] = _choice_label(Reason, shown["reason"])
    if "source" in shown:
        shown["source"] = _choice_label(FlagSource, shown["source"])
    if "phase" in shown:
        shown["phase"] = _choice_label(PhaseKind, shown["phase"])
    if signal == PrioritySignal.SLA:
        return str(_SLA_BREACHED) if shown.get("breached") else str(_SLA_NEAR) % shown
    template = _BREAKDOWN.get(signal)  # type: ignore[call-overload]
    try:
        return str(template) % shown if template is not None else str(line.get("label", ""))
    except (KeyError, TypeError, ValueError):
        return str(line.get("label", ""))

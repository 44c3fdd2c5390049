"""Charts as server-rendered SVG: no JavaScript, no CDN, nothing for the Content Security
Policy to allow. Each chart is titled (``<title>``, ``aria-labelledby``) and the page puts a
table with the same numbers beside it. Colours come from classes (static/dashboard.css)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 220
PAD_LEFT = 48
PAD_RIGHT = 12
PAD_TOP = 14
PAD_BOTTOM = 34


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _nice_max(value: float) -> float:
    """A round top for the axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)  # pragma: no cover


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _frame(chart_id: str, title: str, body: list[str], legend: list[str]) -> SafeString:
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + (18 if legend else 0)}" '
        f'role="img" aria-labelledby="{chart_id}-title" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        *body,
        *legend,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _axes(top: float, labels: Sequence[str]) -> list[str]:
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    out = []
    for i in range(5):
        value = top * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        out.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_fmt(value))}</text>"
        )
    n = len(labels)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    every = max(1, -(-n // 10))
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = PAD_LEFT + plot_w * (i + 0.5) / n
        out.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    return out


def _legend(series: Sequence[Series]) -> list[str]:
    if len(series) < 2:
        return []
    out = []
    x = PAD_LEFT
    for i, s in enumerate(series):
        out.append(
            f'<rect class="s{i}" x="{x}" y="{HEIGHT + 4}" width="10" height="10"/>'
            f'<text class="legend" x="{x + 14}" y="{HEIGHT + 13}">{escape(s.name)}</text>'
        )
        x += 24 + 7 * len(s.name)
    return out


def line_chart(
    chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """One line per series over the labels (days); a missing value breaks the line."""
    values = [v for s in series for v in s.values if v is not None]
    top = _nice_max(max(values, default=0))
    if top < 4 and all(float(v).is_integer() for v in values):
        top = 4.0  # counts: whole-number ticks
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    n = max(len(labels), 1)
    body = _axes(top, labels)
    for i, s in enumerate(series):
        points = []
        for j, v in enumerate(s.values):
            if v is None:
                continue
            x = PAD_LEFT + plot_w * (j + 0.5) / n
            y = PAD_TOP + plot_h - plot_h * v / top
            points.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle class="s{i}" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>')
        if len(points) > 1:
            body.append(f'<polyline class="line s{i}" points="{" ".join(points)}"/>')
    return _frame(chart_id, title, body, _legend(series))


def bar_chart(
    chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """Grouped vertical bars: for each label, one bar per series."""
    values = [v for s in series for v in s.values if v is not None]
    top = _nice_max(max(values, default=0))
    if top < 4 and all(float(v).is_integer() for v in values):
        top = 4.0  # counts: whole-number ticks
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    n = max(len(labels), 1)
    group = plot_w / n
    bar = max(1.0, group * 0.8 / max(len(series), 1))
    body = _axes(top, labels)
    for i, s in enumerate(series):
        for j, v in enumerate(s.values):
            if not v:
                continue
            h = plot_h * v / top
            x = PAD_LEFT + group * j + group * 0.1 + bar * i
            body.append(
                f'<rect class="s{i}" x="{x:.1f}" y="{PAD_TOP + plot_h - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}"><title>{escape(labels[j])} · '
                f"{escape(s.name)}: {escape(_fmt(v))}</title></rect>"
            )
    return _frame(chart_id, title, body, _legend(series))


def hbar_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, float]], *, unit: str = ""
) -> SafeString:
    """Horizontal bars, one per row, labelled on the left and valued on the right."""
    row_h = 22
    label_w = 190
    height = max(len(rows), 1) * row_h + 8
    top = (100.0 if unit == "%" else 0) or max((v for _l, v in rows), default=0) or 1
    plot_w = WIDTH - label_w - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        w = plot_w * value / top
        parts.append(
            f'<text class="tick" x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(label[:32])}</text>"
            f'<rect class="s0" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}"/>'
            f'<text class="tick" x="{label_w + w + 4:.1f}" y="{y + 15}">'
            f"{escape(_fmt(value))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

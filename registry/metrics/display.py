"""How the dashboard writes a metric: percentages for shares (the API keeps fractions), whole numbers for
counts, two decimals for the part-time ratio; the change with its marker and verdict; the trend's bars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from registry.metrics.catalogue import METRICS, MetricKind
from registry.metrics.schemas import IndicatorReportOut, TrendPoint

__all__ = ("Bar", "Card", "TrendRow", "card_of", "shown", "shown_change", "trend_bars", "trend_rows")

_VERDICTS = {"improving": ("Better", "green"), "worsening": ("Worse", "red"), "no_change": ("No change", "grey")}


def _kind(metric: str) -> MetricKind:
    return METRICS[metric].kind if metric in METRICS else "count"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def shown(value: float | None, kind: MetricKind) -> str:
    """``28.6%``, ``3``, ``1.67``; an empty value says so."""
    if value is None:
        return "No figure"
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "ratio":
        return f"{value:.2f}"
    return _number(value)


def shown_change(difference: float | None, kind: MetricKind) -> str:
    """``up 14.3 percentage points``, ``down 2``, ``no change``; empty when there is nothing to compare."""
    if difference is None:
        return ""
    if abs(difference) < 1e-12:
        return "no change"
    way = "up" if difference > 0 else "down"
    size = abs(difference)
    if kind == "share":
        return f"{way} {size * 100:.1f} percentage points"
    if kind == "ratio":
        return f"{way} {size:.2f}"
    return f"{way} {_number(size)}"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value_text: str
    x: float
    y: float
    height: float
    value_y: float


CHART_HEIGHT = 110.0
"""The bars' drawing height in the SVG's own units (a value above, a label below: 400 × 175 in all)."""


def trend_bars(points: Sequence[TrendPoint], kind: MetricKind, texts: Sequence[str] | None = None) -> list[Bar]:
    """Vertical bars, oldest first, scaled to the largest value (an empty period draws no bar); ``texts`` are
    the values written over them when they are not the points' own (a hidden value is a point without one)."""
    top = max((p.value for p in points if p.value is not None and p.value > 0), default=1.0)
    bars = []
    for n, point in enumerate(points):
        height = 0.0 if point.value is None or point.value <= 0 else point.value / top * CHART_HEIGHT
        y = 20 + CHART_HEIGHT - height
        label = point.period.label if len(point.period.label) <= 7 else f"{point.period.start:%-d %b %y}"
        text = texts[n] if texts is not None else shown(point.value, kind)
        bars.append(Bar(label, text, 12 + n * 80, y, height, y - 6))
    return bars


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One period of the trend table: what was reported, when, and any correction since."""

    label: str
    reported: str
    taken: str
    """``snapshot of 1 Apr 2026``, or ``not snapshotted: worked out now``."""
    correction: str
    """``now 14, up 2 since``; empty when the value worked out now is the one reported."""


def trend_rows(points: Sequence[TrendPoint], kind: MetricKind) -> list[TrendRow]:
    rows = []
    for p in points:
        taken = f"Snapshot of {p.reported_at:%-d %b %Y}" if p.reported_at else "Not snapshotted: worked out now"
        fixed = "" if p.correction is None else f"Now {shown(p.now, kind)}, {shown_change(p.correction, kind)} since"
        rows.append(TrendRow(p.period.label, shown(p.value, kind), taken, fixed))
    return rows


@dataclass(frozen=True, slots=True)
class Card:
    """An indicator as its card shows it."""

    indicator: IndicatorReportOut
    name: str
    help: str
    filters: str
    value: str
    parts: str
    """``2 of 7 people`` for a share; empty otherwise."""
    baseline: str
    change: str
    marker: str
    """``▲`` up, ``▼`` down, ``●`` no change, empty without a baseline."""
    verdict: str
    verdict_colour: str
    target: str
    bars: list[Bar]
    trend: list[TrendPoint]
    trend_values: list[str]
    trend_rows: list[TrendRow]


def card_of(indicator: IndicatorReportOut, trend: list[TrendPoint]) -> Card:
    definition = METRICS.get(indicator.metric)
    kind = _kind(indicator.metric)
    parts = ""
    if kind == "share" and indicator.denominator is not None and definition is not None:
        parts = f"{_number(indicator.numerator or 0)} of {_number(indicator.denominator)} {definition.unit}"
    difference = indicator.change
    marker = "" if difference is None else "●" if abs(difference) < 1e-12 else "▲" if difference > 0 else "▼"
    verdict, colour = _VERDICTS.get(indicator.status or "", ("", ""))
    return Card(
        indicator=indicator, name=definition.name if definition else indicator.metric,
        help=definition.help if definition else "", filters=definition.filters if definition else "",
        value=shown(indicator.value, kind), parts=parts, baseline=shown(indicator.baseline_value, kind),
        change=shown_change(difference, kind), marker=marker, verdict=verdict, verdict_colour=colour,
        target="" if indicator.target is None else shown(indicator.target, kind), bars=trend_bars(trend, kind),
        trend=trend, trend_values=[shown(p.value, kind) for p in trend], trend_rows=trend_rows(trend, kind),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a breakdown as the breakdown page shows it: a table, or facts (label → value)."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    facts: list[tuple[str, str]]


_PERCENT_KEYS = frozenset({"value", "rate"})
_GROUPS = ("part_time", "full_time", "volunteer")
"""D4's groups (METRICS.md: volunteers are their own group in breakdowns)."""
_TITLES = {
    "per_competence": "Per competence", "per_organisation": "Per organisation", "per_host": "Per host organisation",
    "per_category": "Per CLDSC category", "hours_per_competence": "Hours per competence",
}  # fmt: skip


def _title(key: str) -> str:
    return _TITLES.get(key, key.replace("_", " ").capitalize())


def _cell(key: str, value: object) -> str:
    if value is None:
        return "No figure"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float) and key in _PERCENT_KEYS:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _share_text(part: dict[str, object]) -> str:
    rate = _cell("value", part.get("value"))
    return f"{rate} ({part.get('numerator')} of {part.get('denominator')})"


def breakdown_sections(breakdown: dict[str, object]) -> list[Section]:
    """Lists of rows become tables; groups (D4's part-time, full-time, volunteers) one table; counts per category
    a table; shares ``{value, numerator, denominator}`` and single numbers facts."""
    facts: list[tuple[str, str]] = []
    tables: list[Section] = []
    groups = {k: v for k, v in breakdown.items() if k in _GROUPS and isinstance(v, dict)}
    if groups:
        columns = list(next(iter(groups.values())).keys())
        rows = [[_title(k), *[_cell(c, g.get(c)) for c in columns]] for k, g in groups.items()]
        tables.append(Section("Per group", ["Group", *[_title(c) for c in columns]], rows, []))
    for key, value in breakdown.items():
        if key in groups:
            continue
        if isinstance(value, list):
            columns = list(value[0].keys()) if value else []
            tables.append(Section(_title(key), [_title(c) for c in columns],
                                  [[_cell(c, row.get(c)) for c in columns] for row in value], []))  # fmt: skip
        elif isinstance(value, dict) and "denominator" in value:
            facts.append((_title(key), _share_text(value)))
        elif isinstance(value, dict):
            rows = [[_title(k), _cell(k, v)] for k, v in value.items()]
            tables.append(Section(_title(key), ["", "People"], rows, []))
        else:
            facts.append((_title(key), _cell(key, value)))
    return ([Section("In figures", [], [], facts)] if facts else []) + tables

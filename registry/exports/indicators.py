"""The indicator export for a performance system (METRICS.md, "Indicator export"): one row per indicator per
period, as CSV or as Pentana's PI-values XML ("pivalues-1.0"), small numbers suppressed as the export leaves
the lead's screen, and every export recorded in the audit log.

What is suppressed (registry.exports.suppression): a count of people or attendances from 1 to k−1 shows as
``<5`` (``NA`` in the XML); a share of people whose numerator or denominator is from 1 to k−1 shows as ``*``
(``NA``), and so do its numerator, denominator, change and status, which would give it back. Counts of
events, organisations or competences, and shares of hours or of learning records, say nothing about a person
and are published as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from registry.accounts.rules import Viewer
from registry.audit import service as audit
from registry.csv_export import spreadsheet_text
from registry.exports.suppression import K_DEFAULT, RATE_MARK, count_shown, mark, rate_hidden
from registry.metrics.catalogue import METRICS
from registry.metrics.report import ReportAsk, metrics_report
from registry.metrics.schemas import IndicatorReportOut, MetricsReportOut

__all__ = ("COLUMNS", "Figure", "IndicatorRow", "export_indicators", "indicator_rows", "publish", "to_csv", "to_xml")

COLUMNS = (
    "plan", "action", "indicator_code", "indicator", "metric", "period_start", "period_end", "value", "numerator",
    "denominator", "baseline_value", "change", "direction", "status",
)  # fmt: skip
"""METRICS.md's columns, in its order."""

_PEOPLE = frozenset({"people", "attendances"})


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One indicator for one period as published: each figure its number, ``<5``, ``*`` or None (empty)."""

    plan: str
    action: str
    indicator_code: str
    indicator: str
    metric: str
    period_start: str
    period_end: str
    value: str | None
    numerator: str | None
    denominator: str | None
    baseline_value: str | None
    change: str | None
    direction: str
    status: str | None
    target: str | None
    suppressed: bool


def _number(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _whole(value: float | None) -> int | None:
    return int(value) if value is not None and float(value).is_integer() else None


@dataclass(frozen=True, slots=True)
class Figure:
    """A metric's value as it may be published, with what it divides."""

    value: str | None
    numerator: str | None
    denominator: str | None
    hidden: bool


def publish(
    metric: str, value: float | None, numerator: float | None, denominator: float | None, k: int = K_DEFAULT
) -> Figure:
    """A count of people or attendances from 1 to k−1 as ``<5``; a share of people on such a numerator or
    denominator as ``*`` (its parts as ``<5``); anything else as it is."""
    definition = METRICS.get(metric)
    about_people = definition is not None and definition.unit in _PEOPLE
    shown = Figure(_number(value), _number(numerator), _number(denominator), False)
    if not about_people or definition is None:
        return shown
    if definition.kind == "count":
        if (n := _whole(value)) is not None and count_shown(n, k) != str(n):
            return Figure(mark(k), shown.numerator, shown.denominator, True)
    elif rate_hidden(_whole(numerator), _whole(denominator), k):
        parts = [count_shown(w, k) if (w := _whole(x)) is not None else _number(x) for x in (numerator, denominator)]
        return Figure(RATE_MARK, parts[0], parts[1], True)
    return shown


def _row(report: MetricsReportOut, i: IndicatorReportOut, k: int) -> IndicatorRow:
    now = publish(i.metric, i.value, i.numerator, i.denominator, k)
    before = publish(i.metric, i.baseline_value, None, None, k)
    hidden = now.hidden or before.hidden
    return IndicatorRow(
        plan=report.plan, action=i.action, indicator_code=i.code, indicator=i.indicator, metric=i.metric,
        period_start=report.period.start.isoformat(), period_end=report.period.end.isoformat(), value=now.value,
        numerator=now.numerator, denominator=now.denominator, baseline_value=before.value,
        change=None if hidden else _number(i.change), direction=i.direction, status=None if hidden else i.status,
        target=_number(i.target), suppressed=hidden,
    )  # fmt: skip


def indicator_rows(report: MetricsReportOut, k: int = K_DEFAULT) -> list[IndicatorRow]:
    """The report's indicators as they may be published."""
    return [_row(report, i, k) for i in report.indicators]


def to_csv(rows: list[IndicatorRow]) -> Iterator[str]:
    """The CSV, a line at a time; every text cell neutralised against spreadsheet formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[str | None]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_text(v) for v in values])
        return buffer.getvalue()

    yield line(list(COLUMNS))
    for r in rows:
        yield line([getattr(r, column) for column in COLUMNS])


def _year(period_start: str) -> str:
    """Pentana's collection year for a financial year that starts on 1 April: ``2026/27``."""
    year = int(period_start[:4]) if period_start[5:7] >= "04" else int(period_start[:4]) - 1
    return f"{year}/{(year + 1) % 100:02d}"


def _period(period_start: str, period_end: str) -> tuple[str, str]:
    """Pentana's period and frequency: a financial year, a financial quarter (Q1 = April–June) or a month."""
    start_month, end_month = int(period_start[5:7]), int(period_end[5:7])
    months = (int(period_end[:4]) - int(period_start[:4])) * 12 + end_month - start_month + 1
    if months == 12 and start_month == 4:
        return "Year", "Yearly"
    if months == 3 and start_month in (4, 7, 10, 1):
        return f"Q{((start_month - 4) % 12) // 3 + 1}", "Quarterly"
    if months == 1:
        return f"M{((start_month - 4) % 12) + 1}", "Monthly"
    return f"{period_start}..{period_end}", "Other"


def _na(value: str | None) -> str:
    return "NA" if value is None or value in (RATE_MARK,) or value.startswith("<") else value


def to_xml(rows: list[IndicatorRow]) -> bytes:
    """Pentana's PI-values shape ("pivalues-1.0"): ``<pis><pi code="…"><values><value>…``; NA where a value is
    suppressed or does not apply."""
    root = ET.Element("pis", {"schema": "pivalues-1.0"})
    for r in rows:
        pi = ET.SubElement(root, "pi", {"code": r.indicator_code})
        values = ET.SubElement(pi, "values")
        value = ET.SubElement(values, "value")
        period, frequency = _period(r.period_start, r.period_end)
        for tag, text in (
            ("value", _na(r.value)), ("period", period), ("year", _year(r.period_start)),
            ("frequency", frequency), ("target", _na(r.target)), ("numerator", _na(r.numerator)),
            ("denominator", _na(r.denominator)),
        ):  # fmt: skip
            ET.SubElement(value, tag).text = text
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


async def export_indicators(
    viewer: Viewer, ask: ReportAsk, *, file_format: str, purpose: str, k: int = K_DEFAULT
) -> bytes:
    """The file, with the export recorded (who, when, which filters, the stated purpose)."""
    report = await metrics_report(viewer, ask)
    rows = indicator_rows(report, k)
    body = "".join(to_csv(rows)).encode("utf-8") if file_format == "csv" else to_xml(rows)
    await audit.record(
        viewer, "export", subject="indicators",
        summary=f"Indicators of {report.plan} for {report.period.label} as {file_format.upper()}",
        details={
            "filters": {"period": report.period.label, "plan": report.plan, "organisation": report.organisation,
                        "local_authority": report.local_authority},
            "format": file_format, "purpose": purpose, "suppress": k, "rows": len(rows),
        },
    )  # fmt: skip
    return body

"""The indicator export's shape and suppression (registry/exports/indicators.py), from reports made by hand."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from registry.exports.indicators import COLUMNS, indicator_rows, to_csv, to_xml
from registry.metrics.schemas import IndicatorReportOut, MetricsReportOut, PeriodOut


def _indicator(code: str, metric: str, **figures: Any) -> IndicatorReportOut:
    base: dict[str, Any] = {
        "value": None, "numerator": None, "denominator": None, "baseline_value": None, "change": None,
        "status": None, "target": None,
    }  # fmt: skip
    base.update(figures)
    return IndicatorReportOut(
        id=1, code=code, action=code[0], action_title="An action", indicator=f"Indicator {code}", metric=metric,
        direction="up", breakdown={}, **base,
    )  # fmt: skip


def _report(
    *indicators: IndicatorReportOut, start: date = date(2026, 4, 1), end: date = date(2027, 3, 31)
) -> MetricsReportOut:
    return MetricsReportOut(
        plan="CLD2018", plan_name="CLD Strategy", period=PeriodOut(start=start, end=end, label="P"),
        baseline=PeriodOut(start=date(2025, 4, 1), end=date(2026, 3, 31), label="B"), organisation=None,
        local_authority=None, indicators=list(indicators),
    )  # fmt: skip


def _csv(report: MetricsReportOut, k: int = 5) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(to_csv(indicator_rows(report, k))))))


def test_the_columns_are_metrics_md_s_in_its_order() -> None:
    text = "".join(to_csv(indicator_rows(_report())))
    assert text.splitlines()[0] == (
        "plan,action,indicator_code,indicator,metric,period_start,period_end,value,numerator,denominator,"
        "baseline_value,change,direction,status"
    )
    assert len(COLUMNS) == 14


def test_figures_that_name_nobody_are_published_as_they_are() -> None:
    rows = _csv(_report(
        _indicator("B1", "learning_opportunities", value=3, baseline_value=2, change=1, status="improving"),
        _indicator("D3", "protected_time", value=0.5, numerator=2.0, denominator=4.0),
        _indicator("C1", "cldsc_registration_rate", value=0.375, numerator=30, denominator=80, baseline_value=0.25,
                   change=0.125, status="improving"),
    ))  # fmt: skip
    b1, d3, c1 = rows
    assert (b1["value"], b1["baseline_value"], b1["change"], b1["status"]) == ("3", "2", "1", "improving")
    assert (d3["value"], d3["numerator"], d3["denominator"]) == ("0.5", "2", "4")  # hours, not people
    assert (c1["value"], c1["numerator"], c1["denominator"], c1["change"]) == ("0.375", "30", "80", "0.125")
    assert (c1["period_start"], c1["period_end"]) == ("2026-04-01", "2027-03-31")


@pytest.mark.parametrize("k", [5, 10])
def test_small_counts_of_people_and_rates_built_on_them_are_hidden_with_what_gives_them_away(k: int) -> None:
    rows = _csv(_report(
        _indicator("B2", "participation", value=k - 1, baseline_value=40, change=-(41 - k), status="worsening"),
        _indicator("D1", "cldsc_awareness", value=40, baseline_value=2, change=38, status="improving"),
        _indicator("A3", "school_qualified_involvement", value=0.5, numerator=2, denominator=4, change=0.1,
                   status="improving"),
        _indicator("C2", "competence_linked_learning", value=0.25, numerator=1, denominator=40),
    ), k)  # fmt: skip
    b2, d1, a3, c2 = rows
    assert (b2["value"], b2["baseline_value"], b2["change"], b2["status"]) == (f"<{k}", "40", "", "")
    assert (d1["value"], d1["baseline_value"], d1["change"], d1["status"]) == ("40", "<5" if k == 5 else "<10", "", "")
    assert (a3["value"], a3["numerator"], a3["denominator"], a3["change"], a3["status"]) == (
        "*",
        f"<{k}",
        f"<{k}",
        "",
        "",
    )
    assert (c2["value"], c2["numerator"], c2["denominator"]) == ("*", f"<{k}", "40")


def test_text_a_spreadsheet_would_run_is_neutralised() -> None:
    hostile = _indicator("B1", "learning_opportunities", value=12)
    hostile = hostile.model_copy(update={"indicator": '=HYPERLINK("http://x","y")', "action": "+A"})
    (row,) = _csv(_report(hostile))
    assert row["indicator"] == '\'=HYPERLINK("http://x","y")'
    assert row["action"] == "'+A"


@pytest.mark.parametrize(
    ("start", "end", "period", "year", "frequency"),
    [
        (date(2026, 4, 1), date(2027, 3, 31), "Year", "2026/27", "Yearly"),
        (date(2026, 4, 1), date(2026, 6, 30), "Q1", "2026/27", "Quarterly"),
        (date(2027, 1, 1), date(2027, 3, 31), "Q4", "2026/27", "Quarterly"),
        (date(2026, 5, 1), date(2026, 5, 31), "M2", "2026/27", "Monthly"),
        (date(2026, 5, 3), date(2026, 9, 9), "2026-05-03..2026-09-09", "2026/27", "Other"),
    ],
)
def test_the_xml_is_pentana_s_pi_values_with_na_for_what_is_hidden(
    start: date, end: date, period: str, year: str, frequency: str
) -> None:
    report = _report(
        _indicator("B1", "learning_opportunities", value=12, target=15),
        _indicator("A3", "school_qualified_involvement", value=0.5, numerator=2, denominator=4),
        _indicator("D4", "part_time_access_ratio"),
        start=start, end=end,
    )  # fmt: skip
    root = ET.fromstring(to_xml(indicator_rows(report)))  # noqa: S314 - the registry's own output
    assert root.tag == "pis"
    pis = root.findall("pi")
    assert [p.get("code") for p in pis] == ["B1", "A3", "D4"]
    fields = [{e.tag: e.text for e in p.find("values/value")} for p in pis]  # type: ignore[union-attr]
    assert fields[0] == {"value": "12", "period": period, "year": year, "frequency": frequency, "target": "15",
                         "numerator": "NA", "denominator": "NA"}  # fmt: skip
    assert (fields[1]["value"], fields[1]["numerator"], fields[1]["denominator"]) == ("NA", "NA", "NA")
    assert fields[2]["value"] == "NA"


def test_the_metrics_command_s_csv_neutralises_formulas_too() -> None:
    from registry.metrics.cli import report_csv

    hostile = _indicator("B1", "learning_opportunities", value=12)
    hostile = hostile.model_copy(update={"indicator": "@SUM(A1:A9)", "action": "-A"})
    (row,) = list(csv.DictReader(io.StringIO(report_csv(_report(hostile)))))
    assert (row["indicator"], row["action"], row["value"]) == ("'@SUM(A1:A9)", "'-A", "12")

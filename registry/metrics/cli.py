"""``registry metrics``: the report of ``GET /api/v1/metrics`` on the command line, as JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import io
import json

from registry.cli_viewer import COMMAND_LINE
from registry.csv_export import spreadsheet_text
from registry.metrics import snapshots
from registry.metrics.plans import read_period
from registry.metrics.report import ReportAsk, metrics_report
from registry.metrics.schemas import MetricsReportOut

__all__ = ("CSV_COLUMNS", "add_parser", "report_csv")

CSV_COLUMNS = (
    "plan", "action", "code", "indicator", "metric", "period_start", "period_end", "value", "numerator",
    "denominator", "baseline_start", "baseline_end", "baseline_value", "change", "direction", "status", "target",
)  # fmt: skip


def _cell(value: object) -> object:
    """Empty for None; text a spreadsheet would run as a formula is neutralised (numbers stay numbers)."""
    if value is None:
        return ""
    return spreadsheet_text(value) if isinstance(value, str) else value


def report_csv(report: MetricsReportOut) -> str:
    """One row per indicator, the breakdowns left to the JSON (they have a shape of their own each)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i in report.indicators:
        writer.writerow(
            [_cell(v) for v in (
                report.plan, i.action, i.code, i.indicator, i.metric, report.period.start, report.period.end,
                i.value, i.numerator, i.denominator, report.baseline.start, report.baseline.end, i.baseline_value,
                i.change, i.direction, i.status, i.target,
            )]
        )  # fmt: skip
    return out.getvalue()


async def _metrics(args: argparse.Namespace) -> None:
    ask = ReportAsk(args.period, args.plan, args.organisation, args.local_authority)
    report = await metrics_report(COMMAND_LINE, ask)
    if args.format == "csv":
        print(report_csv(report), end="")
    else:
        print(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))


async def _snapshot(args: argparse.Namespace) -> None:
    run = await snapshots.take([read_period(args.period)], "manual", args.plan)
    print(f"{run.snapshots} snapshot(s) of {', '.join(run.plans) or 'no plan'} for {', '.join(run.periods)} stored")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``metrics`` command (registered by registry.cli)."""
    metrics = commands.add_parser("metrics", help="workforce metrics against a plan's indicators (METRICS.md)")
    metrics.add_argument("--plan", metavar="CODE", help="a plan's code (default: the newest active plan)")
    metrics.add_argument("--period", help="2025-26 or 2025-04-01..2025-06-30 (default: this financial year)")
    metrics.add_argument("--organisation", metavar="CODE", help="only this organisation")
    metrics.add_argument("--local-authority", metavar="NAME", help="only the organisations in this local authority")
    metrics.add_argument("--format", choices=("json", "csv"), default="json")
    metrics.set_defaults(run=_metrics)
    actions = metrics.add_subparsers(dest="metrics_action", metavar="snapshot")
    snapshot = actions.add_parser(
        "snapshot", help="work out and store every indicator of the active plans for a period (what was reported)"
    )
    snapshot.add_argument("--period", required=True, help="2025-26 or 2025-04-01..2025-06-30")
    snapshot.add_argument("--plan", metavar="CODE", help="only this plan (default: every active plan)")
    snapshot.set_defaults(run=_snapshot)

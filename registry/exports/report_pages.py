"""The printable report (``/metrics/report``): a plan's figures for a period, one page per action, each indicator
with its value, baseline, change and target, its trend as reported (from the snapshots) as a chart and a table —
laid out for the browser's "Save as PDF", to take to the partnership board. It leaves the lead's screen, so
every figure on it is suppressed as the exports are (registry.exports.indicators.publish); the quarterly
report's mail links here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, get
from litestar.params import FromQuery
from litestar.response import Template

from registry.accounts.rules import Role
from registry.errors import Invalid
from registry.exports.indicators import IndicatorRow, indicator_rows, publish
from registry.exports.quarterly import figure_text
from registry.exports.suppression import K_DEFAULT, LEGEND
from registry.metrics.catalogue import METRICS
from registry.metrics.display import Bar, trend_bars
from registry.metrics.pages import filter_errors, query_ask
from registry.metrics.report import dashboard
from registry.metrics.schemas import IndicatorReportOut, TrendPoint
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import render
from registry.web.params import AnyRequest

__all__ = ("PrintedIndicator", "ReportPage", "printed_indicator")

Text = FromQuery[str | None]


@dataclass(frozen=True, slots=True)
class PrintedPoint:
    label: str
    reported: str
    taken: str
    now: str


@dataclass(frozen=True, slots=True)
class PrintedIndicator:
    row: IndicatorRow
    """The indicator's figures for the period, suppressed."""
    value: str
    baseline: str
    target: str
    bars: list[Bar]
    points: list[PrintedPoint]


def printed_indicator(
    indicator: IndicatorReportOut, row: IndicatorRow, trend: list[TrendPoint], k: int
) -> PrintedIndicator:
    """One indicator as the printed report shows it: every figure published or hidden as an export would."""
    definition = METRICS.get(indicator.metric)
    kind = definition.kind if definition else "count"
    published = [publish(indicator.metric, p.value, p.numerator, p.denominator, k) for p in trend]
    now = [publish(indicator.metric, p.now, p.now_numerator, p.now_denominator, k) for p in trend]
    # A hidden figure draws no bar, so its height cannot be measured off the page.
    visible = [
        p if not f.hidden else p.model_copy(update={"value": None}) for p, f in zip(trend, published, strict=True)
    ]
    texts = [figure_text(f.value, indicator.metric) for f in published]
    points = [
        PrintedPoint(
            label=p.period.label, reported=texts[n],
            taken=f"{p.reported_at:%-d %b %Y}" if p.reported_at else "Worked out now",
            now=figure_text(now[n].value, indicator.metric) if p.correction is not None else "",
        )
        for n, p in enumerate(trend)
    ]  # fmt: skip
    return PrintedIndicator(
        row=row, value=figure_text(row.value, indicator.metric),
        baseline=figure_text(row.baseline_value, indicator.metric),
        target="" if row.target is None else figure_text(row.target, indicator.metric),
        bars=trend_bars(visible, kind, texts), points=points,
    )  # fmt: skip


class ReportPage(Controller):
    """For partner admins (their organisation), alliance leads and admins, as the dashboard."""

    path = "/metrics/report"
    guards = [signed_in, requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)]
    include_in_schema = False

    @get("/")
    async def report_page(
        self, request: AnyRequest, viewer: CurrentViewer, period: Text = None, plan: Text = None,
        organisation: Text = None, local_authority: Text = None,
    ) -> Template:  # fmt: skip
        """Every action of the plan on a page of its own."""
        try:
            board = await dashboard(viewer, query_ask(period, plan, organisation, local_authority))
        except Invalid as exc:
            return render(
                request, "metrics/report.html", status_code=400, errors=filter_errors(exc), report=None, actions=[]
            )
        rows = {r.indicator_code: r for r in indicator_rows(board.report, K_DEFAULT)}
        actions: dict[str, dict[str, Any]] = {}
        for i in board.report.indicators:
            action = actions.setdefault(i.action, {"code": i.action, "title": i.action_title, "indicators": []})
            action["indicators"].append(printed_indicator(i, rows[i.code], board.trends.get(i.id, []), K_DEFAULT))
        return render(
            request, "metrics/report.html", report=board.report, actions=list(actions.values()),
            legend=LEGEND.format(k=K_DEFAULT),
        )  # fmt: skip
